import type { Actor } from '../domain/actor.js';
import { html } from './html.js';
import { page } from './layout.js';

export function signInPage(o: { reason?: 'expired' | 'signed-out' | 'failed'; workKept?: boolean; returnTo?: string }): string {
  const login = o.returnTo ? `/workspace/login?${new URLSearchParams({ returnTo: o.returnTo })}` : '/workspace/login';
  const body = html`<h1>Sign in to the SP Link workspace</h1>
  ${o.reason === 'expired' ? html`<div class="nhsuk-warning-callout" data-testid="expired"><h2 class="nhsuk-warning-callout__label">Your session has ended</h2>
    <p>You were signed out after a period of inactivity.${o.workKept ? ' What you were entering has been kept: sign in again to check it and save it.' : ''}</p></div>` : ''}
  ${o.reason === 'signed-out' ? html`<p data-testid="signed-out">You have signed out.</p>` : ''}
  ${o.reason === 'failed' ? html`<div class="nhsuk-error-summary" role="alert"><h2 class="nhsuk-error-summary__title">Sign-in did not complete</h2><div class="nhsuk-error-summary__body"><p>Please try again.</p></div></div>` : ''}
  <p>For link workers and service managers. You sign in with your organisation's account.</p>
  <a class="nhsuk-button" href="${login}" data-testid="sign-in" draggable="false" role="button">Sign in</a>`;
  return page({ title: 'Sign in', body });
}

/**
 * After sign-out. `idpSessionKept`: the IdP could not be asked to end its session (no end-session endpoint, or
 * unreachable), so the next sign-in on this computer may not ask who is signing in: say how to be sure.
 */
export function signedOutPage(o: { idpSessionKept?: boolean }): string {
  const body = html`<h1 data-testid="signed-out">You have signed out</h1>
  ${o.idpSessionKept
    ? html`<div class="nhsuk-warning-callout" data-testid="idp-session-kept"><h2 class="nhsuk-warning-callout__label">You may still be signed in to your organisation's account</h2>
    <p>On a shared computer, close every browser window so the next person cannot use your account.</p></div>`
    : html`<p>You have signed out of the SP Link workspace and of your organisation's account on this computer.</p>`}
  <a class="nhsuk-button" href="/workspace/login" data-testid="sign-in-again" draggable="false" role="button">Sign in again</a>`;
  return page({ title: 'You have signed out', body });
}

export function errorPage(o: { actor?: Actor; csrfToken?: string; status: number; title: string; message: string; link?: { href: string; text: string } }): string {
  const body = html`<h1>${o.title}</h1><p data-testid="error-message">${o.message}</p>
  ${o.link ? html`<p><a href="${o.link.href}">${o.link.text}</a></p>` : html`<p><a href="/workspace/caseload">Back to the caseload</a></p>`}`;
  return page({ title: o.title, actor: o.actor, csrfToken: o.csrfToken, body });
}

/** Shown when the Task changed since the user read it: nothing was saved, reload to see the change. */
export function conflictPage(o: { actor: Actor; csrfToken: string; caseId: string }): string {
  return errorPage({
    ...o,
    status: 409,
    title: 'Someone else changed this case',
    message: 'Another member of the team changed this case while you were working on it, so your change was not saved. Reload the case to see the latest version, then make your change again.',
    link: { href: `/workspace/cases/${o.caseId}`, text: 'Reload the case' },
  });
}
