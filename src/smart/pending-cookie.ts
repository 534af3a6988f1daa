import type { CookieOptions, Request, Response } from 'express';
import type { Config } from '../config/schema.js';
import { SessionCipher } from '../store/session-cipher.js';
import { addPending, PENDING_LAUNCH_TTL_MS, type PendingLaunch } from './launch-steps.js';
import { sessionCookieOptions } from './session.js';

/** The browser's launches between `/launch` and `/smart/callback`, sealed in a short-lived cookie. */
export const PENDING_COOKIE = 'sp_link_gp_launch';

/**
 * Pre-login state (state, PKCE verifier, iss) lives in an AES-256-GCM sealed cookie for the few minutes of the
 * authorization step, not in a session row: a launch that never comes back, or a flood of them, leaves nothing
 * in the store. The session is created on the callback, once the EHR has signed the GP in.
 */
export class PendingLaunchCookie {
  private readonly cipher: SessionCipher;
  private readonly options: CookieOptions;

  constructor(server: Config['server']) {
    this.cipher = new SessionCipher(server.sessionSecret, 'sp-link pending launch v1');
    const { httpOnly, secure, sameSite, partitioned } = sessionCookieOptions(server);
    this.options = { httpOnly, secure: secure === true, sameSite, partitioned, maxAge: PENDING_LAUNCH_TTL_MS, path: '/smart' };
  }

  read(req: Request): PendingLaunch[] {
    const value = cookieValue(req, PENDING_COOKIE);
    if (!value) return [];
    const list = this.cipher.open<PendingLaunch[]>({ v: 1, enc: value });
    return Array.isArray(list) ? list : [];
  }

  /** Adds a launch (the `launch` parameter is not kept: it was used in the authorization request). */
  add(req: Request, res: Response, p: PendingLaunch, now: number): void {
    this.write(res, addPending(this.read(req), { ...p, launch: '' }, now));
  }

  /** Stores the list that remains after a callback used one launch (clears the cookie when none remain). */
  write(res: Response, list: readonly PendingLaunch[]): void {
    if (list.length === 0) {
      const { maxAge: _m, ...rest } = this.options;
      res.clearCookie(PENDING_COOKIE, rest);
      return;
    }
    res.cookie(PENDING_COOKIE, this.cipher.seal(list).enc, this.options);
  }
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
