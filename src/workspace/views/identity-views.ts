import type { CandidateView, IdentityCheck } from '../domain/identity-check.js';
import { formatDate, html, type Html } from './html.js';

/** One candidate's evidence: each field's result and points, agreeing fields ticked in words (not colour alone). */
export function candidateEvidence(c: CandidateView, caption: string): Html {
  return html`<table class="nhsuk-table" data-testid="candidate" data-patient="${c.patientId}">
  <caption class="nhsuk-table__caption nhsuk-table__caption--s">${caption}</caption>
  <thead class="nhsuk-table__head"><tr><th scope="col">Field</th><th scope="col">Result</th><th scope="col">Points</th></tr></thead>
  <tbody class="nhsuk-table__body">${c.fields.map((f) => html`<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">${f.field}</td>
    <td class="nhsuk-table__cell">${f.agrees ? '' : html`<strong class="nhsuk-tag nhsuk-tag--grey">Does not agree</strong> `}${f.result}</td><td class="nhsuk-table__cell">${String(f.points)}</td></tr>`)}
  <tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__cell">Score</th><td class="nhsuk-table__cell" colspan="2">${String(c.score)}${c.confident ? ' (confident)' : ''}</td></tr>
  </tbody></table>`;
}

const reviewText = (c: IdentityCheck) =>
  c.review
    ? `${c.review.decision === 'linked' ? 'Linked to a registered patient' : 'Confirmed: no registered patient'} by ${c.review.byName} on ${formatDate(c.review.at)}${c.review.note ? `: ${c.review.note}` : ''}`
    : undefined;

/**
 * The identity check on a case from the person themselves or an agency: how SP Link decided who the person is in the
 * GP record, with the evidence, and whether it waits for the service manager.
 */
export function identitySection(c: IdentityCheck, o: { reviewHref?: string } = {}): Html {
  const candidates = c.practices.flatMap((p) => p.candidates);
  return html`<div id="identity" class="ws-section" data-testid="identity"><h2>Identity check</h2>
  <dl class="nhsuk-summary-list">
    <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Result</dt><dd class="nhsuk-summary-list__value" data-testid="match-outcome">${c.outcomeLabel}</dd></div>
    ${c.reason ? html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Why</dt><dd class="nhsuk-summary-list__value">${c.reason}</dd></div>` : ''}
    ${c.practices.some((p) => p.error) ? html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Not searched</dt><dd class="nhsuk-summary-list__value">${c.practices.filter((p) => p.error).map((p) => p.tenantId).join(', ')}</dd></div>` : ''}
    ${reviewText(c) ? html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Review</dt><dd class="nhsuk-summary-list__value" data-testid="review">${reviewText(c)!}</dd></div>` : ''}
  </dl>
  ${c.awaitingReview ? html`<div class="nhsuk-warning-callout" data-testid="awaiting-review"><h3 class="nhsuk-warning-callout__label">Waiting for the service manager</h3>
    <p>SP Link did not link this person to a GP record${c.outcome === 'ambiguous' ? ' because more than one patient could be them' : ''}. You can still work the referral from what the person told us.${o.reviewHref ? html` <a href="${o.reviewHref}">Review the match</a>` : ''}</p></div>` : ''}
  ${candidates.length ? html`<details class="nhsuk-details"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">Evidence: ${String(candidates.length)} patient record${candidates.length === 1 ? '' : 's'} compared</span></summary>
    <div class="nhsuk-details__text">${candidates.map((x, i) => candidateEvidence(x, `Record ${i + 1} (${x.tenantId})`))}</div></details>` : ''}
  </div>`;
}
