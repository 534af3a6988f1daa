import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../domain/actor.js';
import { csrfToken, csrfValid } from '../auth/csrf.js';
import { hadSessionCookie } from '../auth/session.js';
import { errorPage } from '../views/misc-pages.js';
import { FHIR_ID_CHARS } from '../../referral-model/references.js';

export interface Authed {
  actor: Actor;
  csrf: string;
}

/** The signed-in user of this request (set by requireActor). */
export const authed = (res: Response): Authed => res.locals.ws as Authed;

/** Pages sign-in may return to (anything else goes to the caseload: no open redirect). */
export const SAFE_RETURN = new RegExp(`^/workspace/(caseload|capacity|cases/${FHIR_ID_CHARS}|identity-reviews|identity-reviews/[A-Za-z0-9-]{1,64}|referrals|referrals/${FHIR_ID_CHARS}|reports|reports/[a-z][a-z-]*|directory/to-check|directory/workload|directory/services/${FHIR_ID_CHARS}|our-services)(\\?[^#]*)?$`);

export const safeReturn = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 512 && SAFE_RETURN.test(v) ? v : undefined);

/**
 * Every page but sign-in needs a user. A GET without one goes to sign-in (and back here after: the page travels in
 * the sign-in link, so an anonymous request stores nothing); a POST without one is stashed by the action route
 * before this runs, so the work is kept.
 */
export function requireActor(req: Request, res: Response, next: NextFunction): void {
  const actor = req.session.ws?.actor;
  if (!actor) {
    const query = new URLSearchParams();
    if (hadSessionCookie(req)) query.set('reason', 'expired');
    const back = req.method === 'GET' ? safeReturn(req.originalUrl) : undefined;
    if (back) query.set('returnTo', back);
    res.redirect(303, `/workspace/sign-in${query.size ? `?${query}` : ''}`);
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

/**
 * Least privilege between the two kinds of user: cases (caseload, capacity, case pages) are for link workers and
 * managers; the portal (`/referrals`) for community groups' staff (`provider`). A signed-in user on the other side is
 * sent to their own home page when reading, refused when writing. Without a user, requireActor decides.
 */
export function onlyFor(allowed: (a: Actor) => boolean, home: (a: Actor) => string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const actor = req.session.ws?.actor;
    if (!actor || allowed(actor)) return next();
    if (req.method === 'GET') return void res.redirect(303, home(actor));
    res.status(403).type('html').send(errorPage({ actor, csrfToken: req.session.ws?.csrf, status: 403, title: 'You cannot do this', message: 'Your account cannot change this. Nothing was saved.' }));
  };
}

export function forbidden(res: Response, message: string): void {
  const a = res.locals.ws as Authed | undefined;
  res.status(403).type('html').send(errorPage({ actor: a?.actor, csrfToken: a?.csrf, status: 403, title: 'You cannot do this', message }));
}
