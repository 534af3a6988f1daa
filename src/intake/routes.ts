import { randomBytes } from 'node:crypto';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { BODY_LIMITS, formBody } from '../http/body-limits.js';
import { toApiError } from '../http/api-error.js';
import { sameOriginWrites } from '../http/security.js';
import { checkStep, contactKeys, STEPS, toSelfReferral, type Answers, type Step } from './self-referral-input.js';
import { submitSelfReferral, type IntakeDeps } from './submit.js';
import { checkPage, confirmationPage, limitedPage, notSentPage, startPage, stepPage } from './views/self-referral-pages.js';
import { publicPage } from './views/layout.js';
import { html } from '../http/html.js';
import { londonDate } from '../time/london.js';

/** Every field a referral form may post: its answers, the submission id, navigation, the honeypot. */
const MAX_FIELDS = 80;
const SUBMISSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

const send = (res: Response, status: number, page: string) => res.status(status).set('cache-control', 'no-store').type('html').send(page);

const restart = (res: Response) =>
  send(res, 400, publicPage({ title: 'Start again', body: html`<h1 class="nhsuk-heading-l">Sorry, you need to start again</h1>
<p>We could not read your answers. Nothing has been saved.</p><p><a href="/refer/about-you">Start again</a></p>` }));

/** The public self-referral form at `/refer` (mounted at the app root). */
export function selfReferralRoutes(deps: IntakeDeps & { publicUrl: string; logger: Logger }): Router {
  const router = Router();
  router.get('/refer', (_req, res) => send(res, 200, startPage()));
  router.get('/refer/about-you', (_req, res) => send(res, 200, stepPage('about-you', { submissionId: randomBytes(16).toString('base64url') })));
  // Any other step reached by address (a bookmark, the back button after sending) starts again: answers travel
  // only inside the form.
  router.get('/refer/:step', (req, res, next) => (STEPS.includes(req.params.step as Step) ? res.redirect(303, '/refer/about-you') : next()));

  router.post('/refer/:step', sameOriginWrites(deps.publicUrl, (_req, res) => restart(res)), formBody(BODY_LIMITS.publicForm, MAX_FIELDS), async (req: Request, res: Response) => {
    const step = req.params.step as Step;
    if (!STEPS.includes(step)) return send(res, 404, publicPage({ title: 'Page not found', body: html`<h1 class="nhsuk-heading-l">Page not found</h1><p><a href="/refer">Ask for help from a link worker</a></p>` }));
    const a = (req.body ?? {}) as Answers;
    // The honeypot: people never see this field, so a form that fills it in is from a program. Nothing is kept.
    if (typeof a.website !== 'string' || a.website !== '') {
      deps.logger.info({ step }, 'referral form refused: honeypot filled in');
      return send(res, 400, notSentPage());
    }
    if (typeof a.submissionId !== 'string' || !SUBMISSION_ID.test(a.submissionId)) return restart(res);
    const today = londonDate(new Date());
    const goto = typeof a.goto === 'string' ? (a.goto as Step) : undefined;
    if (goto && goto !== 'check' && STEPS.includes(goto)) return send(res, 200, stepPage(goto, { ...a, returnTo: 'check' }));

    if (step !== 'check') {
      const errors = checkStep(step, a, today);
      if (errors.length) return send(res, 422, stepPage(step, a, errors));
      const next = a.returnTo === 'check' ? 'check' : STEPS[STEPS.indexOf(step) + 1]!;
      return send(res, 200, next === 'check' ? checkPage(a) : stepPage(next, a));
    }
    // Sending: every step is checked again; the first with a problem is shown.
    for (const s of STEPS) {
      if (s === 'check') continue;
      const errors = checkStep(s, a, today);
      if (errors.length) return send(res, 422, stepPage(s, { ...a, returnTo: 'check' }, errors));
    }
    const referral = toSelfReferral(a, today)!;
    try {
      const result = await submitSelfReferral(deps, referral, { submissionId: a.submissionId, contactKeys: contactKeys(a) });
      if (result.kind === 'limited') return send(res, 429, limitedPage());
      const contactBy = [referral.contact.phone ? 'phone' : '', referral.contact.email ? 'email' : ''].filter(Boolean);
      return send(res, 200, confirmationPage({ reference: result.referralId, contactBy, gpTold: referral.consent.gp }));
    } catch (err) {
      deps.logger.error({ err: toApiError(err).code, step }, 'self-referral could not be sent');
      return send(res, 503, notSentPage());
    }
  });

  const tooBig: ErrorRequestHandler = (err, req, res, next) => {
    if (!req.path.startsWith('/refer')) return next(err);
    const e = toApiError(err);
    if (e.code === 'ERR_PAYLOAD_TOO_LARGE') {
      return send(res, 413, publicPage({ title: 'Too much text', body: html`<h1 class="nhsuk-heading-l">Your answers are too long</h1>
<p>Please go back and make your answers shorter. Nothing has been saved.</p>` }));
    }
    deps.logger.error({ err: e.code }, 'referral form failed');
    return send(res, e.httpStatus >= 500 ? 503 : e.httpStatus, notSentPage());
  };
  router.use(tooBig);
  return router;
}
