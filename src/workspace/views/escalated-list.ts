import type { EscalatedCaseRow } from '../domain/escalated-cases.js';
import { formatDate, html, responsiveTable, type Html } from './html.js';

const { head, cell } = responsiveTable(['Person', 'Urgency', 'Referred', 'Escalated']);

/** The service manager's list of referrals not accepted in time (escalated), on the manager's page. */
export function escalatedList(rows: readonly EscalatedCaseRow[]): Html {
  if (rows.length === 0) {
    return html`<h2 class="nhsuk-heading-m" id="escalated-heading">Not accepted in time</h2>
  <p data-testid="escalated-none">Every referral has been answered within its response target.</p>`;
  }
  return html`<section class="nhsuk-warning-callout" aria-labelledby="escalated-heading" data-testid="escalated-cases">
  <h2 class="nhsuk-warning-callout__label" id="escalated-heading"><span class="nhsuk-u-visually-hidden">Important: </span>Not accepted in time (${rows.length})</h2>
  <p>These referrals passed their response target and the GP has been told. Accept, assign or decline each one.</p>
  <table class="nhsuk-table nhsuk-table--responsive" role="table">
    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Referrals not accepted in time, longest waiting first</caption>
    ${head}
    <tbody class="nhsuk-table__body">
    ${rows.map((r) => html`<tr class="nhsuk-table__row" role="row" data-case-id="${r.id}">
      ${cell('Person', html`<a href="/workspace/cases/${r.id}">${r.name}</a>`)}
      ${cell('Urgency', r.urgency)}
      ${cell('Referred', formatDate(r.referredOn) || 'Not recorded')}
      ${cell('Escalated', html`${formatDate(r.escalatedAt)}<br><span class="nhsuk-body-s">${r.why}</span>`)}
    </tr>`)}
    </tbody>
  </table>
</section>`;
}
