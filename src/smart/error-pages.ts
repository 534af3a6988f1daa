import type { ErrorCode } from '../errors.js';
import { escapeHtml } from '../http/html.js';

/**
 * HTML error pages for the launch, in NHS design system markup. Each says what happened and what the
 * GP should do next, in words a GP uses; the code is shown small for the practice's IT support.
 */
interface PageText {
  title: string;
  body: string;
  action: string;
}

const PAGES: Partial<Record<ErrorCode, PageText>> = {
  ERR_SMART_ISS_NOT_ALLOWED: {
    title: 'This clinical system is not set up for SP Link',
    body: 'SP Link was opened from a clinical system it does not recognise, so it has not signed you in.',
    action: 'Ask your practice manager or IT support to register your practice’s clinical system with SP Link. Until then, refer to social prescribing the way you do now.',
  },
  ERR_SMART_ACCESS_DENIED: {
    title: 'SP Link was not given access to the record',
    body: 'Your clinical system did not allow SP Link to read this patient’s record.',
    action: 'Close this window and open SP Link again from the patient record. If it happens again, ask IT support to check SP Link’s permissions.',
  },
  ERR_SMART_STATE_MISMATCH: {
    title: 'The sign-in did not match this launch',
    body: 'For your patient’s safety SP Link stopped, because the sign-in response did not belong to the launch in this window.',
    action: 'Close this window and open SP Link again from the patient record.',
  },
  ERR_SESSION_EXPIRED: {
    title: 'Your SP Link session has ended',
    body: 'SP Link signs you out after a period of inactivity, or when a sign-in link is used twice.',
    action: 'Open SP Link again from the patient record. Anything you had not sent has not been saved.',
  },
  ERR_FHIR_UNREACHABLE: {
    title: 'SP Link cannot reach your clinical system',
    body: 'Your clinical system did not answer in time, so SP Link could not sign you in.',
    action: 'Try again in a minute by opening SP Link from the patient record. If it keeps happening, tell IT support.',
  },
  ERR_SMART_LAUNCH_FAILED: {
    title: 'SP Link could not start',
    body: 'The launch from your clinical system could not be completed.',
    action: 'Open SP Link again from the patient record. If it keeps happening, tell IT support and quote the code below.',
  },
};

const FALLBACK: PageText = {
  title: 'Sorry, there is a problem with SP Link',
  body: 'Something went wrong while starting SP Link.',
  action: 'Try again by opening SP Link from the patient record. If it keeps happening, tell IT support and quote the code below.',
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
<div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">What to do: </span><p>${escapeHtml(t.action)}</p></div>
<p class="nhsuk-body-s">Error code: <code>${escapeHtml(code)}</code></p>
</main></div></body></html>`;
}
