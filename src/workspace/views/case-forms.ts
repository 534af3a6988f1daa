import type { Observation } from '@medplum/fhirtypes';
import { CONTACT_METHODS, INSTRUMENTS, NEEDS, SESSION_MODES, SOCIAL_OUTCOMES, findInstrument, type Instrument } from '../../referral-model/codes.js';
import { instrumentCodeOf } from '../../referral-model/outcome-observation.js';
import { scoreText } from '../domain/outcome-observation.js';
import type { DirectoryEntry, StaffMember } from '../data/link-worker-store.js';
import { LINK_WORKER_REASONS, scoreField, textField, type OutcomeFix } from '../domain/schemas.js';
import { EMPTY_FORM, choices, errorSummary, input, select, textarea, type FormState } from './fields.js';
import { html, type Html } from './html.js';

/** The instruments the workspace offers (issue scope); codes.ts knows more. */
export const WORKSPACE_INSTRUMENTS = ['swemwbs', 'ons4', 'ucla3', 'mycaw'] as const;

export interface FormsContext {
  caseId: string;
  version: string;
  csrfToken: string;
  today: string;
  /** Form key → state, for the form that was just submitted with errors (or restored after sign-in). */
  states: Record<string, FormState>;
}

const st = (c: FormsContext, key: string) => c.states[key] ?? EMPTY_FORM;

function form(c: FormsContext, key: string, action: string, title: string, fields: Html, button: string, opts: { warning?: boolean; open?: boolean } = {}): Html {
  const state = st(c, key);
  const open = opts.open || Object.keys(state.errors).length > 0 || Object.keys(state.values).length > 0;
  return html`<details class="nhsuk-details" id="form-${key}"${open ? ' open' : ''}>
  <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">${title}</span></summary>
  <div class="nhsuk-details__text">
    ${errorSummary(key, state.errors)}
    <form method="post" action="/workspace/cases/${c.caseId}/${action}" novalidate data-form="${key}">
      <input type="hidden" name="_csrf" value="${c.csrfToken}">
      <input type="hidden" name="version" value="${c.version}">
      ${fields}
      <button class="nhsuk-button${opts.warning ? ' nhsuk-button--warning' : ''}" type="submit">${button}</button>
    </form>
  </div>
</details>`;
}

export function acceptForm(c: FormsContext): Html {
  return html`<form method="post" action="/workspace/cases/${c.caseId}/accept" data-form="accept">
    <input type="hidden" name="_csrf" value="${c.csrfToken}"><input type="hidden" name="version" value="${c.version}">
    <button class="nhsuk-button" type="submit">Accept referral</button></form>`;
}

export function declineForm(c: FormsContext): Html {
  const s = st(c, 'decline');
  return form(c, 'decline', 'decline', 'Decline referral', html`
    ${select({ form: 'decline', name: 'reason', label: 'Reason for declining', state: s, options: LINK_WORKER_REASONS })}
    ${textarea({ form: 'decline', name: 'note', label: 'Note for the GP (optional)', state: s, rows: 3 })}`, 'Decline referral', { warning: true });
}

/** Signpost only: information about other support instead of link-worker support; the referral ends. */
export function signpostForm(c: FormsContext, directory: DirectoryEntry[]): Html {
  const s = st(c, 'signpost');
  return form(c, 'signpost', 'signpost', 'Signpost only', html`
    <p class="nhsuk-body-s">When the person needs information about other support rather than a link worker. The referral ends, and the referrer is told what you offered.</p>
    ${choices({ form: 'signpost', name: 'services', label: 'Services you told the person about (optional)', type: 'checkbox', state: s, small: true, options: directory.map((d) => ({ code: d.id, display: d.name, hint: [d.provider, d.type].filter(Boolean).join(' · ') })) })}
    ${textarea({ form: 'signpost', name: 'advice', label: 'What information or advice did you give?', state: s, rows: 3 })}`, 'Signpost and end the referral');
}

export function assignForm(c: FormsContext, staff: StaffMember[]): Html {
  const s = st(c, 'assign');
  return form(c, 'assign', 'assign', 'Assign to a link worker', html`
    ${select({ form: 'assign', name: 'linkWorker', label: 'Link worker', state: s, options: staff.map((m) => ({ code: m.reference, display: m.name })) })}`, 'Assign');
}

