import { randomBytes } from 'node:crypto';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { FieldError } from '../errors.js';
import { BODY_LIMITS, formBody } from '../http/body-limits.js';
import { toApiError } from '../http/api-error.js';
import { html } from '../http/html.js';
import { sameOriginWrites } from '../http/security.js';
import { londonDate } from '../time/london.js';
import type { AgencyReferral } from './agency-referral.js';
import { CHECK, checkFormStep, type Answers, type FormSteps } from './form-input.js';
import type { SelfReferral } from './self-referral-input.js';
import { submitSelfReferral, type IntakeDeps, type SubmitOptions } from './submit.js';
import { publicPage } from './views/layout.js';

/**
 * The step engine of the public referral forms (the self-referral form and the agency form): each step posted,
 * checked, and answered with the next step (or the same one with its errors); "Check your answers"; sending, which
 * checks every step again and sends once per submission id. The abuse protection is the same for every form: posts
 * from another site and a filled-in honeypot are refused, the body is capped, and a refused post writes nothing.
 */

/** Every field a referral form may post: its answers, the submission id, navigation, the honeypot. */
const MAX_FIELDS = 80;
const SUBMISSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * Every page gets `who`: who is filling the form in, when the form knows (a signed-in agency user; undefined for
 * anyone else), so it can show their details and carry their session's CSRF token.
 */
export interface ReferralFormPages<S extends string, R, C = undefined> {
  start(who?: C): string;
  step(step: S, a: Answers, errors?: FieldError[], who?: C): string;
  check(a: Answers, errors?: FieldError[], who?: C): string;
  confirmation(referral: R, reference: string, who?: C): string;
  /** Too many referrals for these contact details today. */
  limited(): string;
  /** Not sent (a refused post, or the service failed); nothing was kept. */
  notSent(): string;
}

export interface ReferralFormDefinition<S extends string, R extends SelfReferral | AgencyReferral, C = undefined> {
  /** Where the form lives: `/refer`, `/refer/agency`. */
  base: string;
  form: FormSteps<S>;
  pages: ReferralFormPages<S, R, C>;
  /** An answer that ends the form at this step, with the page that says why and what to do instead. */
  stop?: (step: S, a: Answers, who?: C) => string | undefined;
  /** The checked answers as the referral to send. */
  toReferral(a: Answers, today: string, who?: C): R | undefined;
  /** The person's contact details the per-contact limit counts. */
  contactKeys(a: Answers): string[];
  /**
   * Who is filling the form in, when the form can know (a signed-in user); their posts must then pass `postAllowed`
   * (the session's CSRF token), the answers `fixed` gives override whatever was posted, and `initial` pre-fills the
   * first step.
   */
  signedIn?: {
    who(req: Request): C | undefined;
    postAllowed(req: Request, who: C): boolean;
    fixed(who: C): Answers;
    initial(who: C): Answers;
    /** Sent in the name of: the audit trail's actor and details. */
    sender(who: C): SubmitOptions['sender'];
  };
}

export const sendPage = (res: Response, status: number, page: string) => res.status(status).set('cache-control', 'no-store').type('html').send(page);

