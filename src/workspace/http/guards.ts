import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../domain/actor.js';
import { csrfToken, csrfValid } from '../auth/csrf.js';
import { hadSessionCookie, wsSession } from '../auth/session.js';
import { errorPage } from '../views/misc-pages.js';

export interface Authed {
  actor: Actor;
  csrf: string;
}

/** The signed-in user of this request (set by requireActor). */
export const authed = (res: Response): Authed => res.locals.ws as Authed;

/**
 * Every page but sign-in needs a user. A GET without one goes to sign-in (and back here after); a
 * POST without one is stashed by the action route before this runs, so the work is kept.
 */
export function requireActor(req: Request, res: Response, next: NextFunction): void {
  const actor = req.session.ws?.actor;
  if (!actor) {
    const expired = hadSessionCookie(req);
    if (req.method === 'GET') wsSession(req).returnTo = req.originalUrl;
    res.redirect(303, `/workspace/sign-in${expired ? '?reason=expired' : ''}`);
    return;
  }
  res.locals.ws = { actor, csrf: csrfToken(req) } satisfies Authed;
  next();
}

/** CSRF on every state change (403 when the token is missing or wrong). */
export function requireCsrf(req: Request, res: Response, next: NextFunction): void {
  if (csrfValid(req)) return next();
  const a = res.locals.ws as Authed | undefined;
  res.status(403).type('html').send(errorPage({
    actor: a?.actor, csrfToken: a?.csrf, status: 403, title: 'This form has expired',
    message: 'The form could not be checked as coming from this page (missing or invalid security token). Nothing was saved. Go back, reload the page and try again.',
  }));
}

export function forbidden(res: Response, message: string): void {
  const a = res.locals.ws as Authed | undefined;
  res.status(403).type('html').send(errorPage({ actor: a?.actor, csrfToken: a?.csrf, status: 403, title: 'You cannot do this', message }));
}
