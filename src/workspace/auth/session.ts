import { createHmac, timingSafeEqual } from 'node:crypto';
import session from 'express-session';
import type { RequestHandler, Request } from 'express';
import type { Config } from '../../config/schema.js';
import type { Db } from '../../store/db.js';
import { DbSessionStore } from '../../store/session-store.js';
import { csrfKey } from '../../http/csrf-token.js';
import type { Actor } from '../domain/actor.js';
import { SessionCipher } from '../../store/session-cipher.js';

/** Form work kept across an idle sign-out: restored into the same form after signing in again. */
export interface StashedForm {
  /** Case the form belongs to. */
  caseId: string;
  /** Form key on the case page (`session`, `outcome-swemwbs`, …). */
  form: string;
  values: Record<string, unknown>;
}

/** What the workspace keeps in its session (ids, the user's name, tokens for CSRF; never patient data). */
export interface WorkspaceSession {
  actor?: Actor;
  /** The IdP's ID token, only for `id_token_hint` at sign-out (sessions are encrypted at rest). */
  idToken?: string;
  csrf?: string;
  returnTo?: string;
  stash?: StashedForm;
  flash?: string;
  /** The save just made (case and action), confirmed once on the case page it redirects to. */
  saved?: { caseId: string; action: string };
}

declare module 'express-session' {
  interface SessionData {
    ws?: WorkspaceSession;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the workspace session middleware: the key of CSRF tokens (csrf.ts) and the session id the cookie named. */
    workspaceCsrf?: { key: Buffer; cookieSid: string | undefined };
  }
}


export const SESSION_COOKIE = 'sp_link_ws';
/** How long a session without a signed-in user lives (a sign-in at the IdP, or kept work waiting for one). */
export const PRE_LOGIN_TTL_MS = 15 * 60_000;

export const wsSession = (req: Request): WorkspaceSession => (req.session.ws ??= {});

/**
 * Staff sessions in the Db (DbSessionStore), separate from the GP app's: own cookie, path /workspace.
 * Idle timeout: the cookie has no expiry (ends with the browser) and the stored session expires
 * `sessionIdleMinutes` after the last request (touched on every request). A cookie whose session is
 * gone therefore means "timed out", which lets the sign-in page say so and keep the user's work.
 */
export function workspaceSession(config: Config, db: Db): { middleware: RequestHandler; store: DbSessionStore } {
  const idleMs = config.server.sessionIdleMinutes * 60_000;
  const store = new DbSessionStore(db, {
    defaultTtlMs: idleMs,
    cipher: new SessionCipher(config.server.sessionSecret),
    // A sign-in in progress, or work kept from a timed-out session, until someone signs in.
    preLogin: { is: (s) => !s.ws?.actor, ttlMs: Math.min(idleMs, PRE_LOGIN_TTL_MS), max: config.server.maxPreLoginSessions },
  });
  const secure = config.server.publicUrl.startsWith('https://');
  const sessions = session({
    name: SESSION_COOKIE,
    secret: config.server.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: config.server.trustProxy !== false ? true : undefined,
    // The workspace is a top-level site, never framed, so Lax is right in every cookie mode.
    cookie: { path: '/workspace', httpOnly: true, sameSite: 'lax', secure },
  });
  const key = csrfKey(config.server.sessionSecret, 'workspace csrf v1');
  const middleware: RequestHandler = (req, res, next) => {
    req.workspaceCsrf = { key, cookieSid: signedCookieSid(req, config.server.sessionSecret) };
    sessions(req, res, next);
  };
  return { middleware, store };
}

/** The session id in the request's workspace cookie when its signature (express-session's) is valid, whether or not the session still exists. */
function signedCookieSid(req: Request, secret: string): string | undefined {
  const part = (req.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!part) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(part.slice(SESSION_COOKIE.length + 1));
  } catch {
    return undefined;
  }
  if (!value.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot < 3) return undefined;
  const sid = value.slice(2, dot);
  const expected = Buffer.from(createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, ''));
  const given = Buffer.from(value.slice(dot + 1));
  return expected.length === given.length && timingSafeEqual(expected, given) ? sid : undefined;
}

/** True when the browser sent a workspace session cookie (so a missing session means it timed out). */
export function hadSessionCookie(req: Request): boolean {
  return (req.headers.cookie ?? '').split(';').some((c) => c.trim().startsWith(`${SESSION_COOKIE}=`));
}

export function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}
