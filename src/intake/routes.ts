import { Router } from 'express';
import type { Logger } from 'pino';
import { html } from '../http/html.js';
import type { AgencyReferral } from './agency-referral.js';
import { AGENCY_REFERRAL_FORM, NOT_AGREED, toAgencyReferral, type AgencyStep } from './agency-referral-input.js';
import { agencyActor, type AgencySignIn, type SignedInAgency } from './agency-sign-in.js';
import { contactKeys, one } from './form-input.js';
import { referralFormErrors, referralFormRoutes, sendPage } from './form-routes.js';
import { SELF_REFERRAL_FORM, toSelfReferral } from './self-referral-input.js';
import type { IntakeDeps } from './submit.js';
import { AGENCY_BASE, signedInAnswers, agencyCheckPage, agencyConfirmationPage, agencyLimitedPage, agencyNotSentPage, agencyStartPage, agencyStepPage, notAgreedPage } from './views/agency-referral-pages.js';
import { publicPage } from './views/layout.js';
import { checkPage, confirmationPage, limitedPage, notSentPage, startPage, stepPage } from './views/self-referral-pages.js';

/**
 * The public referral forms, through one step engine (form-routes.ts): the self-referral form at `/refer`, and the
 * agency form at `/refer/agency` for professionals whose organisations have no system of their own to send from.
 * Mounted at the app root.
 */
export function referralFormsRouter(deps: IntakeDeps & { publicUrl: string; logger: Logger }, signIn?: AgencySignIn): Router {
  const router = Router();
  if (signIn) router.use(signIn.router);
  router.use(referralFormRoutes<AgencyStep, AgencyReferral, SignedInAgency>({
    base: AGENCY_BASE,
    form: AGENCY_REFERRAL_FORM,
    pages: { start: agencyStartPage, step: agencyStepPage, check: agencyCheckPage, confirmation: agencyConfirmationPage, limited: agencyLimitedPage, notSent: agencyNotSentPage },
    // Without the person's agreement the form ends at that step and says why; sending checks it again.
    stop: (step, a, who) => (step === 'consent' && one(a, 'personAgreed') === NOT_AGREED ? notAgreedPage(a, who) : undefined),
    // Verified only when signed in: the referrer's name and organisation then come from the account, not the form.
    toReferral: (a, today, who) => toAgencyReferral(a, today, who !== undefined),
    contactKeys,
    ...(signIn
      ? {
          signedIn: {
            who: (req) => signIn.signedIn(req),
            postAllowed: (req, who) => signIn.csrfValid(req, who),
            fixed: signedInAnswers,
            initial: (who) => ({ ...(who.user.email ? { referrerEmail: who.user.email } : {}), ...(who.user.phone ? { referrerPhone: who.user.phone } : {}) }),
            sender: (who) => ({ actor: agencyActor(who.user), details: { agency: who.agency.id } }),
          },
        }
      : {}),
  }, deps));
  router.use(referralFormRoutes({
    base: '/refer',
    form: SELF_REFERRAL_FORM,
    pages: {
      start: startPage,
      step: stepPage,
      check: checkPage,
      confirmation: (r, reference) => confirmationPage({ reference, contactBy: [r.contact.phone ? 'phone' : '', r.contact.email ? 'email' : ''].filter(Boolean), gpTold: r.consent.gp }),
      limited: limitedPage,
      notSent: notSentPage,
    },
    toReferral: toSelfReferral,
    contactKeys,
  }, deps));
  router.post(['/refer/:step', `${AGENCY_BASE}/:step`], (_req, res) =>
    sendPage(res, 404, publicPage({ title: 'Page not found', body: html`<h1 class="nhsuk-heading-l">Page not found</h1><p><a href="/refer">Ask for help from a link worker</a></p>` })));
  router.use(referralFormErrors(deps.logger, notSentPage));
  return router;
}
