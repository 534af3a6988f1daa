/**
 * Time budget for one logical FHIR call. Defaults: 15 s per attempt, 4 attempts, backoff from 250 ms
 * doubling up to 8 s (full jitter), so a call gives up after at most ~4 × 15 s + 3 × 8 s in the worst case.
 */
export interface RetryPolicy {
  /** Per-attempt timeout (ms), covering connect, headers and body. */
  timeoutMs: number;
  /** Attempts including the first. 1 disables retries. */
  maxAttempts: number;
  /** First backoff cap (ms); doubles per attempt. */
  baseDelayMs: number;
  /** Longest wait between attempts (ms). A Retry-After asking for longer ends the retries instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  timeoutMs: 15_000,
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
});

/** "Full jitter" (AWS architecture blog): uniform in [0, min(maxDelay, base · 2^(attempt−1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns ms, or undefined when absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[A-Za-z]/.test(v)) return undefined; // an HTTP-date always names a month; "-5" is not one
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
