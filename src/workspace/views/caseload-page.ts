import type { Actor } from '../domain/actor.js';
import type { CapacityRow, CaseRow, CaseloadQuery } from '../domain/caseload.js';
import { relativeDays } from '../../time/london.js';
import { formatDate, formatNhsNumber, html, responsiveTable } from './html.js';
import { page } from './layout.js';
import { safeguardingList } from './safeguarding-list.js';
import { escalatedList } from './escalated-list.js';
import type { EscalatedCaseRow } from '../domain/escalated-cases.js';
import type { SafeguardingCaseRow } from '../domain/safeguarding-cases.js';

const TITLES: Record<CaseloadQuery['view'], string> = {
  new: 'New referrals',
  mine: 'My cases',
  open: 'All open cases',
  'follow-up': 'Follow-ups due',
  closed: 'Closed cases',
  all: 'All cases',
};

const { head, cell } = responsiveTable(['Person', 'NHS number', 'Source', 'Status', 'Link worker', 'Referred']);

export function caseloadPage(o: { actor: Actor; csrfToken: string; query: CaseloadQuery; rows: CaseRow[]; orgName?: string; truncated: boolean; flash?: string }): string {
  const title = TITLES[o.query.view];
  const body = html`<h1>${title}</h1>
  ${o.orgName ? html`<p class="nhsuk-body-s">${o.orgName}</p>` : ''}
  <form method="get" action="/workspace/caseload" role="search" class="nhsuk-form-group">
    <input type="hidden" name="view" value="${o.query.view}">
    <label class="nhsuk-label" for="caseload-q">Search by name or NHS number</label>
    <div class="ws-tag-row">
      <input class="nhsuk-input nhsuk-input--width-20" id="caseload-q" name="q" type="search" value="${o.query.q ?? ''}">
      <button class="nhsuk-button nhsuk-button--secondary" type="submit">Search</button>
    </div>
  </form>
  ${o.truncated ? html`<div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label">Not every case is shown</h3><p>Search by name or NHS number to narrow the list.</p></div>` : ''}
  ${o.rows.length === 0
    ? html`<p data-testid="caseload-empty">${o.query.q ? 'No cases match your search.' : 'There are no cases here.'}</p>`
    : html`<table class="nhsuk-table nhsuk-table--responsive" role="table" data-testid="caseload">
    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">${title}</caption>
    ${head}
    <tbody class="nhsuk-table__body">
    ${o.rows.map((r) => html`<tr class="nhsuk-table__row" role="row" data-case-id="${r.id}">
      ${cell('Person', html`<a href="/workspace/cases/${r.id}">${r.name}</a>
        ${r.safeguarding ? html`<strong class="nhsuk-tag nhsuk-tag--red">Safeguarding</strong>` : ''}
        ${r.urgency !== 'routine' ? html`<strong class="nhsuk-tag nhsuk-tag--orange">${r.urgency === 'urgent' ? 'Urgent' : 'Soon'}</strong>` : ''}
        ${r.overdueSince ? html`<strong class="nhsuk-tag nhsuk-tag--red" data-testid="overdue">Overdue</strong>` : ''}
        ${r.followUpDue ? html`<strong class="nhsuk-tag nhsuk-tag--yellow" data-testid="follow-up-due">Follow-up at ${r.followUpDue.months} months due ${formatDate(r.followUpDue.dueOn)}</strong>` : ''}`)}
      ${cell('NHS number', formatNhsNumber(r.nhsNumber))}
      ${cell('Source', html`<span data-testid="source">${r.sourceLabel}</span>`)}
      ${cell('Status', html`${r.statusText}${r.businessStatus ? html`<br><span class="nhsuk-body-s">${r.businessStatus}</span>` : ''}`)}
      ${cell('Link worker', r.assignee ?? 'Not assigned')}
      ${cell('Referred', html`${formatDate(r.authoredOn)}${r.ageDays !== undefined ? html`<br><span class="nhsuk-body-s" data-testid="age">${relativeDays(r.ageDays)}</span>` : ''}${r.overdueSince ? html`<br><span class="nhsuk-body-s">Response was due ${formatDate(r.overdueSince)}</span>` : ''}`)}
    </tr>`)}
    </tbody></table>`}`;
  return page({ title, actor: o.actor, csrfToken: o.csrfToken, nav: o.query.view === 'all' ? undefined : o.query.view, body, flash: o.flash });
}

const capacity = responsiveTable(['Link worker', 'Open cases', 'Working with person', 'Safeguarding concerns']);
const capacityCell = capacity.cell;

export function capacityPage(o: { actor: Actor; csrfToken: string; rows: CapacityRow[]; unassignedNew: number; unassignedOpen: number; safeguarding: readonly SafeguardingCaseRow[]; escalated?: readonly EscalatedCaseRow[] }): string {
  const body = html`<h1>Team capacity</h1>
  ${safeguardingList(o.safeguarding)}
  ${escalatedList(o.escalated ?? [])}
  <h2 class="nhsuk-heading-m">Open cases per link worker</h2>
  <p>Open cases held by each link worker. New referrals waiting for a link worker: <strong data-testid="unassigned-new">${o.unassignedNew}</strong>.
  ${o.unassignedOpen > 0 ? html` Open cases without a link worker: <strong>${o.unassignedOpen}</strong>.` : ''}</p>
  <table class="nhsuk-table nhsuk-table--responsive" role="table" data-testid="capacity">
    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Open cases per link worker</caption>
    ${capacity.head}
    <tbody class="nhsuk-table__body">
    ${o.rows.map((r) => html`<tr class="nhsuk-table__row" role="row" data-practitioner="${r.reference}">
      ${capacityCell('Link worker', r.name)}${capacityCell('Open cases', String(r.open))}
      ${capacityCell('Working with person', String(r.inProgress))}${capacityCell('Safeguarding concerns', String(r.safeguarding))}</tr>`)}
    </tbody>
  </table>`;
  return page({ title: 'Team capacity', actor: o.actor, csrfToken: o.csrfToken, nav: 'capacity', body });
}