export function contactForm(c: FormsContext, failed: number, max: number): Html {
  const s = st(c, 'contact');
  return form(c, 'contact', 'contact', 'Record a contact attempt', html`
    <p class="nhsuk-body-s">Failed attempts so far: ${failed} of ${max}. After ${max} failed attempts without contact the referral goes back to the GP as "could not contact".</p>
    ${input({ form: 'contact', name: 'date', label: 'Date of the attempt', type: 'date', state: s, max: c.today, value: c.today, width: 10 })}
    ${select({ form: 'contact', name: 'method', label: 'How you tried to make contact', state: s, options: CONTACT_METHODS })}
    ${choices({ form: 'contact', name: 'outcome', label: 'Did you make contact?', type: 'radio', state: s, small: true, options: [{ code: 'successful', display: 'Yes, we spoke' }, { code: 'unsuccessful', display: 'No, no contact' }] })}
    ${textarea({ form: 'contact', name: 'note', label: 'Note (optional)', state: s, rows: 2 })}`, 'Save contact attempt');
}

export function sessionForm(c: FormsContext): Html {
  const s = st(c, 'session');
  return form(c, 'session', 'session', 'Record a session', html`
    ${input({ form: 'session', name: 'date', label: 'Session date', type: 'date', state: s, max: c.today, value: c.today, width: 10 })}
    ${choices({ form: 'session', name: 'mode', label: 'How did the session take place?', type: 'radio', state: s, small: true, options: SESSION_MODES })}
    ${input({ form: 'session', name: 'durationMinutes', label: 'Duration in minutes', state: s, inputmode: 'numeric', width: 4 })}
    ${textarea({ form: 'session', name: 'notes', label: 'Notes (optional)', hint: 'What you talked about, what the person wants to do next.', state: s })}`, 'Save session');
}

export function planForm(c: FormsContext, directory: DirectoryEntry[]): Html {
  const s = st(c, 'plan');
  return form(c, 'plan', 'plan', 'Personalised plan', html`
    ${textarea({ form: 'plan', name: 'whatMatters', label: 'What matters to the person', state: s, rows: 3 })}
    ${textarea({ form: 'plan', name: 'goals', label: 'Goals', hint: 'One goal per line, agreed with the person.', state: s, rows: 4 })}
    ${choices({ form: 'plan', name: 'services', label: 'Community services connected to (optional)', type: 'checkbox', state: s, small: true, options: directory.map((d) => ({ code: d.id, display: d.name, hint: [d.provider, d.type].filter(Boolean).join(' · ') })) })}`, 'Save plan');
}

/** Change the person's needs after referral: the needs now (the current ones ticked) and why; the GP sees both. */
export function needsForm(c: FormsContext, current: readonly string[]): Html {
  const s = st(c, 'needs');
  const ticked: FormState = Object.keys(s.values).length ? s : { values: { needs: [...current] }, errors: {} };
  return form(c, 'needs', 'needs', 'Change the person’s needs', html`
    <p class="nhsuk-body-s">When the needs you find differ from the referral. The GP sees the needs now and your reason.</p>
    ${choices({ form: 'needs', name: 'needs', label: 'The person’s needs now', type: 'checkbox', state: ticked, small: true, options: NEEDS })}
    ${textarea({ form: 'needs', name: 'reason', label: 'Why have the needs changed?', state: s, rows: 3 })}`, 'Save needs');
}

export function outcomeForm(c: FormsContext, inst: Instrument): Html {
  const key = `outcome-${inst.code}`;
  const s = st(c, key);
  const parts = scoreParts(inst);
  return form(c, key, 'outcome', `Outcome measure: ${inst.display}`, html`
    <input type="hidden" name="instrument" value="${inst.code}">
    <p class="nhsuk-body-s">Take it at the first session and again at the last.</p>
    ${input({ form: key, name: 'date', label: 'Date taken', type: 'date', state: s, max: c.today, value: c.today, width: 10 })}
    ${parts.map((p) => html`${'worded' in p && p.worded ? input({ form: key, name: textField(p.code), label: p.worded, state: s }) : ''}
    ${input({ form: key, name: scoreField(p.code), label: `${p.display} (${p.min} to ${p.max})`, state: s, inputmode: 'numeric', width: 3 })}`)}`, 'Save outcome measure');
}

