import type { SafeguardingCaseRow } from '../domain/safeguarding-cases.js';
import { formatDate, formatNhsNumber, html, responsiveTable, type Html } from './html.js';

const { head, cell } = responsiveTable(['Person', 'Concern', 'Raised', 'Link worker']);

/** The service manager's list of safeguarding concerns on open cases, first on the manager's page. */
export function safeguardingList(rows: readonly SafeguardingCaseRow[]): Html {
  if (rows.length === 0) {
    return html`<h2 class="nhsuk-heading-m" id="safeguarding-heading">Safeguarding concerns</h2>
  <p data-testid="safeguarding-none">No open case has a safeguarding concern.</p>`;
  }
  return html`<section class="nhsuk-warning-callout ws-safeguarding" aria-labelledby="safeguarding-heading" data-testid="safeguarding-cases">
  <h2 class="nhsuk-warning-callout__label" id="safeguarding-heading"><span class="nhsuk-u-visually-hidden">Important: </span>Safeguarding concerns on open cases (${rows.length})</h2>
  <table class="nhsuk-table nhsuk-table--responsive" role="table">
    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Safeguarding concerns on open cases, newest first</caption>
    ${head}
    <tbody class="nhsuk-table__body">
    ${rows.map((r) => html`<tr class="nhsuk-table__row" role="row" data-case-id="${r.id}" data-source="${r.source}">
      ${cell('Person', html`<a href="/workspace/cases/${r.id}">${r.name}</a>${r.nhsNumber ? html`<br><span class="nhsuk-body-s">${formatNhsNumber(r.nhsNumber)}</span>` : ''}`)}
      ${cell('Concern', html`<strong class="nhsuk-tag nhsuk-tag--red">Safeguarding</strong> ${r.detail ?? 'No detail recorded'}`)}
      ${cell('Raised', html`${r.source === 'referrer' ? 'By the GP at referral' : 'By the link worker'}${r.raisedBy ? html`: ${r.raisedBy}` : ''}${r.raisedAt ? html`<br><span class="nhsuk-body-s">${formatDate(r.raisedAt)}</span>` : ''}`)}
      ${cell('Link worker', html`${r.assignee ?? 'Not assigned'}<br><span class="nhsuk-body-s">${r.statusText}</span>`)}
    </tr>`)}
    </tbody>
  </table>
</section>`;
}
