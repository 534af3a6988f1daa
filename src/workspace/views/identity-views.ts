import type { Actor } from '../domain/actor.js';
import type { CandidateView, IdentityCheck } from '../domain/identity-check.js';
import { candidateChoice, type RecordSummary } from '../domain/identity-review.js';
import { londonDaysAgo, relativeDays } from '../../time/london.js';
import { errorSummary, textarea, type FormState } from './fields.js';
import { formatDate, formatNhsNumber, html, responsiveTable, type Html } from './html.js';
import { page } from './layout.js';

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

/** A row of the service manager's queue: the referral, its person's name as they gave it, why it waits. */
export interface ReviewQueueRow { referralId: string; caseId?: string; name: string; source: string; submittedAt: string; outcomeLabel: string; reason: string }

const queueTable = responsiveTable(['Person', 'Reference', 'Source', 'Received', 'Why it waits']);

export function reviewQueuePage(o: { actor: Actor; csrfToken: string; now: Date; rows: readonly ReviewQueueRow[]; flash?: string }): string {
  const age = (at: string) => { const d = londonDaysAgo(at, o.now); return d === undefined ? '' : relativeDays(d); };
  const body = html`<h1>Identity checks</h1>
  <p>Referrals from people themselves and from agencies that SP Link could not link to a GP record with confidence. Decide
  who each person is from the evidence: link the referral to the right patient record, or confirm that none of them is the person.</p>
  ${o.rows.length === 0
    ? html`<p data-testid="reviews-empty">There are no identity checks waiting.</p>`
    : html`<table class="nhsuk-table nhsuk-table--responsive" role="table" data-testid="reviews">
    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Identity checks waiting, oldest first</caption>
    ${queueTable.head}<tbody class="nhsuk-table__body">
    ${o.rows.map((r) => html`<tr class="nhsuk-table__row" role="row" data-referral="${r.referralId}">
      ${queueTable.cell('Person', html`<a href="/workspace/identity-reviews/${r.referralId}">${r.name}</a>`)}
      ${queueTable.cell('Reference', r.referralId)}${queueTable.cell('Source', r.source)}
      ${queueTable.cell('Received', html`${formatDate(r.submittedAt)}<br><span class="nhsuk-body-s">${age(r.submittedAt)}</span>`)}
      ${queueTable.cell('Why it waits', html`${r.outcomeLabel}<br><span class="nhsuk-body-s">${r.reason}</span>`)}</tr>`)}
    </tbody></table>`}`;
  return page({ title: 'Identity checks', actor: o.actor, csrfToken: o.csrfToken, nav: 'identity', body, flash: o.flash });
}

const summaryRow = (key: string, value: string | undefined) =>
  value ? html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${key}</dt><dd class="nhsuk-summary-list__value">${value}</dd></div>` : html``;

function recordList(r: RecordSummary, testid: string): Html {
  return html`<dl class="nhsuk-summary-list" data-testid="${testid}">
    ${summaryRow('Name', r.name)}${summaryRow('Date of birth', r.birthDate ? formatDate(r.birthDate) : undefined)}${summaryRow('NHS number', r.nhsNumber ? formatNhsNumber(r.nhsNumber) : undefined)}
    ${summaryRow('Postcode', r.postcode)}${summaryRow('Address', r.address)}${summaryRow('Gender', r.gender)}</dl>`;
}

export interface ReviewPageData {
  actor: Actor;
  csrfToken: string;
  check: IdentityCheck;
  caseId?: string;
  version: string;
  /** What the person told us (the referral's contained person). */
  person: RecordSummary;
  /** Each candidate with its GP record (undefined when the record could not be read). */
  candidates: readonly { view: CandidateView; record?: RecordSummary }[];
  form: FormState;
}

/** One ambiguous or unchecked match: the person as described beside each record compared, and the decision. */
export function reviewPage(d: ReviewPageData): string {
  const c = d.check;
  const errors = d.form.errors;
  const decided = !c.awaitingReview;
  const chosen = typeof d.form.values.decision === 'string' ? d.form.values.decision : '';
  const body = html`<span class="nhsuk-caption-l">Identity check ${c.referralId}</span>
  <h1>Who is ${d.person.name ?? 'this person'}?</h1>
  ${errorSummary('review', errors)}
  <p>${c.outcomeLabel}. ${c.reason}</p>
  ${d.caseId ? html`<p><a href="/workspace/cases/${d.caseId}">Open the case</a></p>` : ''}
  <h2>What the referral says</h2>
  ${recordList(d.person, 'person')}
  ${decided
    ? html`<div class="nhsuk-inset-text" data-testid="review"><p>${c.review ? `Decided by ${c.review.byName} on ${formatDate(c.review.at)}: ${c.review.decision === 'linked' ? 'linked to a registered patient' : 'no registered patient is this person'}.${c.review.note ? ` ${c.review.note}` : ''}` : c.outcomeLabel}</p></div>`
    : html`<form method="post" action="/workspace/identity-reviews/${c.referralId}" novalidate data-form="review">
    <input type="hidden" name="_csrf" value="${d.csrfToken}"><input type="hidden" name="version" value="${d.version}">
    <div class="nhsuk-form-group${errors.decision ? ' nhsuk-form-group--error' : ''}">
    <fieldset class="nhsuk-fieldset" aria-describedby="review-decision-hint${errors.decision ? ' review-decision-error' : ''}">
      <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Patient records compared</h2></legend>
      <div class="nhsuk-hint" id="review-decision-hint">Link only when you are sure, for example after speaking to the person or the practice.</div>
      ${errors.decision ? html`<span class="nhsuk-error-message" id="review-decision-error"><span class="nhsuk-u-visually-hidden">Error:</span> ${errors.decision}</span>` : ''}
      <div class="nhsuk-radios" id="review-decision">
      ${d.candidates.map(({ view, record }, i) => {
        const value = candidateChoice(view.tenantId, view.patientId);
        return html`<div class="ws-section" data-testid="review-candidate" data-patient="${view.patientId}">
        <h3 class="nhsuk-heading-s">Record ${String(i + 1)} at ${view.tenantId}</h3>
        ${record ? recordList(record, 'record') : html`<p>This record could not be read from the GP system just now.</p>`}
        ${candidateEvidence(view, 'How it compares')}
        <div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="review-decision-${String(i + 1)}" name="decision" type="radio" value="${value}"${chosen === value ? ' checked' : ''}>
        <label class="nhsuk-label nhsuk-radios__label" for="review-decision-${String(i + 1)}">Record ${String(i + 1)} is this person</label></div></div>`;
      })}
      <div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="review-decision-none" name="decision" type="radio" value="no-match"${chosen === 'no-match' ? ' checked' : ''}>
      <label class="nhsuk-label nhsuk-radios__label" for="review-decision-none">None of these records is this person</label></div>
      </div>
    </fieldset></div>
    ${textarea({ form: 'review', name: 'note', label: 'Why did you decide this?', hint: 'For example: "Confirmed date of birth and address with the person by phone".', state: d.form, rows: 3 })}
    <button class="nhsuk-button" type="submit">Save decision</button>
  </form>`}`;
  return page({ title: 'Identity check', actor: d.actor, csrfToken: d.csrfToken, nav: 'identity', body, hasErrors: Object.keys(errors).length > 0 });
}