/** Form key of a correction form: one per recorded measure and kind of fix. */
export const fixFormKey = (action: OutcomeFix, observationId: string) => `${action === 'correct-outcome' ? 'correct' : 'in-error'}-${observationId}`;

const scoreParts = (inst: Instrument) => [...(inst.total ? [{ code: 'total', display: 'Total score', min: inst.total.min, max: inst.total.max }] : []), ...inst.items];

const observed = (o: Observation) => html`<input type="hidden" name="observation" value="${o.id ?? ''}">
      <input type="hidden" name="observationVersion" value="${o.meta?.versionId ?? ''}">`;

/** "Correct": new scores and a reason; the measure becomes `corrected` and the GP record follows. */
export function correctOutcomeForm(c: FormsContext, o: Observation, label: string): Html {
  const inst = findInstrument(instrumentCodeOf(o) ?? '');
  if (!inst || !o.id) return html``;
  const key = fixFormKey('correct-outcome', o.id);
  const s = st(c, key);
  return form(c, key, 'correct-outcome', `Correct ${label}`, html`
    ${observed(o)}
    <p class="nhsuk-body-s">Recorded: ${scoreText(o)}. The corrected scores replace these here and in the GP record.</p>
    ${scoreParts(inst).map((p) => input({ form: key, name: scoreField(p.code), label: `${p.display} (${p.min} to ${p.max})`, state: s, inputmode: 'numeric', width: 3 }))}
    ${textarea({ form: key, name: 'reason', label: 'Why are you correcting it?', state: s, rows: 2 })}`, 'Save correction');
}

/** "Recorded in error": the measure becomes `entered-in-error`, here and in the GP record; never deleted. */
export function outcomeErrorForm(c: FormsContext, o: Observation, label: string): Html {
  if (!o.id) return html``;
  const key = fixFormKey('outcome-error', o.id);
  const s = st(c, key);
  return form(c, key, 'outcome-error', `Recorded in error: ${label}`, html`
    ${observed(o)}
    <p class="nhsuk-body-s">For a measure that should not have been recorded, for example against the wrong person. It stays in the record, struck out.</p>
    ${textarea({ form: key, name: 'reason', label: 'Why was it recorded in error?', state: s, rows: 2 })}`, 'Mark as recorded in error', { warning: true });
}

export const outcomeForms = (c: FormsContext) =>
  (INSTRUMENTS as readonly Instrument[]).filter((i) => (WORKSPACE_INSTRUMENTS as readonly string[]).includes(i.code)).map((i) => outcomeForm(c, i));

export function safeguardingForm(c: FormsContext): Html {
  const s = st(c, 'safeguarding');
  return form(c, 'safeguarding', 'safeguarding', 'Raise a safeguarding concern', html`
    <p class="nhsuk-body-s">Follow your organisation's safeguarding procedure as well. This tells the GP urgently.</p>
    ${textarea({ form: 'safeguarding', name: 'detail', label: 'What is the concern?', state: s })}`, 'Raise concern with the GP', { warning: true });
}

export function completeForm(c: FormsContext): Html {
  const s = st(c, 'complete');
  return form(c, 'complete', 'complete', 'Complete with a summary for the GP', html`
    ${textarea({ form: 'complete', name: 'summary', label: 'Summary for the GP', hint: 'What the person did, what changed, and any follow-up.', state: s, rows: 5 })}
    ${choices({ form: 'complete', name: 'socialOutcomes', label: 'What changed in the person’s life (optional)', hint: 'Tick each one that happened during support. The GP sees them with the outcome measures.', type: 'checkbox', state: s, small: true, options: SOCIAL_OUTCOMES })}`, 'Complete case');
}

export function closeForm(c: FormsContext): Html {
  const s = st(c, 'close');
  return form(c, 'close', 'close', 'Close the case', html`
    ${select({ form: 'close', name: 'reason', label: 'Reason for closing', state: s, options: LINK_WORKER_REASONS })}
    ${textarea({ form: 'close', name: 'note', label: 'Note for the GP (optional)', state: s, rows: 3 })}`, 'Close case', { warning: true });
}
