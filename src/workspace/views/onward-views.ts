import type { Actor } from '../domain/actor.js';
import type { DirectoryEntry } from '../../gp-app-contract/index.js';
import { NEEDS } from '../../referral-model/codes.js';
import type { OnwardSearchForm } from '../domain/onward-search.js';
import type { OnwardPerson } from '../domain/onward.js';
import {
  ONWARD_ACTIONS, ONWARD_DECLINE_REASONS, ONWARD_WITHDRAW_REASONS, isFinalOnwardState, onwardActionsFrom, type OnwardAction, type OnwardView,
} from '../../referral-model/onward-referral.js';
import { choices, EMPTY_FORM, errorSummary, input, select, textarea, type FormState } from './fields.js';
import { formatDate, html, type Html } from './html.js';
import { page } from './layout.js';
import { serviceReportHref } from './directory-views.js';

const tag = (v: Pick<OnwardView, 'label' | 'tone'>) => html`<strong class="nhsuk-tag nhsuk-tag--${v.tone}" data-testid="onward-status">${v.label}</strong>`;

function detail(v: OnwardView): string {
  return [v.reason, v.sessionsAttended !== undefined ? `${v.sessionsAttended} session${v.sessionsAttended === 1 ? '' : 's'} attended` : undefined].filter(Boolean).join('; ');
}

/** The onward-referral picker: what the link worker searched for, and the services found (src/directory/search.ts). */
export interface OnwardSearch {
  readonly form: OnwardSearchForm;
  readonly results: readonly DirectoryEntry[];
  /** How many services matched in all (more than are shown when the search is wide). */
  readonly total: number;
  /** Whether the person's home could be placed (coordinates, or a postcode the directory's venues place). */
  readonly homePlaced: boolean;
}

const OPEN_CHOICES = [{ code: 'now', display: 'Open now' }, { code: 'this-week', display: 'Open this week' }] as const;

/**
 * How the service stands, in the words of the GP app's picker: capacity, why it ranks here, who last checked its
 * details; and the link worker's way to say it has closed or changed (src/workspace/http/directory-routes.ts).
 */
function serviceHint(d: DirectoryEntry, caseId: string): Html {
  const meta = [d.provider, d.typeLabel, d.locality].filter(Boolean).join(' · ');
  return html`${meta ? html`<span class="ws-service-meta">${meta}</span><br>` : ''}${d.rankReason ? html`<span class="ws-service-meta" data-testid="why-here">Why here: ${d.rankReason}</span>` : ''}${
    d.acceptingReferrals === false ? html`<br><strong class="ws-service-full">Not taking new referrals at the moment</strong>` : ''}${
    d.verifiedLabel ? html`<br><span class="ws-service-meta" data-testid="service-verified">${d.verifiedLabel}</span>` : ''}${
    d.stale ? html`<br><strong class="ws-service-stale" data-testid="service-stale">Details may be out of date: check with the service before referring</strong>` : ''}
    <br><a href="${serviceReportHref(d.id, caseId)}" data-testid="report-service">Closed or changed? Tell your service manager<span class="nhsuk-u-visually-hidden"> about ${d.name}</span></a>`;
}

/** The search form (GET, back to the case at #onward): needs to rank by, words, opening, capacity, distance. */
function searchForm(caseId: string, s: OnwardSearch): Html {
  const f = s.form;
  const needs = NEEDS.filter((n) => n.code !== 'other');
  const chosen = needs.filter((n) => f.needs.includes(n.code)).map((n) => n.display);
  const id = (x: string) => `onward-search-${x}`;
  return html`<form method="get" action="/workspace/cases/${caseId}#onward" role="search" aria-label="Search the directory" data-form="onward-search">
    <input type="hidden" name="find" value="1">
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="${id('q')}">Name, activity or place</label>
      <input class="nhsuk-input nhsuk-input--width-20" id="${id('q')}" name="q" type="search" value="${f.q}"></div>
    <details class="nhsuk-details"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">Needs to match: ${chosen.length ? chosen.join(', ') : 'none chosen'}</span></summary>
      <div class="nhsuk-details__text"><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Services meeting more of these needs come first</legend>
        <div class="nhsuk-checkboxes nhsuk-checkboxes--small">${needs.map((n) => html`<div class="nhsuk-checkboxes__item">
          <input class="nhsuk-checkboxes__input" id="${id(`need-${n.code}`)}" name="need" type="checkbox" value="${n.code}"${f.needs.includes(n.code) ? ' checked' : ''}>
          <label class="nhsuk-label nhsuk-checkboxes__label" for="${id(`need-${n.code}`)}">${n.display}</label></div>`)}</div></fieldset></div></details>
    <div class="nhsuk-form-group"><label class="nhsuk-label" for="${id('open')}">When it runs</label>
      <select class="nhsuk-select" id="${id('open')}" name="open"><option value="">Any time</option>${OPEN_CHOICES.map((o) => html`<option value="${o.code}"${f.open === o.code ? ' selected' : ''}>${o.display}</option>`)}</select></div>
    <div class="nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-u-margin-bottom-3">
      <div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="${id('accepting')}" name="accepting" type="checkbox" value="true"${f.accepting ? ' checked' : ''}>
        <label class="nhsuk-label nhsuk-checkboxes__label" for="${id('accepting')}">Only services taking referrals</label></div>
      ${s.homePlaced
        ? html`<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="${id('near')}" name="near" type="checkbox" value="home"${f.nearHome ? ' checked' : ''}>
        <label class="nhsuk-label nhsuk-checkboxes__label" for="${id('near')}">Distance from the person’s home</label></div>`
        : html`<p class="nhsuk-body-s" data-testid="no-distance">The person’s address cannot be placed on a map, so distances are not shown.</p>`}
    </div>
    <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">Search</button>
  </form>`;
}

