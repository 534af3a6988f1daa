import type { Actor } from '../domain/actor.js';
import type { EndMeasureGap } from '../domain/end-measures.js';
import { socialOutcomeDisplay } from '../../referral-model/social-outcome.js';
import { html } from './html.js';
import { page } from './layout.js';

/**
 * "Complete without end measures?": shown instead of completing when the case has no measure taken at the end
 * (domain/end-measures.ts). Completing from here posts the same summary again with `confirm=yes`; going back
 * keeps nothing but the case as it was.
 */
export function completeConfirmPage(o: { actor: Actor; csrfToken: string; caseId: string; version: string; summary: string; socialOutcomes?: readonly string[]; gap: EndMeasureGap }): string {
  const social = o.socialOutcomes ?? [];
  const body = html`<a class="nhsuk-back-link" href="/workspace/cases/${o.caseId}#outcomes">Back to the case</a>
  <h1 data-testid="confirm-complete">Complete the case without end measures?</h1>
  <div class="nhsuk-warning-callout">
    <h2 class="nhsuk-warning-callout__label"><span class="nhsuk-u-visually-hidden">Important: </span>The GP will not see what changed</h2>
    ${o.gap.none
      ? html`<p data-testid="end-measures-gap">No outcome measure has been recorded for this case.</p>`
      : html`<p data-testid="end-measures-gap">Measured at the start but not again at the end:</p>
      <ul>${o.gap.startOnly.map((n) => html`<li>${n}</li>`)}</ul>`}
    <p>A measure at the end, compared with the start, is how the message back shows the GP what changed for the person.</p>
  </div>
  <h2 class="nhsuk-heading-s">Summary for the GP</h2>
  <p class="ws-pre">${o.summary}</p>
  ${social.length ? html`<h2 class="nhsuk-heading-s">What changed in the person’s life</h2>
  <ul data-testid="confirm-social-outcomes">${social.map((c) => html`<li>${socialOutcomeDisplay(c) ?? c}</li>`)}</ul>` : ''}
  <form method="post" action="/workspace/cases/${o.caseId}/complete" novalidate data-form="complete-confirm">
    <input type="hidden" name="_csrf" value="${o.csrfToken}">
    <input type="hidden" name="version" value="${o.version}">
    <input type="hidden" name="summary" value="${o.summary}">
    ${social.map((c) => html`<input type="hidden" name="socialOutcomes" value="${c}">`)}
    <input type="hidden" name="confirm" value="yes">
    <div class="nhsuk-button-group">
      <button class="nhsuk-button nhsuk-button--warning" type="submit" data-testid="complete-anyway">Complete without end measures</button>
      <a class="nhsuk-link" href="/workspace/cases/${o.caseId}#outcomes" data-testid="record-end-measures">Record end measures first</a>
    </div>
  </form>`;
  return page({ title: 'Complete without end measures?', actor: o.actor, csrfToken: o.csrfToken, body });
}
