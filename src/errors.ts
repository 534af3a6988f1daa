/**
 * SP Link's stable error codes: one registry, so callers, operators and tests can switch on them.
 * Add codes here (never rename one that has shipped); docs/ARCHITECTURE.md lists what each means.
 */
export const ERROR_CODES = {
  ERR_CONFIG_INVALID: 'Configuration failed validation.',
  ERR_VALIDATION: 'Request body or parameters failed validation; see details for each field.',
  ERR_NOT_FOUND: 'No such resource or route.',
  ERR_UNAUTHENTICATED: 'No valid session or credentials.',
  ERR_FORBIDDEN: 'Authenticated but not allowed to do this.',
  ERR_CSRF: 'Missing or invalid CSRF token.',
  ERR_PATIENT_MISMATCH: 'The patient in the request is not the patient of the launch.',
  ERR_SMART_ISS_NOT_ALLOWED: 'The launch names an iss that is not on the allowlist.',
  ERR_SMART_STATE_MISMATCH: 'The authorization response does not match the launch state.',
  ERR_SMART_LAUNCH_FAILED: 'The SMART launch could not be completed.',
  ERR_SMART_ACCESS_DENIED: 'The user or EHR denied access.',
  ERR_SESSION_EXPIRED: 'The session has expired.',
  ERR_TASK_VERSION_CONFLICT: 'Someone else changed this Task since it was read.',
  ERR_FHIR_REQUEST_FAILED: 'A FHIR server answered with an error.',
  ERR_FHIR_UNREACHABLE: 'A FHIR server could not be reached.',
  ERR_FHIR_INVALID_RESOURCE: 'A FHIR resource does not conform to its profile.',
  ERR_RECONCILE_BAD_INPUT: 'A Task or related resource cannot be reconciled as it stands.',
  ERR_DEAD_LETTER_NOT_FOUND: 'No such dead letter.',
  ERR_RATE_LIMITED: 'Too many requests.',
  ERR_INTERNAL: 'Unexpected error.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  path: string;
  message: string;
}

/** One error class for our own API edge; `src/http/errors.ts` turns it into `{ error: { code, message, fields? } }`. */
export class SpLinkError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
    readonly httpStatus = 500,
    readonly details?: { fields?: FieldError[]; [k: string]: unknown },
  ) {
    super(message);
    this.name = 'SpLinkError';
  }
}

export const isSpLinkError = (e: unknown): e is SpLinkError => e instanceof SpLinkError;
