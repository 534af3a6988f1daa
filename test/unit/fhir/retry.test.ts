import { expect } from 'chai';
import { DEFAULT_RETRY_POLICY, backoffDelay, parseRetryAfter } from '../../../src/fhir/retry.js';

describe('fhir/retry', () => {
  it('parses Retry-After as delay-seconds', () => {
    expect(parseRetryAfter('0')).to.equal(0);
    expect(parseRetryAfter(' 7 ')).to.equal(7000);
  });

  it('parses Retry-After as an HTTP-date relative to now, never negative', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).to.equal(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).to.equal(0);
  });

  it('ignores absent or malformed Retry-After', () => {
    expect(parseRetryAfter(null)).to.equal(undefined);
    expect(parseRetryAfter('')).to.equal(undefined);
    expect(parseRetryAfter('soon')).to.equal(undefined);
    expect(parseRetryAfter('-5')).to.equal(undefined);
  });

  it('full jitter stays within [0, min(maxDelay, base·2^(n−1))]', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, () => 0)).to.equal(0);
    expect(backoffDelay(1, p, () => 0.999999)).to.equal(99);
    expect(backoffDelay(3, p, () => 0.5)).to.equal(200);
    expect(backoffDelay(10, p, () => 0.999999)).to.equal(999);
  });
});
