import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer-token CSRF protection (OWASP), shared by every signed-in area: the token of a session is an HMAC of
 * its id under a key derived from the session secret (HKDF, one `purpose` per area, so it is never the
 * cookie-signing key itself), rendered into each form and compared in constant time on every post.
 */
export const csrfKey = (secret: string, purpose: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'sp-link', purpose, 32));

export const csrfTokenFor = (key: Buffer, sid: string): string => createHmac('sha256', key).update(sid).digest('base64url');

/** Constant-time comparison of the token expected with the one posted (anything but a string is refused). */
export function sameToken(expected: string | undefined, given: unknown): boolean {
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
