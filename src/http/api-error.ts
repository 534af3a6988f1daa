import { getStatus, OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { codeForClientStatus, errorBody, isSpLinkError, SpLinkError, type ErrorCode } from '../errors.js';
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
  const bodyError = (err as { type?: unknown; status?: unknown; expose?: unknown } | null) ?? {};
  if (bodyError.type === 'entity.parse.failed') return new SpLinkError('ERR_MALFORMED_REQUEST', { message: 'The request was not valid JSON.', cause: err });
  // Other client errors raised by body parsers and express (http-errors: a 4xx status, too large, unknown charset…):
  // the status picks the code; their own message (which may name internals) is never sent.
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500 && bodyError.expose !== false) {
    return new SpLinkError(codeForClientStatus(bodyError.status), { cause: err });
  }
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
 * How each failure is logged: a server-side failure as an error with its cause (and stack); a client's mistake as a
 * warning with the code only, as it is the client's to fix and a stack would only bury real failures.
 */
export function logApiError(log: Logger, err: unknown, e: SpLinkError, what: string, reqId?: unknown): void {
  if (e.httpStatus >= 500) log.error({ err, code: e.code, reqId }, `${what} failed`);
  // Profile failures name element paths and codes (no patient data): operators need them to fix a mapping.
  else log.warn({ code: e.code, reqId, ...(isResourceValidationError(err) ? { detail: err.message.slice(0, 1000) } : {}) }, `${what} refused`);
}

/** FHIR issue type of our codes a FHIR-facing surface answers with (others: `invalid`, or `exception` for a 5xx). */
const ISSUE_TYPE: Partial<Record<ErrorCode, OperationOutcomeIssue['code']>> = {
  ERR_PAYLOAD_TOO_LARGE: 'too-costly',
  ERR_JSON_TOO_DEEP: 'structure',
  ERR_MALFORMED_REQUEST: 'structure',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'not-supported',
  ERR_UNAUTHENTICATED: 'login',
  ERR_FORBIDDEN: 'forbidden',
  ERR_NOT_FOUND: 'not-found',
  ERR_RATE_LIMITED: 'throttled',
};

/**
 * The status and OperationOutcome of a failure on a FHIR-facing surface (the sandbox FHIR servers, the webhook). An
 * OperationOutcomeError keeps its outcome, except that a server-side one loses its diagnostics (an internal
 * message); anything else is mapped through `toApiError`, with the code as the issue's diagnostics.
 */
export function outcomeForError(err: unknown): { status: number; outcome: OperationOutcome; apiError?: SpLinkError } {
  if (err instanceof OperationOutcomeError) {
    const status = getStatus(err.outcome);
    return { status, outcome: status >= 500 ? serverOutcome() : err.outcome };
  }
  const e = toApiError(err);
  if (e.httpStatus >= 500) return { status: e.httpStatus, outcome: serverOutcome(), apiError: e };
  const code = ISSUE_TYPE[e.code] ?? 'invalid';
  return { status: e.httpStatus, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text: e.message }, diagnostics: e.code }] }, apiError: e };
}

const serverOutcome = (): OperationOutcome => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: 'Internal server error' } }] });

/** Express error handler of a FHIR-facing surface: answers an OperationOutcome (application/fhir+json). */
export function fhirErrorHandler(log: Logger | undefined, what: string): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const { status, outcome, apiError } = outcomeForError(err);
    // A FHIR server's own refusal (an OperationOutcomeError below 500) is its answer, not a failure to log.
    if (log && (apiError || status >= 500)) logApiError(log, err, apiError ?? new SpLinkError('ERR_INTERNAL', { cause: err }), what, (req as { id?: unknown }).id);
    const body = Buffer.from(JSON.stringify(outcome));
    res.status(status).set('Content-Type', 'application/fhir+json; charset=utf-8').set('Content-Length', String(body.length)).end(body);
  };
}

/**
 * Express error handler of a JSON API: answers `{ error: { code, message, fields? } }` with the code's status.
 * Server-side failures are logged as errors with their cause; refusals as warnings with the code only.
 */
export function apiErrorHandler(log: Logger, what: string): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = toApiError(err);
    logApiError(log, err, e, what, (req as { id?: unknown }).id);
    res.status(e.httpStatus).json(errorBody(e));
  };
}
