/**
 * SP Link's error registry: every stable `ERR_*` code of our own API, bound once to its HTTP status, its default
 * message (what a user reads when the throw site has nothing more specific to say) and its meaning (the row of the
 * error table in docs/ARCHITECTURE.md, checked by test/unit/errors.test.ts). Throw sites name the code, never a
 * status. Add codes here (never rename one that has shipped) and add the row to the docs table.
 *
 * FHIR-facing code speaks OperationOutcome and has its own codes (`FhirErrorCode` in src/fhir/errors.ts);
 * src/http/api-error.ts is the one place that turns those into these.
 */
export const ERRORS = {
  ERR_CONFIG_INVALID: {
    status: 500,
    message: 'SP Link is not configured correctly. Tell IT support.',
    meaning: 'Configuration failed validation (the CLI exits with code 78), or cannot work as deployed (e.g. an https `publicUrl` reached over plain http).',
  },
  ERR_VALIDATION: { status: 422, message: 'Check the highlighted answers.', meaning: 'Request body or parameters failed validation; `fields` lists each field.' },
  ERR_MALFORMED_REQUEST: { status: 400, message: 'The request could not be read.', meaning: 'The request body is not well-formed (e.g. not valid JSON).' },
  ERR_JSON_TOO_DEEP: {
    status: 400,
    message: 'The request nests too deeply to be read.',
    meaning: 'A JSON body nests objects or arrays deeper than 64 levels (no real resource or form does); refused before anything reads it.',
  },
  ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request is too large.', meaning: 'The request body is over the size limit of the address it was sent to.' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request is in a format SP Link does not read.', meaning: 'The request body’s content type, character set or encoding is not one this address reads.' },
  ERR_NOT_FOUND: { status: 404, message: 'No such resource or route.', meaning: 'No such resource or route.' },
  ERR_UNAUTHENTICATED: { status: 401, message: 'No valid session or credentials.', meaning: 'No valid session or credentials.' },
  ERR_FORBIDDEN: { status: 403, message: 'You are not allowed to do this.', meaning: 'Authenticated but not allowed.' },
  ERR_CSRF: { status: 403, message: 'The request was missing its security token. Reload SP Link and try again.', meaning: 'Missing or invalid CSRF token.' },
  ERR_PATIENT_MISMATCH: { status: 403, message: 'This is about a different patient.', meaning: 'The patient in the request is not the launch patient.' },
  ERR_SMART_ISS_NOT_ALLOWED: { status: 400, message: 'This clinical system is not registered with SP Link.', meaning: 'The launch names an `iss` that is not on the allowlist.' },
  ERR_SMART_STATE_MISMATCH: { status: 400, message: 'The sign-in response does not belong to this launch.', meaning: 'The authorization response does not match the launch state.' },
  ERR_SMART_LAUNCH_FAILED: { status: 400, message: 'The launch could not be completed.', meaning: 'The launch request or the authorization response is incomplete or fails SP Link’s checks.' },
  ERR_SMART_AUTHORIZATION_SERVER: {
    status: 502,
    message: 'The clinical system refused the sign-in.',
    meaning: 'The EHR’s authorization server refused the sign-in, or lacks something SP Link requires (e.g. PKCE S256).',
  },
  ERR_SMART_ACCESS_DENIED: { status: 403, message: 'Access to the record was not granted.', meaning: 'The user or EHR denied access.' },
  ERR_SMART_INVALID_CLIENT: {
    status: 502,
    message: 'The clinical system did not recognise SP Link’s registration.',
    meaning: 'The EHR’s authorization server refused SP Link’s client id, credentials or authentication method (`invalid_client`, `unauthorized_client`).',
  },
  ERR_SMART_REDIRECT_URI: {
    status: 502,
    message: 'The clinical system does not accept SP Link’s sign-in address.',
    meaning: 'The EHR’s authorization server does not accept SP Link’s redirect URI (`{publicUrl}/smart/callback`).',
  },
  ERR_SMART_INVALID_SCOPE: {
    status: 502,
    message: 'The clinical system refused the access SP Link asks for.',
    meaning: 'The EHR’s authorization server refused the scopes SP Link asked for (`invalid_scope`).',
  },
  ERR_SMART_NO_USER: {
    status: 403,
    message: 'SP Link could not tell who you are.',
    meaning: 'The launch did not say who the user is (no `fhirUser`) and no fallback requester is configured.',
  },
  ERR_SESSION_EXPIRED: { status: 401, message: 'Your SP Link session has ended. Open SP Link again from the patient record.', meaning: 'The session, launch or sign-in link has expired or was already used.' },
  ERR_TASK_VERSION_CONFLICT: { status: 409, message: 'Someone else changed this record since it was read; reload and try again.', meaning: 'Someone else changed the Task (or record) since it was read.' },
  ERR_FHIR_REQUEST_FAILED: { status: 502, message: 'A FHIR server answered with an error.', meaning: 'A FHIR server answered with an error.' },
  ERR_FHIR_UNREACHABLE: { status: 502, message: 'A FHIR server could not be reached.', meaning: 'A FHIR server could not be reached or did not answer in time.' },
  ERR_FHIR_INVALID_RESOURCE: { status: 422, message: 'A FHIR resource does not conform to its profile.', meaning: 'A resource does not conform to its SP Link profile.' },
  ERR_RECONCILE_BAD_INPUT: { status: 422, message: 'A Task or related resource cannot be reconciled as it stands.', meaning: 'A Task or related resource cannot be reconciled as it stands (dead-lettered).' },
  ERR_DEAD_LETTER_NOT_FOUND: { status: 404, message: 'No such dead letter.', meaning: 'No such dead letter.' },
  ERR_DEAD_LETTER_NOT_OPEN: { status: 409, message: 'The dead letter is not open.', meaning: 'The dead letter is resolved already, or being replayed elsewhere.' },
  ERR_GP_DEMAND_NOT_FAILED: { status: 404, message: 'No referral the GP demand sweep gave up on has that key.', meaning: 'No referral the GP demand sweep gave up on has that key (it was counted, requeued already, or is still being retried).' },
  ERR_CDS_DATA_UNAVAILABLE: {
    status: 412,
    message: 'The decision-support request neither carries the record data SP Link needs nor lets SP Link read it.',
    meaning: 'A CDS Hooks request lacks prefetch data SP Link needs and gives no usable `fhirServer` and `fhirAuthorization` to read it.',
  },
  ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; try again shortly.', meaning: 'Too many requests.' },
  ERR_UNAVAILABLE: { status: 503, message: 'SP Link is starting; try again shortly.', meaning: 'SP Link is starting and cannot serve yet.' },
  ERR_INTERNAL: { status: 500, message: 'Something went wrong in SP Link; please try again.', meaning: 'Unexpected error.' },
} as const satisfies Record<`ERR_${string}`, { status: number; message: string; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * The exit status of every `sp-link` command, documented in docs/OPERATIONS.md ("Exit codes"). 75 and 78 are the
 * sysexits.h codes cron wrappers and service managers know: try again later, and fix the configuration.
 */
export const EXIT = {
  ok: 0,
  /** The command ran and something failed (an endpoint stopped on a failure, a doctor check FAILed). */
  failed: 1,
  /** The command line is wrong; the usage is printed. */
  usage: 2,
  /** EX_UNAVAILABLE: the running instance the command needs cannot be reached. */
  unavailable: 69,
  /** EX_TEMPFAIL: nothing wrong, but another instance is doing the work now (it holds the endpoint lease). */
  tempFail: 75,
  /** EX_NOPERM: the running instance refused the command's credentials (the admin token). */
  noPermission: 77,
  /** EX_CONFIG: the configuration is invalid. */
  config: 78,
} as const;

/**
 * A failure of an `sp-link` command that the person running it can fix: printed as one line, what happened and what
 * to do, and the command exits with `exitCode`. Anything else is a fault of SP Link's (one line too; the stack with
 * SP_LINK_DEBUG=1).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly fix: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/**
 * The code for a client error known only by its HTTP status (a body parser's 413, a 415 for an unknown charset):
 * the one generic code of each 4xx status SP Link answers. Any other 4xx is a request SP Link could not read.
 */
const CODE_FOR_CLIENT_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'ERR_MALFORMED_REQUEST',
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_NOT_FOUND',
  413: 'ERR_PAYLOAD_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  422: 'ERR_VALIDATION',
  429: 'ERR_RATE_LIMITED',
};

export function codeForClientStatus(status: number): ErrorCode {
  return CODE_FOR_CLIENT_STATUS[status] ?? 'ERR_MALFORMED_REQUEST';
}

export interface FieldError {
  path: string;
  message: string;
}

export interface SpLinkErrorOptions {
  /** What the user should read, when the situation says more than the code's default message. */
  message?: string;
  /** Per-field problems (ERR_VALIDATION). */
  fields?: FieldError[];
  /** Extra facts for logs (never sent to the client). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** One error class for our own API edge: the code decides the HTTP status. */
export class SpLinkError extends Error {
  override readonly name = 'SpLinkError';
  readonly httpStatus: number;
  readonly fields?: FieldError[];
  readonly details?: Record<string, unknown>;
  constructor(
    readonly code: ErrorCode,
    opts: SpLinkErrorOptions = {},
  ) {
    super(opts.message ?? ERRORS[code].message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.httpStatus = ERRORS[code].status;
    if (opts.fields) this.fields = opts.fields;
    if (opts.details) this.details = opts.details;
  }
}

export const isSpLinkError = (e: unknown): e is SpLinkError => e instanceof SpLinkError;

/** The body of every error answer of our own API. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldError[] };
}

export function errorBody(e: SpLinkError): ErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
}
