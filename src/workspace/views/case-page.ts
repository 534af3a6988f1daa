import type { Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM, displayOf } from '../../referral-model/codes.js';
import type { DirectoryEntry, StaffMember } from '../data/link-worker-store.js';
import { isManager, type Actor } from '../domain/actor.js';
import type { CaseState } from '../domain/case-state.js';
import { isNewTaskStatus, isTerminalTaskStatus } from '../../referral-model/task-status.js';
import { linkWorkerStatusLabel } from '../../referral-model/status-labels.js';
import { scoreText } from '../domain/outcome-observation.js';
import type { ReferralDetails } from '../domain/referral-details.js';
import type { FollowUp } from '../domain/follow-up.js';
import {
  acceptForm, assignForm, closeForm, signpostForm, completeForm, contactForm, correctOutcomeForm, declineForm, needsForm, outcomeErrorForm, outcomeForms, planForm, safeguardingForm, sessionForm,
  type FormsContext,
} from './case-forms.js';
import { formatDate, formatNhsNumber, html, type Html } from './html.js';
import { formatLondonDateTime as formatDateTime } from '../../time/london.js';
import { page } from './layout.js';
import { onwardSection, type OnwardSearch } from './onward-views.js';
import type { OnwardView } from '../../referral-model/onward-referral.js';
import { taskPhase } from '../../referral-model/task-status.js';
import { referralSourceLabel } from '../../referral-model/referral-source.js';
import type { IdentityCheck } from '../domain/identity-check.js';
import { identitySection } from './identity-views.js';

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
  /** A new referral past its response target: when the response was due, and the target in hours. */
  overdue?: { since: string; hours: number };
  /** The change just saved: confirmed in the section it changed, which the redirect scrolls to. */
  saved?: { section: CaseSection; message: string };
  /** False when the case cannot be referred on (its referral is not held in a GP record). */
  canReferOnward?: boolean;
  /** Onward referrals to community groups (sub-Tasks), each with its live status. */
  onward?: readonly OnwardView[];
  /** The organisation's own Organization/HealthcareService references. */
  ownProviders?: ReadonlySet<string>;
  /** The onward-referral picker's search and results (an open case that can be referred on). */
  onwardSearch?: OnwardSearch;
  /** A referral from the person or an agency: who SP Link decided they are in the GP record, with the evidence. */
  identity?: IdentityCheck;
  /** A completed case's follow-up open now (due, or recorded today): the outcome measures can be repeated. */
  followUp?: FollowUp;
}

/** The parts of the case page a save can change; each is a fragment target (`/workspace/cases/:id#outcomes`). */
export type CaseSection = 'case-summary' | 'outcomes' | 'case-record';

/** nhsuk success notification banner: "Saved" and what was saved. */
function savedBanner(message: string): Html {
  return html`<div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="saved-title" data-testid="saved">
  <div class="nhsuk-notification-banner__header"><h2 class="nhsuk-notification-banner__title" id="saved-title">Saved</h2></div>
  <div class="nhsuk-notification-banner__content"><p class="nhsuk-notification-banner__heading">${message}</p></div>
</div>`;
}

const bannerFor = (d: CasePageData, section: CaseSection) => (d.saved?.section === section ? savedBanner(d.saved.message) : html``);

const row = (key: string, value: Html | string | undefined) =>
  value === undefined || value === '' ? html`` : html`<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">${key}</dt><dd class="nhsuk-summary-list__value">${value}</dd></div>`;

function patientSection(r: ReferralDetails): Html {
  const p = r.patient;
  return html`<h2>Person</h2><dl class="nhsuk-summary-list" data-testid="patient">
    ${row('Name', p.name)}${row('NHS number', formatNhsNumber(p.nhsNumber))}${row('Date of birth', formatDate(p.birthDate))}
    ${row('Gender', p.gender)}${row('Phone', p.phones.join(', '))}${row('Email', p.emails.join(', '))}${row('Address', p.address)}${row('Language', p.language)}
  </dl>`;
}

/** The consent and its scope: whether the person agreed to their GP being told (referrals not from the GP say). */
function consentText(r: ReferralDetails): string {
  if (!r.consent) return 'Not recorded';
  const given = `Given${r.consent.date ? ` on ${formatDate(r.consent.date)}` : ''}${r.consent.recorder ? `, recorded by ${r.consent.recorder}` : ''}`;
  if (r.consent.shareWithGp === undefined) return given;
  return `${given}. ${r.consent.shareWithGp ? 'The person agreed to their GP being told.' : 'The person did not agree to their GP being told: do not contact the GP about this referral.'}`;
}

