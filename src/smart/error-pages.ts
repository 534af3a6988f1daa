import type { ErrorCode } from '../errors.js';
import { escapeHtml } from '../http/html.js';

/**
 * HTML error pages for the launch, in NHS design system markup. Each names the cause in words a GP uses,
 * says who has to act (the GP, or the practice's IT / system supplier) and what to do; the code is shown
 * small for IT support.
 */
export type WhoActs = 'gp' | 'it';

export interface PageText {
  title: string;
  body: string;
  who: WhoActs;
  action: string;
}

const PAGES: Partial<Record<ErrorCode, PageText>> = {
  ERR_SMART_ISS_NOT_ALLOWED: {
    title: 'This clinical system is not set up for SP Link',
    body: 'SP Link was opened from a clinical system it does not recognise, so it has not signed you in.',
    who: 'it',
    action: 'Ask your practice manager or IT support to register your practice’s clinical system with SP Link. Until then, refer to social prescribing the way you do now.',
  },
  ERR_SMART_ACCESS_DENIED: {
    title: 'SP Link was not given access to the record',
    body: 'Access was declined when SP Link asked to open this patient’s record, either on the approval screen or by your clinical system’s policy.',
    who: 'gp',
    action: 'Open SP Link again from the patient record and allow access when asked. If you were not asked, IT support needs to check SP Link’s permissions in the clinical system.',
  },
  ERR_SMART_INVALID_CLIENT: {
    title: 'Your clinical system did not recognise SP Link',
    body: 'The clinical system refused SP Link’s registration details (its client id or credentials), so SP Link could not sign you in.',
    who: 'it',
    action: 'There is nothing you can do from here. Tell IT support: SP Link’s client id, secret or key, or its authentication method, does not match what is registered in the clinical system.',
  },
  ERR_SMART_REDIRECT_URI: {
    title: 'SP Link’s address is not registered with your clinical system',
    body: 'The clinical system does not accept the address SP Link asked it to return you to after sign-in.',
    who: 'it',
    action: 'There is nothing you can do from here. Tell IT support: the redirect URI registered for SP Link in the clinical system must be SP Link’s /smart/callback address exactly.',
  },
  ERR_SMART_INVALID_SCOPE: {
    title: 'SP Link asked for access your clinical system does not allow',
    body: 'The clinical system refused the permissions (scopes) SP Link needs to read the record and send a referral.',
    who: 'it',
    action: 'There is nothing you can do from here. Tell IT support: the scopes SP Link is configured to ask for are not all granted to it in the clinical system.',
  },
  ERR_SMART_AUTHORIZATION_SERVER: {
    title: 'Your clinical system refused to sign you in to SP Link',
    body: 'Sign-in reached its last step, but the clinical system refused it or its answer failed SP Link’s security checks.',
    who: 'it',
    action: 'Try once more from the patient record. If it happens again, tell IT support and quote the code below; SP Link’s log has the clinical system’s exact answer.',
  },
  ERR_SMART_NO_USER: {
    title: 'SP Link could not tell who you are',
    body: 'Your clinical system opened SP Link without saying which clinician is signed in, so a referral could not show who made it.',
    who: 'it',
    action: 'Tell IT support: SP Link needs the openid and fhirUser scopes, or a fallback requester set for the practice. Until then, refer the way you do now.',
  },
  ERR_CONFIG_INVALID: {
    title: 'SP Link is not set up correctly',
    body: 'SP Link’s own settings for your practice stop it from signing you in.',
    who: 'it',
    action: 'There is nothing you can do from here. Tell IT support and quote the code below; SP Link’s log says which setting is wrong.',
  },
  ERR_SMART_STATE_MISMATCH: {
    title: 'The sign-in did not match this launch',
    body: 'For your patient’s safety SP Link stopped, because the sign-in response did not belong to the launch in this window.',
    who: 'gp',
    action: 'Close this window and open SP Link again from the patient record.',
  },
  ERR_SESSION_EXPIRED: {
    title: 'Your SP Link session has ended',
    body: 'SP Link signs you out after a period of inactivity, or when a sign-in link is used twice.',
    who: 'gp',
    action: 'Open SP Link again from the patient record. Anything you had not sent has not been saved.',
  },
  ERR_FHIR_UNREACHABLE: {
    title: 'SP Link cannot reach your clinical system',
    body: 'Your clinical system did not answer in time, so SP Link could not sign you in.',
    who: 'gp',
    action: 'Try again in a minute by opening SP Link from the patient record. If it keeps happening, tell IT support.',
  },
  ERR_SMART_LAUNCH_FAILED: {
    title: 'SP Link could not start',
    body: 'The launch from your clinical system could not be completed.',
    who: 'gp',
    action: 'Open SP Link again from the patient record. If it keeps happening, tell IT support and quote the code below.',
  },
};

const FALLBACK: PageText = {
  title: 'Sorry, there is a problem with SP Link',
  body: 'Something went wrong while starting SP Link.',
  who: 'gp',
  action: 'Try again by opening SP Link from the patient record. If it keeps happening, tell IT support and quote the code below.',
};

const WHO: Record<WhoActs, string> = {
  gp: 'What you can do',
  it: 'Who needs to act: your practice’s IT support or clinical system supplier',
};

export function errorPageText(code: ErrorCode): PageText {
  return PAGES[code] ?? FALLBACK;
}

export function renderErrorPage(code: ErrorCode, detail?: string): string {
  const t = errorPageText(code);
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)} – SP Link</title><link rel="stylesheet" href="/app/nhsuk/nhsuk-frontend.min.css"></head>
<body><div class="nhsuk-width-container"><main class="nhsuk-main-wrapper" id="maincontent">
<h1 class="nhsuk-heading-l">${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.body)}</p>
${detail ? `<p>${escapeHtml(detail)}</p>` : ''}
<div class="nhsuk-inset-text" data-who="${t.who}"><h2 class="nhsuk-heading-s">${escapeHtml(WHO[t.who])}</h2><p>${escapeHtml(t.action)}</p></div>
<p class="nhsuk-body-s">Error code: <code>${escapeHtml(code)}</code></p>
</main></div></body></html>`;
}
