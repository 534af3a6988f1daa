import { SpLinkError } from '../errors.js';
import { FhirHttpError, outcomeText, type FhirError } from './errors.js';

/**
 * Translates a failure talking to a FHIR server into our API's error currency, for handlers that call
 * FHIR on a user's behalf (the GP app's BFF, the workspace). Upstream failures are 502/504: the
 * user's request was fine; the FHIR server was not. The FHIR code and diagnostics go in `details`.
 */
export function fhirErrorToApiError(err: FhirError): SpLinkError {
  const details = {
    fhirCode: err.code,
    ...(err instanceof FhirHttpError ? { status: err.status, diagnostics: outcomeText(err.outcome) } : {}),
  };
  switch (err.code) {
    case 'ERR_FHIR_TIMEOUT':
      return new SpLinkError('ERR_FHIR_UNREACHABLE', 'The FHIR server did not answer in time.', 504, details);
    case 'ERR_FHIR_NETWORK':
      return new SpLinkError('ERR_FHIR_UNREACHABLE', 'The FHIR server could not be reached.', 502, details);
    case 'ERR_FHIR_AUTH':
      return new SpLinkError('ERR_FHIR_UNREACHABLE', 'SP Link could not obtain access to the FHIR server.', 502, details);
    case 'ERR_FHIR_PRECONDITION_FAILED':
      return new SpLinkError('ERR_TASK_VERSION_CONFLICT', 'Someone else changed this record since it was read; reload and try again.', 409, details);
    case 'ERR_FHIR_NOT_FOUND':
    case 'ERR_FHIR_GONE':
      return new SpLinkError('ERR_NOT_FOUND', 'The FHIR resource does not exist.', 404, details);
    case 'ERR_FHIR_BAD_REQUEST':
    case 'ERR_FHIR_UNAUTHORIZED':
    case 'ERR_FHIR_FORBIDDEN':
    case 'ERR_FHIR_CONFLICT':
    case 'ERR_FHIR_RATE_LIMITED':
    case 'ERR_FHIR_SERVER':
    case 'ERR_FHIR_HTTP':
    case 'ERR_FHIR_BAD_RESPONSE':
      return new SpLinkError('ERR_FHIR_REQUEST_FAILED', err.message, 502, details);
    default:
      return err.code satisfies never;
  }
}
