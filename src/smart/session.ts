import session from 'express-session';
import type { RequestHandler } from 'express';
import type { Config } from '../config/schema.js';
import { DbSessionStore } from '../store/session-store.js';
import type { Db } from '../store/db.js';
import { SessionCipher } from '../store/session-cipher.js';

declare module 'express-session' {
  interface SessionData {
    /**
     * Handles of this browser's open launches (one per EHR window), newest last. The launch context, the GP's
     * tokens and each window's CSRF token live in `gp_launches` (launch-store.ts), never in the browser.
     */
    smartLaunches?: string[];
  }
}

/** The GP app's session cookie; distinct from the workspace's so the two apps never share a session. */
export const GP_SESSION_COOKIE = 'sp_link_gp';

/**
 * Cookie attributes per `server.cookieMode` (docs/SMART.md "Cookies and iframes"):
 * - embedded-cross-site: the EHR frames SP Link from another site, so the cookie must be
 *   `SameSite=None; Secure` and, as browsers phase out third-party cookies, `Partitioned` (CHIPS).
 * - same-site: EHR and SP Link share a site (the sandbox): `SameSite=Lax`, Secure whenever publicUrl is https.
 * Either way HttpOnly, and `rolling` so the idle timeout restarts on every request.
 */
export function sessionCookieOptions(server: Pick<Config['server'], 'cookieMode' | 'publicUrl' | 'sessionIdleMinutes'>): session.CookieOptions {
  const idleMs = server.sessionIdleMinutes * 60 * 1000;
  if (server.cookieMode === 'embedded-cross-site') {
    return { httpOnly: true, secure: true, sameSite: 'none', partitioned: true, path: '/', maxAge: idleMs };
  }
  return { httpOnly: true, secure: server.publicUrl.startsWith('https://'), sameSite: 'lax', path: '/', maxAge: idleMs };
}

export function gpSessionMiddleware(config: Config, db: Db): { middleware: RequestHandler; store: DbSessionStore } {
  const store = new DbSessionStore(db, { cipher: new SessionCipher(config.server.sessionSecret) });
  const middleware = session({
    name: GP_SESSION_COOKIE,
    secret: config.server.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // Secure cookies behind a TLS-terminating proxy need `trust proxy`; express-session follows the app setting.
    proxy: config.server.trustProxy === false ? undefined : true,
    cookie: sessionCookieOptions(config.server),
  });
  return { middleware, store };
}