/** The link worker withdraws an onward referral the group has not closed (form `withdraw-<sub-Task id>`). */
function withdrawForm(caseId: string, csrf: string, r: OnwardView, s: FormState): Html {
  const form = `withdraw-${r.id ?? ''}`;
  return html`<details class="nhsuk-details" id="form-${form}"${Object.keys(s.errors).length ? ' open' : ''} data-testid="onward-withdraw">
  <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">Withdraw the referral to ${r.service}</span></summary>
  <div class="nhsuk-details__text">${errorSummary(form, s.errors)}
    <p class="nhsuk-body-s">The service is told to stop contacting the person about it; the GP hears it with the referral’s outcome.</p>
    <form method="post" action="/workspace/cases/${caseId}/onward/${r.id ?? ''}/withdraw" novalidate data-form="${form}">
      <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${r.version ?? ''}">
      ${select({ form, name: 'reason', label: 'Why it is withdrawn', state: s, options: ONWARD_WITHDRAW_REASONS })}
      ${textarea({ form, name: 'note', label: 'Note for the service (optional)', state: s, rows: 2 })}
      <button class="nhsuk-button nhsuk-button--secondary" type="submit">Withdraw referral</button>
    </form></div></details>`;
}

/** The onward referrals of a case, each with its live status, and (on an open case) the picker and the form to refer onward. */
export function onwardSection(o: {
  caseId: string; csrfToken: string; referrals: readonly OnwardView[]; search: OnwardSearch | undefined; open: boolean; form: FormState | undefined; saved?: string;
  /** The case page's forms: `withdraw-<id>` sent back with an error. */
  forms?: Record<string, FormState>;
}): Html {
  // One onward referral per service and case (its identifier): a service already referred to is not offered again.
  const referred = new Set(o.referrals.map((r) => r.service));
  const offer = (o.search?.results ?? []).filter((d) => !referred.has(d.name));
  const s = o.form ?? EMPTY_FORM;
  const expanded = Object.keys(s.errors).length > 0 || o.search?.form.searched === true;
  const more = o.search ? o.search.total - o.search.results.length : 0;
  return html`<div id="onward" class="ws-section">
  ${o.saved ? html`<div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="onward-saved-title" data-testid="saved">
    <div class="nhsuk-notification-banner__header"><h2 class="nhsuk-notification-banner__title" id="onward-saved-title">Saved</h2></div>
    <div class="nhsuk-notification-banner__content"><p class="nhsuk-notification-banner__heading">${o.saved}</p></div></div>` : ''}
  <h2>Onward referrals</h2>
  ${o.referrals.length === 0
    ? html`<p data-testid="onward-empty">The person has not been referred on to a community group or service yet.</p>`
    : html`<table class="nhsuk-table" data-testid="onward-referrals"><thead class="nhsuk-table__head"><tr>
      <th scope="col">Service</th><th scope="col">Status</th><th scope="col">Last update</th><th scope="col">Details</th></tr></thead>
      <tbody class="nhsuk-table__body">${o.referrals.map((r) => html`<tr class="nhsuk-table__row" data-onward-service="${r.service}">
        <td class="nhsuk-table__cell">${r.service}${r.provider && r.provider !== r.service ? html`<br><span class="nhsuk-body-s">${r.provider}</span>` : ''}</td>
        <td class="nhsuk-table__cell">${tag(r)}</td>
        <td class="nhsuk-table__cell">${formatDate(r.updated)}</td>
        <td class="nhsuk-table__cell" data-testid="onward-detail">${detail(r)}</td></tr>`)}</tbody></table>
      ${o.referrals.filter((r) => r.id && !isFinalOnwardState(r.state)).map((r) => withdrawForm(o.caseId, o.csrfToken, r, o.forms?.[`withdraw-${r.id}`] ?? EMPTY_FORM))}`}
  ${o.open && o.search ? html`<details class="nhsuk-details" id="form-onward"${expanded ? ' open' : ''}>
    <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">Refer to community groups or services</span></summary>
    <div class="nhsuk-details__text">
      ${searchForm(o.caseId, o.search)}
      ${errorSummary('onward', s.errors)}
      ${offer.length === 0
        ? html`<p data-testid="onward-no-results">No services match this search. Search with other words, or fewer filters.</p>`
        : html`<form method="post" action="/workspace/cases/${o.caseId}/onward" novalidate data-form="onward">
        <input type="hidden" name="_csrf" value="${o.csrfToken}">
        ${choices({ form: 'onward', name: 'services', label: 'Services to refer the person to', type: 'checkbox', small: true, state: s,
          hint: `${offer.length} service${offer.length === 1 ? '' : 's'} found, best first${more > 0 ? ` (${more} more: search to narrow them)` : ''}. Each service is told who the person is and how to contact them, and replies here.`,
          options: offer.map((d) => ({ code: d.id, display: d.name, hint: serviceHint(d, o.caseId), disabled: d.acceptingReferrals === false })) })}
        ${choices({ form: 'onward', name: 'consent', label: 'Consent to share', type: 'checkbox', small: true, state: s, options: [{ code: 'yes', display: 'The person agreed that their name and contact details go to these services' }] })}
        ${textarea({ form: 'onward', name: 'note', label: 'What the service should know (optional)', hint: 'For example the best time to call, or that the person would like to be met at the door. Nothing clinical.', state: s, rows: 3 })}
        <button class="nhsuk-button" type="submit">Send referrals</button>
      </form>`}
    </div></details>` : ''}
</div>`;
}

