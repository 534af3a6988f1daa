import { html, type Html } from '../../http/html.js';
import type { FieldError } from '../../errors.js';
import { ACCESSIBILITY_NEEDS, NEEDS } from '../../referral-model/codes.js';
import { MAX, many, type Answers } from '../form-input.js';
import { formatNhsNumber } from '../../fhir/nhs-number.js';
import { publicPage } from './layout.js';

/**
 * The parts every referral form's pages are made of (NHS design system, no script): fields with their hints and
 * errors, the error summary, the answers of the other steps carried as hidden fields, the honeypot, a step page,
 * and the "Check your answers" page. Each form brings its own words.
 */

export const answer = (a: Answers, k: string) => {
  const v = a[k];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/** The answers of the other steps, carried as hidden fields (with the submission id and where to return). */
export function carried(a: Answers, fields: readonly string[], except: readonly string[]): Html[] {
  const keep = [...fields.filter((f) => !except.includes(f)), 'submissionId', 'returnTo'];
  return keep.flatMap((k) => many(a, k).map((v) => html`<input type="hidden" name="${k}" value="${v}">`));
}

export function errorSummary(errors: FieldError[]): Html {
  if (!errors.length) return html``;
  return html`<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">
  <h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>
  <div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list" role="list">
    ${errors.map((e) => html`<li><a href="#${e.path}">${e.message}</a></li>`)}
  </ul></div>
</div>`;
}

const errorOf = (errors: FieldError[], name: string) => errors.find((e) => e.path === name)?.message;

function errorMessage(name: string, msg: string | undefined): Html {
  return msg ? html`<span class="nhsuk-error-message" id="${name}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ${msg}</span>` : html``;
}

function describedBy(name: string, hint: boolean, err: boolean): Html {
  const ids = [hint ? `${name}-hint` : '', err ? `${name}-error` : ''].filter(Boolean).join(' ');
  return ids ? html` aria-describedby="${ids}"` : html``;
}

export function textInput(a: Answers, errors: FieldError[], o: { name: string; label: string; hint?: string; width?: number; autocomplete?: string; type?: string; inputmode?: string; max: number }): Html {
  const err = errorOf(errors, o.name);
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <label class="nhsuk-label" for="${o.name}">${o.label}</label>
  ${o.hint ? html`<div class="nhsuk-hint" id="${o.name}-hint">${o.hint}</div>` : ''}
  ${errorMessage(o.name, err)}
  <input class="nhsuk-input${o.width ? ` nhsuk-input--width-${o.width}` : ''}${err ? ' nhsuk-input--error' : ''}" id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${answer(a, o.name)}" maxlength="${o.max + 20}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''} spellcheck="false"${describedBy(o.name, Boolean(o.hint), Boolean(err))}>
</div>`;
}

export function textArea(a: Answers, errors: FieldError[], o: { name: string; label: string; hint?: string; max: number }): Html {
  const err = errorOf(errors, o.name);
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <label class="nhsuk-label" for="${o.name}">${o.label}</label>
  ${o.hint ? html`<div class="nhsuk-hint" id="${o.name}-hint">${o.hint}</div>` : ''}
  ${errorMessage(o.name, err)}
  <textarea class="nhsuk-textarea${err ? ' nhsuk-textarea--error' : ''}" id="${o.name}" name="${o.name}" rows="4" maxlength="${o.max}"${describedBy(o.name, Boolean(o.hint), Boolean(err))}>${answer(a, o.name)}</textarea>
</div>`;
}

export function choiceGroup(a: Answers, errors: FieldError[], o: { name: string; legend: string; hint?: string; type: 'radio' | 'checkbox'; options: readonly { code: string; display: string }[]; small?: boolean }): Html {
  const err = errorOf(errors, o.name);
  const chosen = many(a, o.name);
  const kind = o.type === 'radio' ? 'radios' : 'checkboxes';
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <fieldset class="nhsuk-fieldset"${describedBy(o.name, Boolean(o.hint), Boolean(err))}>
    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">${o.legend}</legend>
    ${o.hint ? html`<div class="nhsuk-hint" id="${o.name}-hint">${o.hint}</div>` : ''}
    ${errorMessage(o.name, err)}
    <div class="nhsuk-${kind}${o.small ? ` nhsuk-${kind}--small` : ''}">
      ${o.options.map((x, i) => html`<div class="nhsuk-${kind}__item">
        <input class="nhsuk-${kind}__input" id="${i === 0 ? o.name : `${o.name}-${x.code}`}" name="${o.name}" type="${o.type}" value="${x.code}"${chosen.includes(x.code) ? ' checked' : ''}>
        <label class="nhsuk-label nhsuk-${kind}__label" for="${i === 0 ? o.name : `${o.name}-${x.code}`}">${x.display}</label>
      </div>`)}
    </div>
  </fieldset>
</div>`;
}

/** `own`: the person filling it in is the person (browsers may fill in their own birthday), not a professional. */
export function dateOfBirth(a: Answers, errors: FieldError[], legend: string, own: boolean): Html {
  const err = errorOf(errors, 'dobDay');
  const part = (name: string, label: string, width: number, autocomplete: string) => html`<div class="nhsuk-date-input__item">
    <div class="nhsuk-form-group">
      <label class="nhsuk-label nhsuk-date-input__label" for="${name}">${label}</label>
      <input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-${width}${err ? ' nhsuk-input--error' : ''}" id="${name}" name="${name}" type="text" inputmode="numeric"${autocomplete ? html` autocomplete="${autocomplete}"` : ''} value="${answer(a, name)}" maxlength="4">
    </div></div>`;
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <fieldset class="nhsuk-fieldset" role="group" aria-describedby="dob-hint${err ? ' dobDay-error' : ''}">
    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">${legend}</legend>
    <div class="nhsuk-hint" id="dob-hint">For example, 31 3 1980</div>
    ${errorMessage('dobDay', err)}
    <div class="nhsuk-date-input">
      ${part('dobDay', 'Day', 2, own ? 'bday-day' : '')}${part('dobMonth', 'Month', 2, own ? 'bday-month' : '')}${part('dobYear', 'Year', 4, own ? 'bday-year' : '')}
    </div>
  </fieldset>
</div>`;
}

