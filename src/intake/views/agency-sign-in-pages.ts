import type { KnownAgencyConfig } from '../../config/schema.js';
import { html } from '../../http/html.js';
import { AGENCY_BASE } from './agency-referral-pages.js';
import { publicPage } from './layout.js';

/** The agency form's sign-in pages: choose your organisation, why a sign-in was refused, signed out. */

export function agencySignInPage(agencies: readonly Pick<KnownAgencyConfig, 'id' | 'name'>[], error?: string): string {
  const errorId = 'agency-error';
  return publicPage({
    title: 'Sign in with your work account',
    hasErrors: Boolean(error),
    body: html`${error ? html`<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">
  <h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>
  <div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list" role="list"><li><a href="#agency">${error}</a></li></ul></div>
</div>` : ''}
<h1 class="nhsuk-heading-l">Sign in with your work account</h1>
<p>If your organisation is listed, you can sign in with your work account. Your referral is then marked as verified, and we fill in your details for you.</p>
<form method="get" action="${AGENCY_BASE}/sign-in/start" novalidate>
  <div class="nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}">
    <fieldset class="nhsuk-fieldset"${error ? html` aria-describedby="${errorId}"` : ''}>
      <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">Which organisation do you work for?</legend>
      ${error ? html`<span class="nhsuk-error-message" id="${errorId}"><span class="nhsuk-u-visually-hidden">Error:</span> ${error}</span>` : ''}
      <div class="nhsuk-radios">
        ${agencies.map((a, i) => html`<div class="nhsuk-radios__item">
          <input class="nhsuk-radios__input" id="${i === 0 ? 'agency' : `agency-${a.id}`}" name="agency" type="radio" value="${a.id}">
          <label class="nhsuk-label nhsuk-radios__label" for="${i === 0 ? 'agency' : `agency-${a.id}`}">${a.name}</label>
        </div>`)}
      </div>
    </fieldset>
  </div>
  <button class="nhsuk-button" type="submit">Continue to sign in</button>
</form>
<p>If your organisation is not listed, <a href="${AGENCY_BASE}/about-you">refer without signing in</a>. The referral is then marked as not verified.</p>`,
  });
}

export function agencySignInRefusedPage(reason: string): string {
  return publicPage({
    title: 'You could not be signed in',
    body: html`<h1 class="nhsuk-heading-l">You could not be signed in</h1>
<p data-testid="sign-in-refused">We could not sign you in: ${reason}.</p>
<p>You can <a href="${AGENCY_BASE}/sign-in">try again</a>, or <a href="${AGENCY_BASE}/about-you">refer without signing in</a>. A referral made without signing in is marked as not verified.</p>`,
  });
}

export function agencySignedOutPage(): string {
  return publicPage({
    title: 'You have signed out',
    body: html`<h1 class="nhsuk-heading-l">You have signed out</h1>
<p>You are no longer signed in to the referral form on this computer.</p>
<p><a href="${AGENCY_BASE}">Refer someone to a link worker</a></p>`,
  });
}