function referralSection(r: ReferralDetails): Html {
  const fromGp = r.source === 'gp';
  return html`<h2>Referral</h2><dl class="nhsuk-summary-list" data-testid="referral">
    ${row('Source', html`<span data-testid="referral-source">${referralSourceLabel(r.source)}</span>`)}
    ${row('Referred by', r.requester)}${row('Referred on', formatDate(r.authoredOn))}${row('Service', r.service)}
    ${row(r.gpChoice?.suggested ? 'Service suggested by the GP' : 'Service chosen by the GP', r.gpChoice?.name)}${row('Urgency', r.urgency)}
    ${row('Needs', r.needs.length ? html`<ul class="nhsuk-list">${r.needs.map((n) => html`<li>${n}</li>`)}</ul>` : undefined)}
    ${r.needsChange ? row('Needs now', html`<ul class="nhsuk-list" data-testid="needs-now">${r.needsChange.needs.map((n) => html`<li>${n}</li>`)}</ul>
      <p class="nhsuk-body-s">Changed${r.needsChange.by ? ` by ${r.needsChange.by}` : ''}${r.needsChange.at ? ` on ${formatDate(r.needsChange.at)}` : ''}${r.needsChange.reason ? `: ${r.needsChange.reason}` : ''}</p>`) : ''}
    ${row(fromGp ? 'Notes from the GP' : 'Notes', r.notes.length ? html`${r.notes.map((n) => html`<p>${n}</p>`)}` : undefined)}
    ${row('Consent', html`<span data-testid="consent">${consentText(r)}</span>`)}
    ${row('Contact by', r.contact?.methods.join(', '))}
    ${row('Safe times to contact', r.contact?.safeTimes)}
    ${row('Leave a message', r.contact?.leaveMessage === undefined ? undefined : r.contact.leaveMessage ? 'Yes' : 'No')}
    ${row('Accessibility needs', r.accessibility.length ? html`<ul class="nhsuk-list">${r.accessibility.map((a) => html`<li>${a.type}${a.language ? ` (${a.language})` : ''}${a.detail ? `: ${a.detail}` : ''}</li>`)}</ul>` : 'None recorded')}
    ${row('Safeguarding', r.safeguarding?.flag ? html`<strong class="nhsuk-tag nhsuk-tag--red">Concern flagged by the ${fromGp ? 'GP' : 'referrer'}</strong> ${r.safeguarding.detail ?? ''}` : 'No concern flagged')}
  </dl>`;
}

const measureName = (o: Observation) => o.code.coding?.find((c) => c.system === CODE_SYSTEM.outcomeInstrument)?.display ?? o.code.text ?? 'Outcome measure';

/** A score as recorded: struck out when recorded in error, tagged when corrected. */
function scoreCell(o: Observation): Html {
  if (o.status === 'entered-in-error') return html`<s>${scoreText(o)}</s> <strong class="nhsuk-tag nhsuk-tag--grey" data-testid="in-error">Recorded in error</strong>`;
  if (o.status === 'corrected' || o.status === 'amended') return html`${scoreText(o)} <strong class="nhsuk-tag nhsuk-tag--blue" data-testid="corrected">Corrected</strong>`;
  return html`${scoreText(o)}`;
}

/** Correct / recorded-in-error forms for each measure still standing; allowed on closed cases too. */
function fixForms(d: CasePageData, obs: Observation[]): Html {
  if (d.state.status === 'entered-in-error') return html``;
  const c = formsContext(d);
  const open = obs.filter((o) => o.status !== 'entered-in-error');
  if (open.length === 0) return html``;
  return html`<div class="ws-actions" data-testid="outcome-fixes">${open.map((o) => {
    const label = `${measureName(o)}, ${formatDate(o.effectiveDateTime)}`;
    return html`${correctOutcomeForm(c, o, label)}${outcomeErrorForm(c, o, label)}`;
  })}</div>`;
}

const formsContext = (d: CasePageData): FormsContext => ({ caseId: d.state.id, version: d.state.versionId ?? '', csrfToken: d.csrfToken, today: d.today, states: d.forms });

function caseSection(d: CasePageData): Html {
  const s = d.state;
  const obs = [...d.observations].sort((a, b) => (a.effectiveDateTime ?? '').localeCompare(b.effectiveDateTime ?? ''));
  return html`<div id="case-summary" class="ws-section">${bannerFor(d, 'case-summary')}<h2>Case</h2><dl class="nhsuk-summary-list" data-testid="case">
    ${row('Status', html`<span data-testid="case-status">${linkWorkerStatusLabel(s.status)}</span>`)}
    ${row('Progress', s.businessStatus ? displayOf('businessStatus', s.businessStatus) : undefined)}
    ${row('Reason', s.statusReason ? (displayOf('statusReason', s.statusReason) ?? s.statusReason) : undefined)}
    ${row('Link worker', s.assignee?.display ?? s.assignee?.reference ?? 'Not assigned')}
    ${row('Contact attempts', html`<span data-testid="contact-counts">${s.successfulContacts} successful, ${s.failedContacts} failed</span>`)}
    ${row('Sessions held', html`<span data-testid="sessions-held">${s.sessions.length}</span>`)}
    ${row('Connected to', s.servicesConnected.length ? s.servicesConnected.map((x) => x.display).join(', ') : undefined)}
    ${row('Safeguarding', s.safeguarding?.flag ? html`<strong class="nhsuk-tag nhsuk-tag--red">Concern raised</strong> ${s.safeguarding.detail ?? ''}` : undefined)}
    ${row('Summary for the GP', s.summary)}
  </dl></div>
  ${obs.length ? html`<div id="outcomes" class="ws-section">${bannerFor(d, 'outcomes')}<h3>Outcome measures</h3><table class="nhsuk-table" data-testid="outcomes"><thead class="nhsuk-table__head"><tr><th scope="col">Measure</th><th scope="col">Date</th><th scope="col">Score</th></tr></thead><tbody class="nhsuk-table__body">
    ${obs.map((o) => html`<tr class="nhsuk-table__row" data-observation="${o.id ?? ''}"><td class="nhsuk-table__cell">${measureName(o)}</td>
      <td class="nhsuk-table__cell">${formatDate(o.effectiveDateTime)}</td><td class="nhsuk-table__cell">${scoreCell(o)}</td></tr>`)}
  </tbody></table></div>${fixForms(d, obs)}` : ''}`;
}

