import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody, isSpLinkError, SpLinkError } from '../errors.js';
import { FhirError, FhirHttpError, outcomeText } from '../fhir/errors.js';
import { isResourceValidationError } from '../fhir/validate/index.js';

/**
 * The one translation of any failure into our API's error currency (SpLinkError), for every JSON API of SP Link.
 * A FHIR server's answer is mapped by its FhirErrorCode; the FHIR code and diagnostics go in `details` (logs only).
 */
export function toApiError(err: unknown): SpLinkError {
  if (isSpLinkError(err)) return err;
  if (isResourceValidationError(err)) {
    return new SpLinkError('ERR_FHIR_INVALID_RESOURCE', { message: 'SP Link could not build a valid referral from these answers.', cause: err });
  }
  if (err instanceof FhirError) return fhirToApiError(err);
  const bodyError = (err as { type?: unknown; status?: unknown } | null) ?? {};
  if (bodyError.type === 'entity.parse.failed') return new SpLinkError('ERR_MALFORMED_REQUEST', { message: 'The request was not valid JSON.', cause: err });
  if (bodyError.type === 'entity.too.large') return new SpLinkError('ERR_PAYLOAD_TOO_LARGE', { cause: err });
  // Other client errors raised by body parsers (http-errors with a 4xx status).
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) return new SpLinkError('ERR_MALFORMED_REQUEST', { cause: err });
  return new SpLinkError('ERR_INTERNAL', { cause: err });
}

function fhirToApiError(err: FhirError): SpLinkError {
  const details = { fhirCode: err.code, ...(err instanceof FhirHttpError ? { status: err.status, diagnostics: outcomeText(err.outcome) } : {}) };
  const opts = { details, cause: err };
  switch (err.code) {
    case 'ERR_FHIR_UNAUTHORIZED':
      return new SpLinkError('ERR_SESSION_EXPIRED', opts);
    case 'ERR_FHIR_FORBIDDEN':
      return new SpLinkError('ERR_FORBIDDEN', { ...opts, message: 'The clinical system did not allow this.' });
    case 'ERR_FHIR_NOT_FOUND':
    case 'ERR_FHIR_GONE':
      return new SpLinkError('ERR_NOT_FOUND', { ...opts, message: 'The record could not be found.' });
    case 'ERR_FHIR_PRECONDITION_FAILED':
      return new SpLinkError('ERR_TASK_VERSION_CONFLICT', opts);
    case 'ERR_FHIR_BAD_REQUEST':
    case 'ERR_FHIR_CONFLICT':
    case 'ERR_FHIR_RATE_LIMITED':
    case 'ERR_FHIR_SERVER':
    case 'ERR_FHIR_HTTP':
    case 'ERR_FHIR_BAD_RESPONSE':
      return new SpLinkError('ERR_FHIR_REQUEST_FAILED', { ...opts, message: 'The clinical system could not complete this. Nothing was saved; please try again.' });
    case 'ERR_FHIR_TIMEOUT':
    case 'ERR_FHIR_NETWORK':
    case 'ERR_FHIR_AUTH':
      // A timeout may come after the server committed: do not promise that nothing was saved.
      return new SpLinkError('ERR_FHIR_UNREACHABLE', { ...opts, message: 'The clinical system did not answer in time. Check the patient’s referrals below before trying again.' });
    default:
      return err.code satisfies never;
  }
}

/**
 * Express error handler of a JSON API: answers `{ error: { code, message, fields? } }` with the code's status.
 * Server-side failures are logged as errors with their cause; refusals as warnings with the code only.
 */
export function apiErrorHandler(log: Logger, what: string): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = toApiError(err);
    const reqId = (req as { id?: unknown }).id;
    if (e.httpStatus >= 500) log.error({ err, code: e.code, reqId }, `${what} failed`);
    // Profile failures name element paths and codes (no patient data): operators need them to fix a mapping.
    else log.warn({ code: e.code, reqId, ...(isResourceValidationError(err) ? { detail: err.message.slice(0, 1000) } : {}) }, `${what} refused`);
    res.status(e.httpStatus).json(errorBody(e));
  };
}
