import { ACCESSIBILITY_NEEDS, NEEDS } from '../../referral-model/codes.js';
import { html, type Html } from '../../http/html.js';
import type { FieldError } from '../../errors.js';
import { formatNhsNumber } from '../../fhir/nhs-number.js';
import { ALL_FIELDS, MAX, STEP_FIELDS, many, type Answers, type Step } from '../self-referral-input.js';
import { publicPage } from './layout.js';

/**
 * The self-referral form's pages. Answers travel from step to step as hidden fields (no session, no script), so the
 * form works in any browser; nothing is kept until the person sends it from "Check your answers".
 * Wording aims at a reading age of about 9: short sentences, everyday words, "you".
 */

const TITLES: Record<Step, string> = {
  'about-you': 'About you',
  contact: 'How can we contact you?',
  help: 'What would you like help with?',
  sharing: 'Sharing your information',
  support: 'Help to talk to us',
  check: 'Check your answers',
};

const one = (a: Answers, k: string) => {
  const v = a[k];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/** The answers of the other steps, carried as hidden fields. */
function carried(a: Answers, except: readonly string[]): Html[] {
  const keep = [...ALL_FIELDS.filter((f) => !except.includes(f)), 'submissionId', 'returnTo'];
  return keep.flatMap((k) => many(a, k).map((v) => html`<input type="hidden" name="${k}" value="${v}">`));
}

function errorSummary(errors: FieldError[]): Html {
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

function textInput(a: Answers, errors: FieldError[], o: { name: string; label: string; hint?: string; width?: number; autocomplete?: string; type?: string; inputmode?: string; max: number }): Html {
  const err = errorOf(errors, o.name);
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <label class="nhsuk-label" for="${o.name}">${o.label}</label>
  ${o.hint ? html`<div class="nhsuk-hint" id="${o.name}-hint">${o.hint}</div>` : ''}
  ${errorMessage(o.name, err)}
  <input class="nhsuk-input${o.width ? ` nhsuk-input--width-${o.width}` : ''}${err ? ' nhsuk-input--error' : ''}" id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${one(a, o.name)}" maxlength="${o.max + 20}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''} spellcheck="false"${describedBy(o.name, Boolean(o.hint), Boolean(err))}>
</div>`;
}

function textArea(a: Answers, errors: FieldError[], o: { name: string; label: string; hint?: string; max: number }): Html {
  const err = errorOf(errors, o.name);
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <label class="nhsuk-label" for="${o.name}">${o.label}</label>
  ${o.hint ? html`<div class="nhsuk-hint" id="${o.name}-hint">${o.hint}</div>` : ''}
  ${errorMessage(o.name, err)}
  <textarea class="nhsuk-textarea${err ? ' nhsuk-textarea--error' : ''}" id="${o.name}" name="${o.name}" rows="4" maxlength="${o.max}"${describedBy(o.name, Boolean(o.hint), Boolean(err))}>${one(a, o.name)}</textarea>
</div>`;
}

function choiceGroup(a: Answers, errors: FieldError[], o: { name: string; legend: string; hint?: string; type: 'radio' | 'checkbox'; options: readonly { code: string; display: string }[]; small?: boolean }): Html {
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

function dateOfBirth(a: Answers, errors: FieldError[]): Html {
  const err = errorOf(errors, 'dobDay');
  const part = (name: string, label: string, width: number, autocomplete: string) => html`<div class="nhsuk-date-input__item">
    <div class="nhsuk-form-group">
      <label class="nhsuk-label nhsuk-date-input__label" for="${name}">${label}</label>
      <input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-${width}${err ? ' nhsuk-input--error' : ''}" id="${name}" name="${name}" type="text" inputmode="numeric" autocomplete="${autocomplete}" value="${one(a, name)}" maxlength="4">
    </div></div>`;
  return html`<div class="nhsuk-form-group${err ? ' nhsuk-form-group--error' : ''}">
  <fieldset class="nhsuk-fieldset" role="group" aria-describedby="dob-hint${err ? ' dobDay-error' : ''}">
    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">What is your date of birth?</legend>
    <div class="nhsuk-hint" id="dob-hint">For example, 31 3 1980</div>
    ${errorMessage('dobDay', err)}
    <div class="nhsuk-date-input">
      ${part('dobDay', 'Day', 2, 'bday-day')}${part('dobMonth', 'Month', 2, 'bday-month')}${part('dobYear', 'Year', 4, 'bday-year')}
    </div>
  </fieldset>
</div>`;
}

const YES_NO = [{ code: 'yes', display: 'Yes' }, { code: 'no', display: 'No' }] as const;

function stepFields(step: Exclude<Step, 'check'>, a: Answers, e: FieldError[]): Html {
  switch (step) {
    case 'about-you':
      return html`${textInput(a, e, { name: 'givenName', label: 'First name', autocomplete: 'given-name', max: MAX.name })}
${textInput(a, e, { name: 'familyName', label: 'Last name', autocomplete: 'family-name', max: MAX.name })}
${dateOfBirth(a, e)}
${textInput(a, e, { name: 'postcode', label: 'Postcode', hint: 'The postcode of where you live. We use it to find your GP record.', width: 10, autocomplete: 'postal-code', max: MAX.postcode })}
${textInput(a, e, { name: 'nhsNumber', label: 'NHS number (if you know it)', hint: 'This is a 10 digit number, like 485 777 3456. You can find it on letters from the NHS or in the NHS App. You can leave this blank.', width: 10, inputmode: 'numeric', max: 12 })}`;
    case 'contact':
      return html`<p>Give us at least one way to contact you.</p>
${textInput(a, e, { name: 'phone', label: 'Phone number', type: 'tel', autocomplete: 'tel', width: 20, max: MAX.phone })}
${textInput(a, e, { name: 'email', label: 'Email address', type: 'email', autocomplete: 'email', max: MAX.email })}
${textArea(a, e, { name: 'safeTimes', label: 'When is a good time to contact you? (optional)', hint: 'For example, weekday mornings. Tell us if there are times when it is not safe to call.', max: MAX.safeTimes })}
${choiceGroup(a, e, { name: 'leaveMessage', legend: 'Can we leave a message if you do not answer?', type: 'radio', options: YES_NO, small: false })}`;
    case 'help':
      return html`${choiceGroup(a, e, { name: 'needs', legend: 'Choose all that apply', type: 'checkbox', options: NEEDS.map((n) => ({ code: n.code, display: n.code === 'other' ? 'Something else' : n.display })) })}
${textInput(a, e, { name: 'otherNeed', label: 'If you chose something else, tell us what', max: MAX.otherNeed })}
${textArea(a, e, { name: 'whatMatters', label: 'What matters to you? (optional)', hint: 'Tell us a little about your life and what you would like to change. You do not have to.', max: MAX.whatMatters })}`;
    case 'sharing':
      return html`<p>A link worker is someone who can help you find support and activities near you. They work with your GP surgery.</p>
${choiceGroup(a, e, { name: 'consentService', legend: 'Do you agree that the link worker service can see what you tell us?', hint: 'They need this to help you. They keep it safe and only use it to help you.', type: 'radio', options: [{ code: 'yes', display: 'Yes, I agree' }, { code: 'no', display: 'No' }] })}
${choiceGroup(a, e, { name: 'consentGp', legend: 'Can we tell your GP that you asked for help?', hint: 'If you say yes, your GP record will show that you asked for help, and what happened at the end. You can still get help if you say no.', type: 'radio', options: YES_NO })}`;
    case 'support':
      return html`${choiceGroup(a, e, { name: 'access', legend: 'Do you need any of these to talk to us? (optional)', type: 'checkbox', options: ACCESSIBILITY_NEEDS.map((n) => ({ code: n.code, display: n.code === 'other' ? 'Something else' : n.display })) })}
${textInput(a, e, { name: 'language', label: 'If you need an interpreter, which language?', max: MAX.language })}
${textArea(a, e, { name: 'accessDetail', label: 'Anything else that would help us contact you? (optional)', max: MAX.accessDetail })}`;
  }
}

/** The honeypot: a field people never see; a form that fills it in is from a program, and is dropped. */
const HONEYPOT = html`<div class="refer-hp" aria-hidden="true"><label for="website">Leave this blank</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>`;

export function stepPage(step: Exclude<Step, 'check'>, a: Answers, errors: FieldError[] = []): string {
  const index = (Object.keys(STEP_FIELDS) as Step[]).indexOf(step) + 1;
  const total = Object.keys(STEP_FIELDS).length;
  return publicPage({
    title: TITLES[step],
    hasErrors: errors.length > 0,
    body: html`${errorSummary(errors)}
<form method="post" action="/refer/${step}" novalidate>
  <span class="nhsuk-caption-l">Step ${index} of ${total}</span>
  <h1 class="nhsuk-heading-l">${TITLES[step]}</h1>
  ${stepFields(step, a, errors)}
  ${carried(a, STEP_FIELDS[step])}
  ${HONEYPOT}
  <button class="nhsuk-button" type="submit">Continue</button>
</form>`,
  });
}

function row(key: string, value: Html | string, step: Exclude<Step, 'check'>): Html {
  return html`<div class="nhsuk-summary-list__row">
  <dt class="nhsuk-summary-list__key">${key}</dt>
  <dd class="nhsuk-summary-list__value refer-pre">${value}</dd>
  <dd class="nhsuk-summary-list__actions"><button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" name="goto" value="${step}">Change<span class="nhsuk-u-visually-hidden"> ${key.toLowerCase()}</span></button></dd>
</div>`;
}

const label = (list: readonly { code: string; display: string }[], codes: string[]) => codes.map((c) => list.find((x) => x.code === c)?.display ?? c).join('\n');

export function checkPage(a: Answers, errors: FieldError[] = []): string {
  const needs = many(a, 'needs');
  const access = many(a, 'access');
  const dob = `${one(a, 'dobDay')} / ${one(a, 'dobMonth')} / ${one(a, 'dobYear')}`;
  return publicPage({
    title: TITLES.check,
    hasErrors: errors.length > 0,
    body: html`${errorSummary(errors)}
<form method="post" action="/refer/check" novalidate>
  <h1 class="nhsuk-heading-l">${TITLES.check}</h1>
  <dl class="nhsuk-summary-list">
    ${row('Name', `${one(a, 'givenName')} ${one(a, 'familyName')}`, 'about-you')}
    ${row('Date of birth', dob, 'about-you')}
    ${row('Postcode', one(a, 'postcode'), 'about-you')}
    ${row('NHS number', one(a, 'nhsNumber') ? formatNhsNumber(one(a, 'nhsNumber').replace(/[\s-]/g, '')) : 'Not given', 'about-you')}
    ${row('Phone', one(a, 'phone') || 'Not given', 'contact')}
    ${row('Email', one(a, 'email') || 'Not given', 'contact')}
    ${row('Good times to contact you', one(a, 'safeTimes') || 'Any time', 'contact')}
    ${row('Leave a message', one(a, 'leaveMessage') === 'yes' ? 'Yes' : 'No', 'contact')}
    ${row('Help with', [label(NEEDS, needs.filter((n) => n !== 'other')), needs.includes('other') ? one(a, 'otherNeed') : ''].filter(Boolean).join('\n'), 'help')}
    ${row('What matters to you', one(a, 'whatMatters') || 'Not given', 'help')}
    ${row('Tell your GP', one(a, 'consentGp') === 'yes' ? 'Yes' : 'No', 'sharing')}
    ${row('Help to talk to us', [label(ACCESSIBILITY_NEEDS, access.filter((x) => x !== 'other')), one(a, 'language') ? `Language: ${one(a, 'language')}` : '', one(a, 'accessDetail')].filter(Boolean).join('\n') || 'None', 'support')}
  </dl>
  ${carried(a, [])}
  ${HONEYPOT}
  <h2 class="nhsuk-heading-m">Now send your request</h2>
  <p>By sending this, you agree that the link worker service can see what you told us.</p>
  <button class="nhsuk-button" type="submit" name="send" value="yes">Send my request</button>
</form>`,
  });
}

export function startPage(): string {
  return publicPage({
    title: 'Ask for help from a social prescribing link worker',
    body: html`<h1 class="nhsuk-heading-xl">Ask for help from a social prescribing link worker</h1>
<p>A link worker can help you with things that affect your health and wellbeing, like feeling lonely, money worries, housing or caring for someone.</p>
<p>They will talk with you about what matters to you, and help you find support and activities near you.</p>
<p>You do not need to see your GP first. It takes about 5 minutes.</p>
<h2 class="nhsuk-heading-m">Before you start</h2>
<p>We will ask for your name, date of birth, postcode and a way to contact you.</p>
<div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>If you need help now</span></h3>
<p>This is not for emergencies. If you need help now, call NHS 111. In an emergency, call 999.</p></div>
<a class="nhsuk-button" href="/refer/about-you" draggable="false" role="button" data-module="nhsuk-button">Start now</a>`,
  });
}

export function confirmationPage(o: { reference: string; contactBy: string[]; gpTold: boolean }): string {
  return publicPage({
    title: 'Request sent',
    body: html`<div class="nhsuk-panel nhsuk-panel--confirmation">
  <h1 class="nhsuk-panel__title">Request sent</h1>
  <div class="nhsuk-panel__body">Your reference number<br><strong data-testid="reference">${o.reference}</strong></div>
</div>
<p>Write down your reference number. You may need it if you contact us.</p>
<h2 class="nhsuk-heading-m">What happens next</h2>
<ol class="nhsuk-list nhsuk-list--number">
  <li>A link worker will read your request.</li>
  <li>They will contact you by ${o.contactBy.join(' or ')} within 5 working days.</li>
  <li>They will talk with you about what matters to you, and what might help.</li>
</ol>
${o.gpTold ? html`<p>When we have found your GP record, we will tell your GP that you asked for help.</p>` : html`<p>We will not tell your GP.</p>`}
<p>If you need help now, call NHS 111. In an emergency, call 999.</p>`,
  });
}

export function limitedPage(): string {
  return publicPage({
    title: 'You have already sent a request',
    body: html`<h1 class="nhsuk-heading-l">You have already sent a request</h1>
<p>We have had several requests with these contact details today. A link worker will contact you soon.</p>
<p>If you need to change something, please wait for us to contact you.</p>
<p>If you need help now, call NHS 111. In an emergency, call 999.</p>`,
  });
}

export function notSentPage(): string {
  return publicPage({
    title: 'Sorry, there is a problem',
    body: html`<h1 class="nhsuk-heading-l">Sorry, there is a problem with the service</h1>
<p>We could not send your request. Nothing has been saved.</p>
<p>Please try again later.</p>
<p>If you need help now, call NHS 111. In an emergency, call 999.</p>`,
  });
}