/** The portal's list: onward referrals to the group's organisation, newest first. */
export function portalListPage(o: { actor: Actor; csrfToken: string; orgName?: string; rows: readonly (OnwardView & { person?: string })[]; truncated: boolean; flash?: string }): string {
  const open = o.rows.filter((r) => !isFinalOnwardState(r.state));
  const closed = o.rows.filter((r) => isFinalOnwardState(r.state));
  const table = (rows: typeof o.rows, caption: string, testid: string) => rows.length === 0 ? html`` : html`<table class="nhsuk-table" data-testid="${testid}">
    <caption class="nhsuk-table__caption">${caption}</caption>
    <thead class="nhsuk-table__head"><tr><th scope="col">Person</th><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Referred</th></tr></thead>
    <tbody class="nhsuk-table__body">${rows.map((r) => html`<tr class="nhsuk-table__row" data-referral-id="${r.id ?? ''}">
      <td class="nhsuk-table__cell"><a href="/workspace/referrals/${r.id ?? ''}">${r.person ?? 'Name not given'}</a></td>
      <td class="nhsuk-table__cell">${r.service}</td><td class="nhsuk-table__cell">${tag(r)}</td><td class="nhsuk-table__cell">${formatDate(r.sent)}</td></tr>`)}</tbody></table>`;
  const body = html`<h1>Referrals to your organisation</h1>
  ${o.orgName ? html`<p class="nhsuk-body-s" data-testid="portal-org">${o.orgName}</p>` : ''}
  ${o.truncated ? html`<div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label">Not every referral is shown</h3><p>Only the most recent are listed.</p></div>` : ''}
  ${o.rows.length === 0 ? html`<p data-testid="portal-empty">No one has been referred to your organisation yet.</p>` : html`${table(open, 'Waiting for you', 'portal-open')}${table(closed, 'Answered', 'portal-closed')}`}`;
  return page({ title: 'Referrals', actor: o.actor, csrfToken: o.csrfToken, nav: 'referrals', body, flash: o.flash });
}

function actionForm(id: string, version: string, csrf: string, action: OnwardAction, s: FormState): Html {
  const fields = action === 'decline'
    ? html`${select({ form: action, name: 'reason', label: 'Reason for declining', state: s, options: ONWARD_DECLINE_REASONS })}${textarea({ form: action, name: 'note', label: 'Note for the link worker (optional)', state: s, rows: 3 })}`
    : action === 'finished'
      ? html`${input({ form: action, name: 'sessionsAttended', label: 'Sessions the person attended (optional)', state: s, width: 4, inputmode: 'numeric' })}${textarea({ form: action, name: 'note', label: 'Note for the link worker (optional)', state: s, rows: 3 })}`
      : textarea({ form: action, name: 'note', label: 'Note for the link worker (optional)', state: s, rows: 2 });
  const a = ONWARD_ACTIONS[action];
  const hasErrors = Object.keys(s.errors).length > 0;
  return html`<details class="nhsuk-details" id="form-${action}"${hasErrors ? ' open' : ''}>
  <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">${a.label}</span></summary>
  <div class="nhsuk-details__text">${errorSummary(action, s.errors)}
    <form method="post" action="/workspace/referrals/${id}/${action}" novalidate data-form="${action}">
      <input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="version" value="${version}">
      ${fields}
      <button class="nhsuk-button${action === 'decline' || action === 'did-not-attend' ? ' nhsuk-button--secondary' : ''}" type="submit">${a.label}</button>
    </form></div></details>`;
}

const row = (key: string, value: Html | string | undefined) =>
  value === undefined || value === '' ? html`` : html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${key}</dt><dd class="nhsuk-summary-list__value">${value}</dd></div>`;

/** One onward referral, as the group sees it: who to contact and how, what the link worker said, what to record. */
export function portalReferralPage(o: { actor: Actor; csrfToken: string; view: OnwardView; person: OnwardPerson; history: readonly { at?: string; text: string }[]; forms: Record<string, FormState>; saved?: string; flash?: string }): string {
  const v = o.view;
  const p = o.person;
  const actions = onwardActionsFrom(v.state);
  const body = html`<span class="nhsuk-caption-l">Referral to ${v.service}</span>
  <h1 data-testid="portal-person">${p.name ?? 'Name not given'}</h1>
  ${o.saved ? html`<div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="saved-title" data-testid="saved">
    <div class="nhsuk-notification-banner__header"><h2 class="nhsuk-notification-banner__title" id="saved-title">Saved</h2></div>
    <div class="nhsuk-notification-banner__content"><p class="nhsuk-notification-banner__heading">${o.saved}</p></div></div>` : ''}
  <p class="ws-tag-row">${tag(v)}</p>
  <div class="nhsuk-grid-row">
    <div class="nhsuk-grid-column-one-half">
      <h2>How to contact them</h2><dl class="nhsuk-summary-list" data-testid="portal-contact">
        ${row('Phone', p.phones.join(', '))}${row('Email', p.emails.join(', '))}${row('Contact by', p.contactBy.join(', '))}
        ${row('Safe times to contact', p.safeTimes)}${row('Leave a message', p.leaveMessage === undefined ? undefined : p.leaveMessage ? 'Yes' : 'No')}
        ${row('Accessibility needs', p.accessibility.length ? html`<ul class="nhsuk-list">${p.accessibility.map((a) => html`<li>${a}</li>`)}</ul>` : undefined)}
        ${row('Referred by', p.referredBy)}${row('Referred on', formatDate(v.sent))}
        ${row('Consent to share', p.consent ? `Given${p.consent.date ? ` on ${formatDate(p.consent.date)}` : ''}${p.consent.recorder ? `, recorded by ${p.consent.recorder}` : ''}` : 'Not recorded')}
        ${row('From the link worker', p.note ? html`<span class="ws-pre" data-testid="portal-note">${p.note}</span>` : undefined)}
        ${row('Details', detail(v))}
      </dl>
    </div>
    <div class="nhsuk-grid-column-one-half"><h2>Record what happened</h2>
      ${actions.length ? html`<div class="ws-actions">${actions.map((a) => actionForm(v.id ?? '', v.version ?? '', o.csrfToken, a, o.forms[a] ?? EMPTY_FORM))}</div>`
        : v.state === 'withdrawn' ? html`<p data-testid="portal-withdrawn">This referral was withdrawn${v.reason ? html` (${v.reason})` : ''}. Do not contact the person about it.</p>`
        : html`<p>This referral has been answered. Nothing more can be recorded.</p>`}
    </div>
  </div>
  ${o.history.length ? html`<h2>History</h2><ol class="nhsuk-list" data-testid="portal-history" reversed>${[...o.history].reverse().map((h) => html`<li><p class="nhsuk-body-s nhsuk-u-margin-bottom-1"><strong>${formatDate(h.at)}</strong></p><p class="ws-pre">${h.text}</p></li>`)}</ol>` : ''}
  <p><a href="/workspace/referrals">Back to referrals</a></p>`;
  const hasErrors = Object.values(o.forms).some((f) => Object.keys(f.errors).length > 0);
  return page({ title: p.name ?? 'Referral', actor: o.actor, csrfToken: o.csrfToken, nav: 'referrals', body, hasErrors, flash: o.flash });
}
