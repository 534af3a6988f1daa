import type { Actor } from '../domain/actor.js';
import { isManager } from '../domain/actor.js';
import { REPORT_KINDS, STEWARD_ACTIONS, type ToCheckItem } from '../../directory/stewardship.js';
import { MAX_WAIT_DAYS } from '../domain/directory-forms.js';
import { WORKLOAD_COLUMNS, WORKLOAD_DAYS } from '../domain/service-workload.js';
import type { Shown } from '../../reports/suppression.js';
import { londonDaysAgo, relativeDays } from '../../time/london.js';
import { choices, EMPTY_FORM, errorSummary, input, textarea, type FormState } from './fields.js';
import { formatDate, html, responsiveTable, type Html } from './html.js';
import { page } from './layout.js';

/** Where a link worker tells the service manager a service has closed or changed (back to the case after). */
export const serviceReportHref = (serviceId: string, caseId?: string) => `/workspace/directory/services/${serviceId}${caseId ? `?case=${caseId}` : ''}#report`;

const row = (key: string, value: Html | string | undefined) =>
  value === undefined || value === '' ? html`` : html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${key}</dt><dd class="nhsuk-summary-list__value">${value}</dd></div>`;

const waitWords = (days: number | undefined) => (days === undefined ? undefined : days === 0 ? 'No wait' : `About ${days} day${days === 1 ? '' : 's'}`);
const takingWords = (accepting: boolean | undefined) => (accepting === undefined ? 'Not known' : accepting ? 'Yes' : 'No');

/** A directory service as the workspace shows it, with its version for the manager's actions. */
export interface ServiceView {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly provider?: string;
  readonly active: boolean;
  readonly verifiedLabel: string;
  readonly stale: boolean;
  readonly accepting?: boolean;
  readonly waitDays?: number;
  readonly details: { phone: string; email: string; website: string; description: string };
}

const yesNo = [{ code: 'yes', display: 'Yes, taking new referrals' }, { code: 'no', display: 'No, not taking new referrals at the moment' }];

/** The fields of capacity (provider portal, manager's change) with the values the service holds now. */
function capacityFields(form: string, s: FormState, current: { accepting?: boolean; waitDays?: number }): Html {
  const state: FormState = Object.keys(s.values).length ? s : { values: { ...(current.accepting !== undefined ? { accepting: current.accepting ? 'yes' : 'no' } : {}), ...(current.waitDays !== undefined ? { waitDays: String(current.waitDays) } : {}) }, errors: s.errors };
  return html`${choices({ form, name: 'accepting', label: 'Taking new referrals?', type: 'radio', small: true, state, options: yesNo })}
  ${input({ form, name: 'waitDays', label: 'Typical wait to first contact, in days (optional)', hint: `A whole number from 0 to ${MAX_WAIT_DAYS}.`, state, width: 4, inputmode: 'numeric' })}`;
}

const hidden = (csrf: string, version?: string) => html`<input type="hidden" name="_csrf" value="${csrf}">${version !== undefined ? html`<input type="hidden" name="version" value="${version}">` : ''}`;

/** The manager's three actions on a service, each a form with the version shown (If-Match). */
function stewardForms(s: ServiceView, csrf: string, forms: Record<string, FormState>): Html {
  const change = forms.change ?? { values: { ...s.details }, errors: {} };
  const changeState: FormState = Object.keys(change.values).length ? change : { values: { ...s.details }, errors: change.errors };
  const open = Object.keys(change.errors).length > 0;
  return html`<div class="ws-actions" id="manage" data-testid="steward-actions">
    <form method="post" action="/workspace/directory/services/${s.id}/checked" class="ws-inline" data-form="checked">${hidden(csrf, s.version)}
      <button class="nhsuk-button nhsuk-u-margin-bottom-0" type="submit">${STEWARD_ACTIONS.checked.label}<span class="nhsuk-u-visually-hidden">: ${s.name}</span></button>
      <p class="nhsuk-body-s">The details are right as they are: recorded as checked by you today.</p></form>
    ${s.active ? html`<form method="post" action="/workspace/directory/services/${s.id}/inactive" class="ws-inline" data-form="inactive">${hidden(csrf, s.version)}
      <button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" type="submit">${STEWARD_ACTIONS.inactive.label}<span class="nhsuk-u-visually-hidden">: ${s.name}</span></button>
      <p class="nhsuk-body-s">The service no longer runs: it leaves both pickers. It is not deleted, and open referrals to it are not changed.</p></form>` : ''}
    <details class="nhsuk-details" id="form-change"${open ? ' open' : ''}><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">${STEWARD_ACTIONS.change.label}</span></summary>
      <div class="nhsuk-details__text">${errorSummary('change', change.errors)}
        <form method="post" action="/workspace/directory/services/${s.id}/change" novalidate data-form="change">${hidden(csrf, s.version)}
          ${input({ form: 'change', name: 'phone', label: 'Phone', state: changeState, width: 20, type: 'tel' })}
          ${input({ form: 'change', name: 'email', label: 'Email', state: changeState, type: 'email' })}
          ${input({ form: 'change', name: 'website', label: 'Website', state: changeState, type: 'url' })}
          ${textarea({ form: 'change', name: 'description', label: 'What the service offers', state: changeState, rows: 4 })}
          ${capacityFields('change', Object.keys(change.errors).length ? change : { values: {}, errors: {} }, s)}
          <button class="nhsuk-button" type="submit">Save the change</button>
        </form></div></details>
  </div>`;
}

/** One directory service: its details, who last checked them; the report form for link workers, the actions for managers. */
export function servicePage(o: { actor: Actor; csrfToken: string; service: ServiceView; caseId?: string; reports: readonly { kind: string; note?: string; by: string; at: string }[]; forms: Record<string, FormState>; flash?: string }): string {
  const s = o.service;
  const report = o.forms.report ?? EMPTY_FORM;
  const body = html`<span class="nhsuk-caption-l">${s.provider ?? 'Directory service'}</span>
  <h1 data-testid="service-name">${s.name}</h1>
  ${s.active ? '' : html`<p><strong class="nhsuk-tag nhsuk-tag--grey" data-testid="service-inactive">No longer running</strong></p>`}
  <dl class="nhsuk-summary-list" data-testid="service-details">
    ${row('Last checked', html`<span data-testid="service-verified">${s.verifiedLabel}</span>${s.stale ? html`<br><strong class="ws-service-stale" data-testid="service-stale">Details may be out of date</strong>` : ''}`)}
    ${row('Taking new referrals', takingWords(s.accepting))}${row('Wait', waitWords(s.waitDays))}
    ${row('Phone', s.details.phone)}${row('Email', s.details.email)}${row('Website', s.details.website)}
    ${row('What it offers', s.details.description ? html`<span class="ws-pre">${s.details.description}</span>` : undefined)}
  </dl>
  ${o.reports.length ? html`<h2>Reported by link workers</h2><ul class="nhsuk-list" data-testid="service-reports">${o.reports.map((r) => html`<li><strong>${r.kind}</strong>: ${r.by}, ${formatDate(r.at)}${r.note ? html`<br><span class="ws-pre">${r.note}</span>` : ''}</li>`)}</ul>` : ''}
  ${isManager(o.actor) ? html`<h2>Check this service</h2>${stewardForms(s, o.csrfToken, o.forms)}` : ''}
  <h2 id="report">Has this service closed or changed?</h2>
  <p>Tell your service manager, who will check it and update the directory. Nothing changes until they do.</p>
  ${errorSummary('report', report.errors)}
  <form method="post" action="/workspace/directory/services/${s.id}/report" novalidate data-form="report">${hidden(o.csrfToken)}
    ${o.caseId ? html`<input type="hidden" name="case" value="${o.caseId}">` : ''}
    ${textarea({ form: 'report', name: 'note', label: 'What you found out (optional)', hint: 'For example the new phone number, or when it stopped running.', state: report, rows: 3 })}
    ${report.errors.kind ? html`<span class="nhsuk-error-message" id="report-kind"><span class="nhsuk-u-visually-hidden">Error:</span> ${report.errors.kind}</span>` : ''}
    <div class="ws-tag-row"><button class="nhsuk-button nhsuk-button--secondary" type="submit" name="kind" value="closed" data-testid="report-closed">${REPORT_KINDS.closed.label}</button>
    <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="kind" value="changed" data-testid="report-changed">${REPORT_KINDS.changed.label}</button></div>
  </form>
  ${o.caseId ? html`<p><a href="/workspace/cases/${o.caseId}#onward">Back to the case</a></p>` : ''}`;
  const hasErrors = Object.values(o.forms).some((f) => Object.keys(f.errors).length > 0);
  return page({ title: s.name, actor: o.actor, csrfToken: o.csrfToken, ...(isManager(o.actor) ? { nav: 'to-check' as const } : {}), body, hasErrors, flash: o.flash });
}

const toCheckTable = responsiveTable(['Service', 'Why', 'Waiting since', 'Act']);

/** The manager's "to check" list: overdue reports first, then oldest first. */
export function toCheckPage(o: { actor: Actor; csrfToken: string; now: Date; items: readonly ToCheckItem[]; staleAfterDays: number; reportResponseDays: number; flash?: string }): string {
  const age = (at: string | undefined) => { if (!at) return 'never checked'; const d = londonDaysAgo(at, o.now); return d === undefined ? '' : `${formatDate(at)} (${relativeDays(d)})`; };
  const why = (it: ToCheckItem) => html`${it.reports.map((r) => html`<p class="nhsuk-body-s nhsuk-u-margin-bottom-2" data-testid="report">${r.overdue ? html`<strong class="nhsuk-tag nhsuk-tag--red" data-testid="overdue">Overdue</strong> ` : ''}<strong>${REPORT_KINDS[r.kind].short}</strong>: reported by ${r.reporterName} on ${formatDate(r.reportedAt)}${r.note ? html`: <span class="ws-pre">${r.note}</span>` : ''}</p>`)}${
    it.stale ? html`<p class="nhsuk-body-s nhsuk-u-margin-bottom-2" data-testid="stale">Not checked in ${o.staleAfterDays} days. ${it.verifiedLabel}.</p>` : ''}${
    it.missing ? html`<p class="nhsuk-body-s">No longer in the directory.</p>` : !it.active ? html`<p class="nhsuk-body-s">Already marked as no longer running.</p>` : ''}`;
  const act = (it: ToCheckItem) => it.missing ? html`` : html`<form method="post" action="/workspace/directory/services/${it.serviceId}/checked" class="ws-inline">${hidden(o.csrfToken, it.version ?? '')}
      <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-2" type="submit">${STEWARD_ACTIONS.checked.label}<span class="nhsuk-u-visually-hidden">: ${it.name}</span></button></form>
    <br><a href="/workspace/directory/services/${it.serviceId}#manage">Inactive or changed<span class="nhsuk-u-visually-hidden">: ${it.name}</span></a>`;
  const overdue = o.items.filter((i) => i.overdue).length;
  const body = html`<h1>Directory: services to check</h1>
  <p>Services nobody has checked in ${o.staleAfterDays} days, and every service a link worker reported closed or changed.
  A report waiting more than ${o.reportResponseDays} days is overdue. Mark a service checked, mark it inactive, or record the change.</p>
  ${overdue ? html`<div class="nhsuk-warning-callout" data-testid="overdue-callout"><h2 class="nhsuk-warning-callout__label">${overdue} overdue</h2><p>Link workers reported these more than ${o.reportResponseDays} days ago and nobody has acted yet.</p></div>` : ''}
  ${o.items.length === 0
    ? html`<p data-testid="to-check-empty">Nothing to check: every service was checked recently and there are no reports.</p>`
    : html`<table class="nhsuk-table nhsuk-table--responsive" role="table" data-testid="to-check">
    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Services to check, overdue first, then oldest first</caption>
    ${toCheckTable.head}<tbody class="nhsuk-table__body">
    ${o.items.map((it) => html`<tr class="nhsuk-table__row" role="row" data-service="${it.serviceId}">
      ${toCheckTable.cell('Service', html`<a href="/workspace/directory/services/${it.serviceId}">${it.name}</a>${it.provider ? html`<br><span class="nhsuk-body-s">${it.provider}</span>` : ''}`)}
      ${toCheckTable.cell('Why', why(it))}${toCheckTable.cell('Waiting since', age(it.since))}${toCheckTable.cell('Act', act(it))}</tr>`)}
    </tbody></table>`}`;
  return page({ title: 'Services to check', actor: o.actor, csrfToken: o.csrfToken, nav: 'to-check', body, flash: o.flash });
}

const workloadTable = responsiveTable(['Service', ...WORKLOAD_COLUMNS]);
const shownText = (c: Shown) => (c.hidden ? c.label : String(c.value));

/** Referrals each community service received, accepted, attended, declined in the last 90 days. */
export function workloadPage(o: { actor: Actor; csrfToken: string; rows: readonly { name: string; provider?: string; cells: readonly Shown[] }[]; suppressedBelow?: number; scope: string }): string {
  const body = html`<h1>Workload per service</h1>
  <p>Onward referrals to each community group or service in the last ${WORKLOAD_DAYS} days (${o.scope}), as the services answered them.
  Accepted counts every referral the service took on (accepted, attended, did not attend or finished); attended, every one where the person came at least once.</p>
  ${o.suppressedBelow ? html`<p class="nhsuk-body-s" data-testid="suppression-note">Counts from 1 to ${o.suppressedBelow - 1} are shown as “&lt;${o.suppressedBelow}”, and some others hidden with them, so no one can be identified.</p>` : ''}
  ${o.rows.length === 0
    ? html`<p data-testid="workload-empty">No onward referrals in the last ${WORKLOAD_DAYS} days.</p>`
    : html`<table class="nhsuk-table nhsuk-table--responsive" role="table" data-testid="workload">
    <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Onward referrals per service, last ${WORKLOAD_DAYS} days, busiest first</caption>
    ${workloadTable.head}<tbody class="nhsuk-table__body">
    ${o.rows.map((r) => html`<tr class="nhsuk-table__row" role="row" data-service-name="${r.name}">
      ${workloadTable.cell('Service', html`${r.name}${r.provider ? html`<br><span class="nhsuk-body-s">${r.provider}</span>` : ''}`)}
      ${WORKLOAD_COLUMNS.map((c, i) => workloadTable.cell(c, html`<span data-count="${c.toLowerCase()}">${shownText(r.cells[i]!)}</span>`))}</tr>`)}
    </tbody></table>`}`;
  return page({ title: 'Workload per service', actor: o.actor, csrfToken: o.csrfToken, nav: 'workload', body });
}

/** A provider's own service: the referrals it received from link workers in the last 90 days and what became of them. */
function ownWorkload(s: ServiceView, cells: readonly number[] | undefined): Html {
  const counts = cells ?? WORKLOAD_COLUMNS.map(() => 0);
  return html`<h3 class="nhsuk-heading-s">Referrals from link workers, last ${WORKLOAD_DAYS} days</h3>
    <dl class="nhsuk-summary-list" data-testid="own-workload">
    ${WORKLOAD_COLUMNS.map((c, i) => row(c, html`<span data-count="${c.toLowerCase()}">${String(counts[i] ?? 0)}</span>`))}</dl>`;
}

/** The provider portal's services: each of the organisation's services with its capacity form. */
export function ourServicesPage(o: { actor: Actor; csrfToken: string; orgName?: string; services: readonly ServiceView[]; workload: ReadonlyMap<string, readonly number[]>; forms: Record<string, FormState>; flash?: string }): string {
  const body = html`<h1>Your services</h1>
  ${o.orgName ? html`<p class="nhsuk-body-s">${o.orgName}</p>` : ''}
  <p>Link workers and GPs see whether you are taking referrals and how long people wait. Saving confirms your service’s details are up to date.</p>
  ${o.services.length === 0 ? html`<p data-testid="our-services-empty">Your organisation has no services in the directory.</p>` : o.services.map((s) => {
    const form = o.forms[s.id] ?? EMPTY_FORM;
    const f = `capacity-${s.id}`;
    return html`<div class="ws-section" data-service="${s.id}"><h2>${s.name}</h2>
      <p class="nhsuk-body-s" data-testid="service-verified">${s.verifiedLabel}</p>
      ${s.stale ? html`<p><strong class="ws-service-stale" data-testid="service-stale">Please confirm your details: they have not been checked for a while.</strong></p>` : ''}
      ${ownWorkload(s, o.workload.get(s.id))}
      ${errorSummary(f, form.errors)}
      <form method="post" action="/workspace/our-services/${s.id}/capacity" novalidate data-form="capacity">${hidden(o.csrfToken, s.version)}
        ${capacityFields(f, form, s)}
        <button class="nhsuk-button" type="submit">Save<span class="nhsuk-u-visually-hidden"> ${s.name}</span></button>
      </form></div>`;
  })}`;
  return page({ title: 'Your services', actor: o.actor, csrfToken: o.csrfToken, nav: 'our-services', body, flash: o.flash, hasErrors: Object.values(o.forms).some((x) => Object.keys(x.errors).length > 0) });
}
