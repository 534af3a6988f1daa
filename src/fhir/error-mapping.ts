import { FhirError, FhirHttpError, FhirTransportError, asOperationOutcome } from './errors.js';
import { parseRetryAfter } from './retry.js';

interface FkcHttpError {
  response: { status: number; data: unknown };
  config?: { headers?: Headers };
}

function isFkcHttpError(e: unknown): e is FkcHttpError {
  const r = (e as { response?: { status?: unknown } } | null)?.response;
  return typeof r?.status === 'number';
}

/**
 * Turns what fhir-kit-client/fetch threw into our typed errors. fhir-kit-client throws
 * `{ response: { status, data }, config: { headers } }` for non-2xx (and for 2xx bodies that are not JSON);
 * fetch throws TimeoutError on our timeout signal and TypeError('fetch failed', { cause }) on network errors.
 * Anything else (programming errors) is returned unchanged.
 */
export function toFhirError(raw: unknown, method: string, url: string): unknown {
  if (raw instanceof FhirError) return raw;
  if (isFkcHttpError(raw)) {
    const { status, data } = raw.response;
    const headers = raw.config?.headers;
    const retryAfter = headers && typeof headers.get === 'function' ? parseRetryAfter(headers.get('retry-after')) : undefined;
    const detail = status < 300 ? 'response body is not JSON' : undefined;
    return new FhirHttpError(status, method, url, asOperationOutcome(data), retryAfter, detail);
  }
  const e = raw as (Error & { code?: unknown; cause?: { code?: string; name?: string } }) | undefined;
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return new FhirTransportError('ERR_FHIR_TIMEOUT', method, url, raw);
  if (e instanceof TypeError && e.cause) {
    return new FhirTransportError('ERR_FHIR_NETWORK', method, url, raw, e.cause.code);
  }
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    return new FhirTransportError('ERR_FHIR_NETWORK', method, url, raw, e.code);
  }
  return raw;
}
