import type { Request } from 'express';
import { csrfTokenFor as tokenFor, sameToken as equal } from '../../http/csrf-token.js';
import { wsSession } from './session.js';

const givenToken = (req: Request): unknown => {
  const body = req.body as Record<string, unknown> | undefined;
  return typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
};

/**
 * Synchronizer-token CSRF protection (OWASP): one token per session, rendered into every form as `_csrf` and
 * compared in constant time on every state-changing request. The token is an HMAC of the session id, so a form
 * can still be recognised as this browser's own after its session has timed out (issuedToCookieSession).
 */
export function csrfToken(req: Request): string {
  const s = wsSession(req);
  const key = req.workspaceCsrf?.key;
  if (!key) throw new Error('workspace CSRF needs the workspace session middleware');
  s.csrf ??= tokenFor(key, req.sessionID);
  return s.csrf;
}

export function csrfValid(req: Request): boolean {
  return equal(req.session.ws?.csrf, givenToken(req));
}

/**
 * True when the posted token is the one SP Link issued to the session the request's (signed) cookie names, even if
 * that session has since ended: the form was filled in on a page SP Link served to this browser in that session.
 */
export function issuedToCookieSession(req: Request): boolean {
  const c = req.workspaceCsrf;
  return Boolean(c?.cookieSid) && equal(tokenFor(c!.key, c!.cookieSid!), givenToken(req));
}