export const YES_NO = [{ code: 'yes', display: 'Yes' }, { code: 'no', display: 'No' }] as const;

/** The honeypot: a field people never see; a form that fills it in is from a program, and is dropped. */
export const HONEYPOT = html`<div class="refer-hp" aria-hidden="true"><label for="website">Leave this blank</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>`;

/** One step of a form: its fields, the other steps' answers carried, the honeypot, Continue. */
export function formStepPage(o: { action: string; title: string; index: number; total: number; fields: Html; carried: Html[]; errors: FieldError[]; before?: Html }): string {
  return publicPage({
    title: o.title,
    hasErrors: o.errors.length > 0,
    body: html`${errorSummary(o.errors)}${o.before ?? ''}
<form method="post" action="${o.action}" novalidate>
  <span class="nhsuk-caption-l">Step ${o.index} of ${o.total}</span>
  <h1 class="nhsuk-heading-l">${o.title}</h1>
  ${o.fields}
  ${o.carried}
  ${HONEYPOT}
  <button class="nhsuk-button" type="submit">Continue</button>
</form>`,
  });
}

/** A row of "Check your answers", with a Change button that goes back to the step that asked. */
export function summaryRow(key: string, value: Html | string, step: string): Html {
  return html`<div class="nhsuk-summary-list__row">
  <dt class="nhsuk-summary-list__key">${key}</dt>
  <dd class="nhsuk-summary-list__value refer-pre">${value}</dd>
  <dd class="nhsuk-summary-list__actions"><button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" name="goto" value="${step}">Change<span class="nhsuk-u-visually-hidden"> ${key.toLowerCase()}</span></button></dd>
</div>`;
}

/** The display of coded answers, one a line. */
export const codeLabels = (list: readonly { code: string; display: string }[], codes: string[]) => codes.map((c) => list.find((x) => x.code === c)?.display ?? c).join('\n');

/** "Check your answers": every answer with its Change button, and the send button with what sending means. */
export function formCheckPage(o: { action: string; rows?: Html[]; carried: Html[]; errors: FieldError[]; sendHeading: string; sendText: Html | string; sendLabel: string; sections?: { heading: string; rows: Html[] }[]; before?: Html }): string {
  return publicPage({
    title: 'Check your answers',
    hasErrors: o.errors.length > 0,
    body: html`${errorSummary(o.errors)}${o.before ?? ''}
<form method="post" action="${o.action}" novalidate>
  <h1 class="nhsuk-heading-l">Check your answers</h1>
  ${o.sections
    ? o.sections.map((s) => html`<h2 class="nhsuk-heading-m">${s.heading}</h2>
  <dl class="nhsuk-summary-list">${s.rows}</dl>`)
    : html`<dl class="nhsuk-summary-list">${o.rows ?? []}</dl>`}
  ${o.carried}
  ${HONEYPOT}
  <h2 class="nhsuk-heading-m">${o.sendHeading}</h2>
  <p>${o.sendText}</p>
  <button class="nhsuk-button" type="submit" name="send" value="yes">${o.sendLabel}</button>
</form>`,
  });
}


/** The fields about the person, in a form's words: shared by the self-referral and agency forms. */
export interface PersonWords {
  /** The person filling it in is the person: browsers may fill in their own details. */
  own: boolean;
  dobLegend: string;
  postcodeHint: string;
  nhsNumberLabel: string;
  nhsNumberHint: string;
  contactIntro: string;
  safeTimesLabel: string;
  safeTimesHint: string;
  leaveMessage: string;
  needsLegend: string;
  otherNeedLabel: string;
  whatMattersLabel: string;
  whatMattersHint: string;
  accessLegend: string;
  languageLabel: string;
  accessDetailLabel: string;
}