export function referralFormRoutes<S extends string, R extends SelfReferral | AgencyReferral, C = undefined>(def: ReferralFormDefinition<S, R, C>, deps: IntakeDeps & { publicUrl: string; logger: Logger }): Router {
  const router = Router();
  const { base, form, pages } = def;
  const first = form.steps[0]!;
  const isStep = (s: string): s is S => (form.steps as readonly string[]).includes(s);
  const restart = (res: Response) =>
    sendPage(res, 400, publicPage({ title: 'Start again', body: html`<h1 class="nhsuk-heading-l">Sorry, you need to start again</h1>
<p>We could not read the answers. Nothing has been saved.</p><p><a href="${base}/${first}">Start again</a></p>` }));

  const whoOf = (req: Request) => def.signedIn?.who(req);
  router.get(base, (req, res) => sendPage(res, 200, pages.start(whoOf(req))));
  router.get(`${base}/${first}`, (req, res) => {
    const who = whoOf(req);
    const a: Answers = who === undefined ? {} : { ...def.signedIn!.initial(who), ...def.signedIn!.fixed(who) };
    sendPage(res, 200, pages.step(first, { ...a, submissionId: randomBytes(16).toString('base64url') }, [], who));
  });
  // Any other step reached by address (a bookmark, the back button after sending) starts again: answers travel
  // only inside the form.
  router.get(`${base}/:step`, (req, res, next) => (isStep(req.params.step!) || req.params.step === CHECK ? res.redirect(303, `${base}/${first}`) : next()));

  router.post(`${base}/:step`, sameOriginWrites(deps.publicUrl, (_req, res) => restart(res)), formBody(BODY_LIMITS.publicForm, MAX_FIELDS), async (req: Request, res: Response, next) => {
    const step = String(req.params.step);
    if (!isStep(step) && step !== CHECK) return next();
    const who = whoOf(req);
    // Signed in, a post must carry the session's token: a page of another site cannot send in this user's name.
    if (who !== undefined && !def.signedIn!.postAllowed(req, who)) {
      deps.logger.warn({ form: base, step }, 'referral form refused: no valid CSRF token for the signed-in user');
      return sendPage(res, 403, pages.notSent());
    }
    const a = { ...(req.body ?? {}), ...(who === undefined ? {} : def.signedIn!.fixed(who)) } as Answers;
    // The honeypot: people never see this field, so a form that fills it in is from a program. Nothing is kept.
    if (typeof a.website !== 'string' || a.website !== '') {
      deps.logger.info({ form: base, step }, 'referral form refused: honeypot filled in');
      return sendPage(res, 400, pages.notSent());
    }
    if (typeof a.submissionId !== 'string' || !SUBMISSION_ID.test(a.submissionId)) return restart(res);
    const today = londonDate(new Date());
    const goto = typeof a.goto === 'string' ? a.goto : undefined;
    // "Change" on "Check your answers" goes back to a step and then straight back; from elsewhere (the page that
    // stopped the form) it goes back to the step and on from there.
    if (goto && isStep(goto)) return sendPage(res, 200, pages.step(goto, step === CHECK ? { ...a, returnTo: CHECK } : a, [], who));

    if (isStep(step)) {
      const stopped = def.stop?.(step, a, who);
      if (stopped) return sendPage(res, 200, stopped);
      const errors = checkFormStep(form, step, a, today);
      if (errors.length) return sendPage(res, 422, pages.step(step, a, errors, who));
      const next = a.returnTo === CHECK ? CHECK : (form.steps[form.steps.indexOf(step) + 1] ?? CHECK);
      return sendPage(res, 200, next === CHECK ? pages.check(a, [], who) : pages.step(next, a, [], who));
    }
    // Sending: every step is checked again; the first with a problem is shown.
    for (const s of form.steps) {
      const errors = checkFormStep(form, s, a, today);
      if (errors.length) return sendPage(res, 422, pages.step(s, { ...a, returnTo: CHECK }, errors, who));
    }
    const referral = def.toReferral(a, today, who)!;
    const sender = who === undefined ? undefined : def.signedIn!.sender(who);
    try {
      const result = await submitSelfReferral(deps, referral, { submissionId: a.submissionId, contactKeys: def.contactKeys(a), ...(sender ? { sender } : {}) });
      if (result.kind === 'limited') return sendPage(res, 429, pages.limited());
      return sendPage(res, 200, pages.confirmation(referral, result.referralId, who));
    } catch (err) {
      deps.logger.error({ err: toApiError(err).code, form: base }, 'referral could not be sent');
      return sendPage(res, 503, pages.notSent());
    }
  });
  return router;
}

/** A referral form's body that could not be read: too big, or broken. Nothing was kept. */
export function referralFormErrors(logger: Logger, notSent: () => string): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (!req.path.startsWith('/refer')) return next(err);
    const e = toApiError(err);
    if (e.code === 'ERR_PAYLOAD_TOO_LARGE') {
      return sendPage(res, 413, publicPage({ title: 'Too much text', body: html`<h1 class="nhsuk-heading-l">The answers are too long</h1>
<p>Please go back and make the answers shorter. Nothing has been saved.</p>` }));
    }
    logger.error({ err: e.code }, 'referral form failed');
    return sendPage(res, e.httpStatus >= 500 ? 503 : e.httpStatus, notSent());
  };
}
