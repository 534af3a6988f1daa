import { html, type Html } from '../../http/html.js';
import type { FieldError } from '../../errors.js';
import { allFields, type Answers } from '../form-input.js';
import { SELF_REFERRAL_FORM, STEP_FIELDS, type Step } from '../self-referral-input.js';
import { answer, carried, choiceGroup, formCheckPage, formStepPage, personFields, personRows, summaryRow, YES_NO, type PersonWords } from './form-parts.js';
import { publicPage } from './layout.js';

type AskStep = Exclude<Step, 'check'>;

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

const SELF_WORDS: PersonWords = {
  own: true,
  dobLegend: 'What is your date of birth?',
  postcodeHint: 'The postcode of where you live. We use it to find your GP record.',
  nhsNumberLabel: 'NHS number (if you know it)',
  nhsNumberHint: 'This is a 10 digit number, like 485 777 3456. You can find it on letters from the NHS or in the NHS App. You can leave this blank.',
  contactIntro: 'Give us at least one way to contact you.',
  safeTimesLabel: 'When is a good time to contact you? (optional)',
  safeTimesHint: 'For example, weekday mornings. Tell us if there are times when it is not safe to call.',
  leaveMessage: 'Can we leave a message if you do not answer?',
  needsLegend: 'Choose all that apply',
  otherNeedLabel: 'If you chose something else, tell us what',
  whatMattersLabel: 'What matters to you? (optional)',
  whatMattersHint: 'Tell us a little about your life and what you would like to change. You do not have to.',
  accessLegend: 'Do you need any of these to talk to us? (optional)',
  languageLabel: 'If you need an interpreter, which language?',
  accessDetailLabel: 'Anything else that would help us contact you? (optional)',
};

const GROUP = { 'about-you': 'person', contact: 'contact', help: 'help', support: 'support' } as const;
const ALL_FIELDS = allFields(SELF_REFERRAL_FORM);

function stepFields(step: AskStep, a: Answers, e: FieldError[]): Html {
  if (step !== 'sharing') return personFields(GROUP[step], a, e, SELF_WORDS);
  return html`<p>A link worker is someone who can help you find support and activities near you. They work with your GP surgery.</p>
${choiceGroup(a, e, { name: 'consentService', legend: 'Do you agree that the link worker service can see what you tell us?', hint: 'They need this to help you. They keep it safe and only use it to help you.', type: 'radio', options: [{ code: 'yes', display: 'Yes, I agree' }, { code: 'no', display: 'No' }] })}
${choiceGroup(a, e, { name: 'consentGp', legend: 'Can we tell your GP that you asked for help?', hint: 'If you say yes, your GP record will show that you asked for help, and what happened at the end. You can still get help if you say no.', type: 'radio', options: YES_NO })}`;
}

export function stepPage(step: AskStep, a: Answers, errors: FieldError[] = []): string {
  return formStepPage({
    action: `/refer/${step}`,
    title: TITLES[step],
    index: SELF_REFERRAL_FORM.steps.indexOf(step) + 1,
    total: SELF_REFERRAL_FORM.steps.length,
    fields: stepFields(step, a, errors),
    carried: carried(a, ALL_FIELDS, STEP_FIELDS[step]),
    errors,
  });
}

export function checkPage(a: Answers, errors: FieldError[] = []): string {
  const rows = personRows(a, { person: 'about-you', contact: 'contact', help: 'help', support: 'support' }, { safeTimes: 'Good times to contact you', whatMatters: 'What matters to you', support: 'Help to talk to us' });
  return formCheckPage({
    action: '/refer/check',
    rows: [...rows.person, ...rows.contact, ...rows.help, summaryRow('Tell your GP', answer(a, 'consentGp') === 'yes' ? 'Yes' : 'No', 'sharing'), ...rows.support],
    carried: carried(a, ALL_FIELDS, []),
    errors,
    sendHeading: 'Now send your request',
    sendText: 'By sending this, you agree that the link worker service can see what you told us.',
    sendLabel: 'Send my request',
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
<a class="nhsuk-button" href="/refer/about-you" draggable="false" role="button" data-module="nhsuk-button">Start now</a>
<h2 class="nhsuk-heading-m">Are you a professional referring someone?</h2>
<p>If you work for a pharmacy, social care, housing, the police, a charity or a community group, <a href="/refer/agency">refer someone to a link worker</a> on the form for professionals.</p>`,
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
