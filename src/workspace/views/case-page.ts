import type { Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM, displayOf } from '../../fhir/codes.js';
import type { DirectoryEntry, StaffMember } from '../data/link-worker-store.js';
import { isManager, type Actor } from '../domain/actor.js';
import { isNew, isTerminal, type CaseState } from '../domain/case-state.js';
import { statusText } from '../domain/caseload.js';
import type { ReferralDetails } from '../domain/referral-details.js';
import {
  acceptForm, assignForm, closeForm, completeForm, contactForm, declineForm, outcomeForms, planForm, safeguardingForm, sessionForm, type FormsContext,
} from './case-forms.js';
import { formatDate, formatNhsNumber, html, type Html } from './html.js';
import { page } from './layout.js';

export interface CasePageData {
  actor: Actor;
  csrfToken: string;
  state: CaseState;
  referral: ReferralDetails;
  observations: Observation[];
  directory: DirectoryEntry[];
  staff: StaffMember[];
  maxContactAttempts: number;
  today: string;
  forms: FormsContext['states'];
  flash?: string;
}

const row = (key: string, value: Html | string | undefined) =>
  value === undefined || value === '' ? html`` : html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${key}</dt><dd class="nhsuk-summary-list__value">${value}</dd></div>`;

function patientSection(r: ReferralDetails): Html {
  const p = r.patient;
  return html`<h2>Person</h2><dl class="nhsuk-summary-list" data-testid="patient">
    ${row('Name', p.name)}${row('NHS number', formatNhsNumber(p.nhsNumber))}${row('Date of birth', formatDate(p.birthDate))}
    ${row('Gender', p.gender)}${row('Phone', p.phones.join(', '))}${row('Email', p.emails.join(', '))}${row('Address', p.address)}${row('Language', p.language)}
  </dl>`;
}

function referralSection(r: ReferralDetails): Html {
  return html`<h2>Referral</h2><dl class="nhsuk-summary-list" data-testid="referral">
    ${row('Referred by', r.requester)}${row('Referred on', formatDate(r.authoredOn))}${row('Service', r.service)}${row('Urgency', r.urgency)}
    ${row('Needs', r.needs.length ? html`<ul class="nhsuk-list">${r.needs.map((n) => html`<li>${n}</li>`)}</ul>` : undefined)}
    ${row('Notes from the GP', r.notes.length ? html`${r.notes.map((n) => html`<p>${n}</p>`)}` : undefined)}
    ${row('Consent', r.consent ? `Given${r.consent.date ? ` on ${formatDate(r.consent.date)}` : ''}${r.consent.recorder ? `, recorded by ${r.consent.recorder}` : ''}` : 'Not recorded')}
    ${row('Contact by', r.contact?.methods.join(', '))}
    ${row('Safe times to contact', r.contact?.safeTimes)}
    ${row('Leave a message', r.contact?.leaveMessage === undefined ? undefined : r.contact.leaveMessage ? 'Yes' : 'No')}
    ${row('Accessibility needs', r.accessibility.length ? html`<ul class="nhsuk-list">${r.accessibility.map((a) => html`<li>${a.type}${a.language ? ` (${a.language})` : ''}${a.detail ? `: ${a.detail}` : ''}</li>`)}</ul>` : 'None recorded')}
    ${row('Safeguarding', r.safeguarding?.flag ? html`<strong class="nhsuk-tag nhsuk-tag--red">Concern flagged by the GP</strong> ${r.safeguarding.detail ?? ''}` : 'No concern flagged')}
  </dl>`;
}

function scoreText(o: Observation): string {
  if (o.valueInteger !== undefined) return String(o.valueInteger);
  return (o.component ?? []).map((c) => `${c.code.coding?.[0]?.display ?? c.code.text ?? ''}: ${c.valueInteger ?? ''}`).join('; ');
}

function caseSection(d: CasePageData): Html {
  const s = d.state;
  const obs = [...d.observations].sort((a, b) => (a.effectiveDateTime ?? '').localeCompare(b.effectiveDateTime ?? ''));
  return html`<h2>Case</h2><dl class="nhsuk-summary-list" data-testid="case">
    ${row('Status', html`<span data-testid="case-status">${statusText(s.status)}</span>`)}
    ${row('Progress', s.businessStatus ? displayOf('businessStatus', s.businessStatus) : undefined)}
    ${row('Reason', s.statusReason ? (displayOf('statusReason', s.statusReason) ?? s.statusReason) : undefined)}
    ${row('Link worker', s.assignee?.display ?? s.assignee?.reference ?? 'Not assigned')}
    ${row('Contact attempts', html`<span data-testid="contact-counts">${s.successfulContacts} successful, ${s.failedContacts} failed</span>`)}
    ${row('Sessions held', html`<span data-testid="sessions-held">${s.sessions.length}</span>`)}
    ${row('Connected to', s.servicesConnected.length ? s.servicesConnected.map((x) => x.display).join(', ') : undefined)}
    ${row('Safeguarding', s.safeguarding?.flag ? html`<strong class="nhsuk-tag nhsuk-tag--red">Concern raised</strong> ${s.safeguarding.detail ?? ''}` : undefined)}
    ${row('Summary for the GP', s.summary)}
  </dl>
  ${obs.length ? html`<h3>Outcome measures</h3><table class="nhsuk-table" data-testid="outcomes"><thead class="nhsuk-table__head"><tr><th scope="col">Measure</th><th scope="col">Date</th><th scope="col">Score</th></tr></thead><tbody class="nhsuk-table__body">
    ${obs.map((o) => html`<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">${o.code.coding?.find((c) => c.system === CODE_SYSTEM.outcomeInstrument)?.display ?? o.code.text}</td>
      <td class="nhsuk-table__cell">${formatDate(o.effectiveDateTime)}</td><td class="nhsuk-table__cell">${scoreText(o)}</td></tr>`)}
  </tbody></table>` : ''}`;
}

function recordSection(s: CaseState): Html {
  if (s.entries.length === 0) return html``;
  return html`<h2>Case record</h2><ol class="nhsuk-list" data-testid="record" reversed>
    ${[...s.entries].reverse().map((e) => html`<li><p class="nhsuk-body-s nhsuk-u-margin-bottom-1"><strong>${formatDate(e.date)}</strong>${e.author ? ` · ${e.author}` : ''}</p><p class="ws-pre">${e.text}</p></li>`)}
  </ol>`;
}

function actions(d: CasePageData): Html {
  const s = d.state;
  const c: FormsContext = { caseId: s.id, version: s.versionId ?? '', csrfToken: d.csrfToken, today: d.today, states: d.forms };
  const assign = isManager(d.actor) ? assignForm(c, d.staff) : html``;
  if (isTerminal(s.status)) return html`<p>This case is closed. Nothing more can be recorded.</p>`;
  if (isNew(s.status)) return html`<div class="ws-actions">${acceptForm(c)}${declineForm(c)}${assign}${safeguardingForm(c)}</div>`;
  return html`<div class="ws-actions">
    ${contactForm(c, s.failedContacts, d.maxContactAttempts)}${sessionForm(c)}${planForm(c, d.directory)}${outcomeForms(c)}
    ${safeguardingForm(c)}${completeForm(c)}${closeForm(c)}${assign}</div>`;
}

export function casePage(d: CasePageData): string {
  const r = d.referral;
  const hasErrors = Object.values(d.forms).some((f) => Object.keys(f.errors).length > 0);
  const body = html`<span class="nhsuk-caption-l">Case</span>
  <h1 data-testid="case-title">${r.patient.name ?? 'Name not given'}</h1>
  <p class="ws-tag-row"><strong class="nhsuk-tag">${statusText(d.state.status)}</strong>
    ${d.state.safeguarding?.flag || r.safeguarding?.flag ? html`<strong class="nhsuk-tag nhsuk-tag--red">Safeguarding</strong>` : ''}</p>
  <div class="nhsuk-grid-row">
    <div class="nhsuk-grid-column-one-half">${caseSection(d)}</div>
    <div class="nhsuk-grid-column-one-half"><h2>Record your work</h2>${actions(d)}</div>
  </div>
  ${recordSection(d.state)}
  ${patientSection(r)}
  ${referralSection(r)}`;
  return page({ title: r.patient.name ?? 'Case', actor: d.actor, csrfToken: d.csrfToken, body, hasErrors, flash: d.flash });
}
