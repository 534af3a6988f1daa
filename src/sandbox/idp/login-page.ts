import { html, layout } from '../ehr-ui/html.js';
import type { StaffUser } from './staff.js';

export const IDP_SERVICE_NAME = 'Sandbox staff sign-in';

/**
 * The sandbox identity provider's sign-in page. No passwords: it is a stand-in for an organisation's IdP
 * (NHS CIS2, Entra ID …) and says so. Each "Sign in as" button and the username form post to the same
 * interaction; the interaction cookie binds the post to this browser.
 */
export function renderLoginPage(opts: { uid: string; users: readonly StaffUser[]; clientName: string; error?: string; username?: string }): string {
  const action = `/sandbox/idp/interaction/${encodeURIComponent(opts.uid)}/login`;
  const body = html`${opts.error
    ? html`<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" data-testid="login-error">
    <h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>
    <div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list"><li><a href="#username">${opts.error}</a></li></ul></div>
  </div>`
    : ''}
<h1 class="nhsuk-heading-l">Sign in to ${opts.clientName}</h1>
<div class="nhsuk-warning-callout" data-testid="sandbox-warning">
  <h2 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>Sandbox only</span></h2>
  <p>This is the sandbox identity provider. There are no passwords: choose a fictional staff member. In production SP Link signs staff in with your organisation's identity provider.</p>
</div>
<form method="post" action="${action}" data-testid="username-form" novalidate>
  <div class="nhsuk-form-group${opts.error ? ' nhsuk-form-group--error' : ''}">
    <label class="nhsuk-label" for="username">Username</label>
    ${opts.error ? html`<span class="nhsuk-error-message" id="username-error"><span class="nhsuk-u-visually-hidden">Error:</span> ${opts.error}</span>` : ''}
    <input class="nhsuk-input nhsuk-u-width-one-half${opts.error ? ' nhsuk-input--error' : ''}" id="username" name="username" type="text" autocomplete="username" spellcheck="false" value="${opts.username ?? ''}"${opts.error ? html` aria-describedby="username-error"` : ''}>
  </div>
  <button class="nhsuk-button" type="submit" id="sign-in">Sign in</button>
</form>
<h2 class="nhsuk-heading-m" id="staff-heading">Or sign in as</h2>
<ul class="nhsuk-list sbx-users" aria-labelledby="staff-heading" data-testid="staff-list">
  ${opts.users.map(
    (u) => html`<li class="sbx-user" data-username="${u.username}">
    <div><p class="nhsuk-body nhsuk-u-font-weight-bold">${u.givenName} ${u.familyName}</p><p class="nhsuk-body-s">${u.jobTitle}, ${u.orgName} (${u.org})</p></div>
    <form method="post" action="${action}">
      <input type="hidden" name="username" value="${u.username}">
      <button class="nhsuk-button nhsuk-button--secondary" type="submit" data-testid="sign-in-as" data-username="${u.username}">Sign in as ${u.givenName} ${u.familyName}</button>
    </form>
  </li>`,
  )}
</ul>`;
  return layout({ title: opts.error ? 'Error: Sign in' : 'Sign in', service: IDP_SERVICE_NAME, body });
}

/**
 * The IdP's sign-out question (RP-initiated logout): one button that ends the sandbox IdP session, so the next
 * person at this computer is asked who they are. `xsrf` binds the post to this browser's logout request.
 */
export function renderLogoutPage(opts: { action: string; xsrf: string; clientName?: string }): string {
  const body = html`<h1 class="nhsuk-heading-l">Sign out</h1>
<p>${opts.clientName ? html`You have signed out of ${opts.clientName}. ` : ''}Sign out of the sandbox staff sign-in too, so that the next person using this computer has to sign in as themselves.</p>
<form method="post" action="${opts.action}" data-testid="logout-form">
  <input type="hidden" name="xsrf" value="${opts.xsrf}">
  <button class="nhsuk-button" type="submit" name="logout" value="yes" id="sign-out">Sign out</button>
</form>`;
  return layout({ title: 'Sign out', service: IDP_SERVICE_NAME, body });
}

/** Shown after signing out at the IdP when the application named no page to return to. */
export function renderSignedOutPage(): string {
  const body = html`<h1 class="nhsuk-heading-l">You have signed out</h1>
<p data-testid="idp-signed-out">You have signed out of the sandbox staff sign-in. You can close this window.</p>`;
  return layout({ title: 'Signed out', service: IDP_SERVICE_NAME, body });
}
