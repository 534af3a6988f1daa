import type { OperationOutcome } from '@medplum/fhirtypes';
import { redactUrl } from '../observability/logger.js';

/** Stable codes for failures talking to a FHIR server. Callers switch on these, never on messages. */
export type FhirErrorCode =
  | 'ERR_FHIR_BAD_REQUEST' // 400, 422: the server rejected the content
  | 'ERR_FHIR_UNAUTHORIZED' // 401 (after one token refresh)
  | 'ERR_FHIR_FORBIDDEN' // 403
  | 'ERR_FHIR_NOT_FOUND' // 404
  | 'ERR_FHIR_GONE' // 410: deleted
  | 'ERR_FHIR_CONFLICT' // 409
  | 'ERR_FHIR_PRECONDITION_FAILED' // 412: If-Match version is stale, or If-None-Exist matched several
  | 'ERR_FHIR_RATE_LIMITED' // 429
  | 'ERR_FHIR_SERVER' // 5xx
  | 'ERR_FHIR_HTTP' // any other non-2xx
  | 'ERR_FHIR_BAD_RESPONSE' // 2xx whose body is not FHIR JSON, or a paging link to another server
  | 'ERR_FHIR_TIMEOUT' // no complete response within the per-request timeout
  | 'ERR_FHIR_NETWORK' // connection refused/reset, DNS failure
  | 'ERR_FHIR_AUTH'; // no access token could be obtained

export abstract class FhirError extends Error {
  abstract readonly code: FhirErrorCode;
  /** Whether repeating the same request later may succeed. */
  abstract readonly transient: boolean;
}

function codeForStatus(status: number): FhirErrorCode {
  if (status === 400 || status === 422) return 'ERR_FHIR_BAD_REQUEST';
  if (status === 401) return 'ERR_FHIR_UNAUTHORIZED';
  if (status === 403) return 'ERR_FHIR_FORBIDDEN';
  if (status === 404) return 'ERR_FHIR_NOT_FOUND';
  if (status === 410) return 'ERR_FHIR_GONE';
  if (status === 409) return 'ERR_FHIR_CONFLICT';
  if (status === 412) return 'ERR_FHIR_PRECONDITION_FAILED';
  if (status === 429) return 'ERR_FHIR_RATE_LIMITED';
  if (status >= 500) return 'ERR_FHIR_SERVER';
  if (status >= 200 && status < 300) return 'ERR_FHIR_BAD_RESPONSE';
  return 'ERR_FHIR_HTTP';
}

/** Diagnostics text of an OperationOutcome: every issue's `diagnostics` or `details.text`, joined. */
export function outcomeText(outcome: OperationOutcome | undefined): string | undefined {
  const parts = (outcome?.issue ?? [])
    .map((i) => i.diagnostics ?? i.details?.text ?? i.code)
    .filter((s): s is string => Boolean(s));
  return parts.length ? parts.join('; ') : undefined;
}

export function asOperationOutcome(body: unknown): OperationOutcome | undefined {
  return body && typeof body === 'object' && (body as { resourceType?: unknown }).resourceType === 'OperationOutcome'
    ? (body as OperationOutcome)
    : undefined;
}

/** A FHIR server answered with a non-success status. The message carries the OperationOutcome's diagnostics. */
export class FhirHttpError extends FhirError {
  override readonly name = 'FhirHttpError';
  readonly code: FhirErrorCode;
  readonly transient: boolean;
  constructor(
    readonly status: number,
    readonly method: string,
    /** Request URL with query values removed (they may carry patient identifiers). */
    readonly url: string,
    readonly outcome?: OperationOutcome,
    /** Server-requested wait before retrying (from Retry-After), in ms. */
    readonly retryAfterMs?: number,
    /** Our own explanation when there is no OperationOutcome (e.g. a non-JSON 2xx body). */
    detail?: string,
  ) {
    const text = outcomeText(outcome) ?? detail;
    super(`${method} ${url} failed with HTTP ${status}${text ? `: ${text}` : ''}`);
    this.code = codeForStatus(status);
    this.transient = status === 408 || status === 429 || status >= 500;
  }
}

/** fetch wraps the useful reason: TypeError('fetch failed', { cause: Error('connect ECONNREFUSED …') }). */
function innermostMessage(err: unknown): string | undefined {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e.cause === 'object' && e.cause !== null) e = e.cause as typeof e;
  return e?.message;
}

/** No HTTP response: timeout, refused or reset connection, DNS failure. */
export class FhirTransportError extends FhirError {
  override readonly name = 'FhirTransportError';
  readonly transient = true;
  constructor(
    readonly code: 'ERR_FHIR_TIMEOUT' | 'ERR_FHIR_NETWORK',
    readonly method: string,
    readonly url: string,
    cause?: unknown,
    /** Node's error code (ECONNREFUSED, ECONNRESET, …) when known. */
    readonly sysCode?: string,
  ) {
    super(
      code === 'ERR_FHIR_TIMEOUT'
        ? `${method} ${url} timed out`
        : `${method} ${url} failed: ${sysCode ?? innermostMessage(cause) ?? 'network error'}`,
      { cause },
    );
  }
  /** The request certainly never reached the server, so even a non-idempotent write may be retried. */
  get notSent(): boolean {
    return this.sysCode === 'ECONNREFUSED' || this.sysCode === 'ENOTFOUND' || this.sysCode === 'EAI_AGAIN';
  }
}

/** An access token could not be obtained (token endpoint or discovery failed, or the key is unusable). */
export class FhirAuthError extends FhirError {
  override readonly name = 'FhirAuthError';
  readonly code = 'ERR_FHIR_AUTH' as const;
  constructor(
    message: string,
    readonly transient: boolean,
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}

export function safeUrl(url: string): string {
  return redactUrl(url) ?? url;
}
