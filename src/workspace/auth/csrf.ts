import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { wsSession } from './session.js';

/**
 * Synchronizer-token CSRF protection (OWASP): one random token per session, rendered into every form
 * as `_csrf` and compared in constant time on every state-changing request.
 */
export function csrfToken(req: Request): string {
  const s = wsSession(req);
  s.csrf ??= randomBytes(32).toString('base64url');
  return s.csrf;
}

export function csrfValid(req: Request): boolean {
  const expected = req.session.ws?.csrf;
  const body = req.body as Record<string, unknown> | undefined;
  const given = typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
  if (!expected || !given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