function recordSection(d: CasePageData): Html {
  const s = d.state;
  if (s.entries.length === 0) return html``;
  return html`<div id="case-record" class="ws-section">${bannerFor(d, 'case-record')}<h2>Case record</h2><ol class="nhsuk-list" data-testid="record" reversed>
    ${[...s.entries].reverse().map((e) => html`<li><p class="nhsuk-body-s nhsuk-u-margin-bottom-1"><strong>${formatDate(e.date)}</strong>${e.author ? ` · ${e.author}` : ''}</p><p class="ws-pre">${e.text}</p></li>`)}
  </ol></div>`;
}

function actions(d: CasePageData): Html {
  const s = d.state;
  const c = formsContext(d);
  const assign = isManager(d.actor) ? assignForm(c, d.staff) : html``;
  if (d.followUp && s.status === 'completed') {
    const f = d.followUp;
    return html`<div class="nhsuk-inset-text" data-testid="follow-up-due"><span class="nhsuk-u-visually-hidden">Information: </span>
      <p>${f.doneOn ? `Follow-up at ${f.months} months recorded today. Record any other measures repeated with it.` : `Follow-up at ${f.months} months due since ${formatDate(f.dueOn)}: repeat the person’s outcome measures. The GP sees them like any other.`}</p></div>
    <div class="ws-actions">${outcomeForms(c)}</div>`;
  }
  if (isTerminalTaskStatus(s.status)) return html`<p>This case is closed. Nothing more can be recorded; outcome measures can still be corrected.</p>`;
  if (isNewTaskStatus(s.status)) return html`<div class="ws-actions">${acceptForm(c)}${signpostForm(c, d.directory)}${declineForm(c)}${assign}${safeguardingForm(c)}</div>`;
  return html`<div class="ws-actions">
    ${contactForm(c, s.failedContacts, d.maxContactAttempts)}${sessionForm(c)}${planForm(c, d.directory)}${needsForm(c, d.referral.needsChange?.codes ?? d.referral.needCodes)}${outcomeForms(c)}
    ${safeguardingForm(c)}${completeForm(c)}${closeForm(c)}${assign}</div>`;
}

export function casePage(d: CasePageData): string {
  const r = d.referral;
  const hasErrors = Object.values(d.forms).some((f) => Object.keys(f.errors).length > 0);
  const body = html`<span class="nhsuk-caption-l">Case</span>
  <h1 data-testid="case-title">${r.patient.name ?? 'Name not given'}</h1>
  <p class="ws-tag-row"><strong class="nhsuk-tag">${linkWorkerStatusLabel(d.state.status)}</strong>
    ${d.state.safeguarding?.flag || r.safeguarding?.flag ? html`<strong class="nhsuk-tag nhsuk-tag--red">Safeguarding</strong>` : ''}
    ${d.overdue ? html`<strong class="nhsuk-tag nhsuk-tag--red" data-testid="overdue">Overdue</strong>` : ''}</p>
  ${d.overdue ? html`<p data-testid="overdue-detail">A response was due by ${formatDateTime(d.overdue.since)}, ${d.overdue.hours} hours after the referral for its urgency (${r.urgency}). Accept or decline it.</p>` : ''}
  <div class="nhsuk-grid-row">
    <div class="nhsuk-grid-column-one-half">${caseSection(d)}
      ${onwardSection({ caseId: d.state.id, csrfToken: d.csrfToken, referrals: d.onward ?? [], search: d.onwardSearch, open: taskPhase(d.state.status) === 'open' && d.canReferOnward !== false, form: d.forms.onward, forms: d.forms })}</div>
    <div class="nhsuk-grid-column-one-half"><h2>Record your work</h2>${actions(d)}</div>
  </div>
  ${recordSection(d)}
  ${patientSection(r)}
  ${referralSection(r)}
  ${d.identity ? identitySection(d.identity, { ...(isManager(d.actor) && d.identity.awaitingReview ? { reviewHref: `/workspace/identity-reviews/${d.identity.referralId}` } : {}) }) : ''}`;
  // A section that is not on the page (cannot happen after a save that changed it) falls back to the page banner.
  const shown = d.saved && body.value.includes('id="saved-title"');
  const flash = d.flash ?? (d.saved && !shown ? d.saved.message : undefined);
  return page({ title: r.patient.name ?? 'Case', actor: d.actor, csrfToken: d.csrfToken, body, hasErrors, flash });
}