const somethingElse = (list: readonly { code: string; display: string }[]) => list.map((n) => ({ code: n.code, display: n.code === 'other' ? 'Something else' : n.display }));

/** The steps about the person (who they are, how to contact them, what help, what helps to talk), in `w`'s words. */
export function personFields(group: 'person' | 'contact' | 'help' | 'support', a: Answers, e: FieldError[], w: PersonWords): Html {
  const auto = (v: string) => (w.own ? v : 'off');
  switch (group) {
    case 'person':
      return html`${textInput(a, e, { name: 'givenName', label: 'First name', autocomplete: auto('given-name'), max: MAX.name })}
${textInput(a, e, { name: 'familyName', label: 'Last name', autocomplete: auto('family-name'), max: MAX.name })}
${dateOfBirth(a, e, w.dobLegend, w.own)}
${textInput(a, e, { name: 'postcode', label: 'Postcode', hint: w.postcodeHint, width: 10, autocomplete: auto('postal-code'), max: MAX.postcode })}
${textInput(a, e, { name: 'nhsNumber', label: w.nhsNumberLabel, hint: w.nhsNumberHint, width: 10, inputmode: 'numeric', max: 12 })}`;
    case 'contact':
      return html`<p>${w.contactIntro}</p>
${textInput(a, e, { name: 'phone', label: 'Phone number', type: 'tel', autocomplete: auto('tel'), width: 20, max: MAX.phone })}
${textInput(a, e, { name: 'email', label: 'Email address', type: 'email', autocomplete: auto('email'), max: MAX.email })}
${textArea(a, e, { name: 'safeTimes', label: w.safeTimesLabel, hint: w.safeTimesHint, max: MAX.safeTimes })}
${choiceGroup(a, e, { name: 'leaveMessage', legend: w.leaveMessage, type: 'radio', options: YES_NO })}`;
    case 'help':
      return html`${choiceGroup(a, e, { name: 'needs', legend: w.needsLegend, type: 'checkbox', options: somethingElse(NEEDS) })}
${textInput(a, e, { name: 'otherNeed', label: w.otherNeedLabel, max: MAX.otherNeed })}
${textArea(a, e, { name: 'whatMatters', label: w.whatMattersLabel, hint: w.whatMattersHint, max: MAX.whatMatters })}`;
    case 'support':
      return html`${choiceGroup(a, e, { name: 'access', legend: w.accessLegend, type: 'checkbox', options: somethingElse(ACCESSIBILITY_NEEDS) })}
${textInput(a, e, { name: 'language', label: w.languageLabel, max: MAX.language })}
${textArea(a, e, { name: 'accessDetail', label: w.accessDetailLabel, max: MAX.accessDetail })}`;
  }
}

/** The answers about the person as "Check your answers" rows (`steps` names the step that asked for each group). */
export function personRows(a: Answers, steps: Record<'person' | 'contact' | 'help' | 'support', string>, w: { safeTimes: string; whatMatters: string; support: string }): { person: Html[]; contact: Html[]; help: Html[]; support: Html[] } {
  const needs = many(a, 'needs');
  const access = many(a, 'access');
  return {
    person: [
      summaryRow('Name', `${answer(a, 'givenName')} ${answer(a, 'familyName')}`, steps.person),
      summaryRow('Date of birth', `${answer(a, 'dobDay')} / ${answer(a, 'dobMonth')} / ${answer(a, 'dobYear')}`, steps.person),
      summaryRow('Postcode', answer(a, 'postcode'), steps.person),
      summaryRow('NHS number', answer(a, 'nhsNumber') ? formatNhsNumber(answer(a, 'nhsNumber').replace(/[\s-]/g, '')) : 'Not given', steps.person),
    ],
    contact: [
      summaryRow('Phone', answer(a, 'phone') || 'Not given', steps.contact),
      summaryRow('Email', answer(a, 'email') || 'Not given', steps.contact),
      summaryRow(w.safeTimes, answer(a, 'safeTimes') || 'Any time', steps.contact),
      summaryRow('Leave a message', answer(a, 'leaveMessage') === 'yes' ? 'Yes' : 'No', steps.contact),
    ],
    help: [
      summaryRow('Help with', [codeLabels(NEEDS, needs.filter((n) => n !== 'other')), needs.includes('other') ? answer(a, 'otherNeed') : ''].filter(Boolean).join('\n'), steps.help),
      summaryRow(w.whatMatters, answer(a, 'whatMatters') || 'Not given', steps.help),
    ],
    support: [
      summaryRow(w.support, [codeLabels(ACCESSIBILITY_NEEDS, access.filter((x) => x !== 'other')), answer(a, 'language') ? `Language: ${answer(a, 'language')}` : '', answer(a, 'accessDetail')].filter(Boolean).join('\n') || 'None', steps.support),
    ],
  };
}
