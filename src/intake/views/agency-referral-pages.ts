import { html, type Html } from '../../http/html.js';
import type { FieldError } from '../../errors.js';
import { REFERRER_QUESTIONS, URGENCIES } from '../../referral-model/codes.js';
import type { AgencyReferral } from '../agency-referral.js';
import type { SignedInAgency } from '../agency-sign-in.js';
import { AGENCY_FIELDS, AGENCY_REFERRAL_FORM, AGENCY_STEPS, odsKey, type AgencyStep } from '../agency-referral-input.js';
import { allFields, MAX, type Answers } from '../form-input.js';
import { answer, carried, choiceGroup, codeLabels, formCheckPage, formStepPage, HONEYPOT, personFields, personRows, summaryRow, textArea, textInput, YES_NO, type PersonWords } from './form-parts.js';
import { publicPage } from './layout.js';

/**
 * The agency form's pages (`/refer/agency`): for a professional referring someone, so the words name "the person you
 * are referring". The fields about the person are those of the self-referral form (form-parts.ts).
 */

export const AGENCY_BASE = '/refer/agency';

const TITLES: Record<AgencyStep, string> = {
  'about-you': 'About you',
  person: 'About the person you are referring',
  contact: 'How can the link worker contact the person?',
  help: 'What would the person like help with?',
  urgency: 'How soon, and is there a safeguarding concern?',
  consent: 'The person’s agreement',
  support: 'Help for the person to talk to us',
};

const WORDS: PersonWords = {
  own: false,
  dobLegend: 'What is their date of birth?',
  postcodeHint: 'The postcode of where they live. We use it to find their GP record.',
  nhsNumberLabel: 'NHS number (if you know it)',
  nhsNumberHint: 'A 10 digit number, like 485 777 3456. Leave this blank if you do not know it.',
  contactIntro: 'Give at least one way the link worker can contact the person.',
  safeTimesLabel: 'When is it safe and convenient to contact them? (optional)',
  safeTimesHint: 'For example, weekday mornings. Say if there are times or ways it is not safe to contact them.',
  leaveMessage: 'Can the link worker leave a message if the person does not answer?',
  needsLegend: 'Choose all that apply',
  otherNeedLabel: 'If you chose something else, say what',
  whatMattersLabel: 'What matters to the person? (optional)',
  whatMattersHint: 'What they told you about their life and what they would like to change, and anything the link worker should know.',
  accessLegend: 'Does the person need any of these to talk to us? (optional)',
  languageLabel: 'If they need an interpreter, which language?',
  accessDetailLabel: 'Anything else that would help the link worker contact them? (optional)',
};

const GROUP = { person: 'person', contact: 'contact', help: 'help', support: 'support' } as const;
const ALL_FIELDS = allFields(AGENCY_REFERRAL_FORM);
const IF_AT_RISK = html`<p>If you think the person is at risk of harm, follow your organisation’s safeguarding procedure. In an emergency, call 999.</p>`;

/** Signed in: who, for which agency, and the way out (a form of its own, with the session's CSRF token). */
function signedInBanner(who: SignedInAgency | undefined): Html {
  if (!who) return html``;
  return html`<div class="nhsuk-inset-text" data-testid="signed-in"><span class="nhsuk-u-visually-hidden">Information: </span>
<p>Signed in as ${who.user.name}, ${who.agency.name}. Your referrals are marked as verified.</p>
<form method="post" action="${AGENCY_BASE}/sign-out" novalidate><input type="hidden" name="_csrf" value="${who.csrf}">
<button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit">Sign out</button></form></div>`;
}

const csrfField = (who: SignedInAgency | undefined): Html[] => (who ? [html`<input type="hidden" name="_csrf" value="${who.csrf}">`] : []);

/** A row of "Check your answers" that cannot be changed: it comes from the signed-in account and its agency. */
const fixedRow = (key: string, value: string): Html => html`<div class="nhsuk-summary-list__row">
  <dt class="nhsuk-summary-list__key">${key}</dt>
  <dd class="nhsuk-summary-list__value">${value}</dd>
  <dd class="nhsuk-summary-list__actions"></dd>
</div>`;

/** The answers about the referrer that a signed-in account gives, and that nobody can change on the form. */
export function signedInAnswers(who: SignedInAgency): Answers {
  return {
    referrerName: who.user.name,
    referrerOrganisation: who.agency.name,
    referrerOds: who.agency.odsCode,
    ...(who.user.jobTitle ? { referrerRole: who.user.jobTitle } : {}),
  };
}

function stepFields(step: AgencyStep, a: Answers, e: FieldError[], who?: SignedInAgency): Html {
  switch (step) {
    case 'about-you':
      if (who) {
        return html`<p>These details come from your work account, so the link worker knows who sent the referral.</p>
<dl class="nhsuk-summary-list">
  ${fixedRow('Your name', who.user.name)}
  ${who.user.jobTitle ? fixedRow('Your role', who.user.jobTitle) : ''}
  ${fixedRow('Organisation', `${who.agency.name} (${who.agency.odsCode})`)}
</dl>
${who.user.jobTitle ? '' : textInput(a, e, { name: 'referrerRole', label: 'Your job title or role', hint: 'For example, community pharmacist, housing officer, social worker, police officer.', autocomplete: 'organization-title', max: MAX.role })}
${textInput(a, e, { name: 'referrerPhone', label: 'Your work phone number', type: 'tel', autocomplete: 'work tel', width: 20, max: MAX.phone })}
${textInput(a, e, { name: 'referrerEmail', label: 'Your work email address', type: 'email', autocomplete: 'work email', max: MAX.email })}`;
      }
      return html`<p>Tell us who you are, so the link worker can contact you about this referral.</p>
${textInput(a, e, { name: 'referrerName', label: 'Your name', autocomplete: 'name', max: MAX.name * 2 })}
${textInput(a, e, { name: 'referrerRole', label: 'Your job title or role', hint: 'For example, community pharmacist, housing officer, social worker, police officer.', autocomplete: 'organization-title', max: MAX.role })}
${textInput(a, e, { name: 'referrerOrganisation', label: 'Your organisation', autocomplete: 'organization', max: MAX.organisation })}
${textInput(a, e, { name: 'referrerOds', label: 'Your organisation’s ODS code (if it has one)', hint: 'NHS organisations and pharmacies have one, like FA123. Leave this blank if you do not have one.', width: 10, max: 12 })}
${textInput(a, e, { name: 'referrerPhone', label: 'Your work phone number', type: 'tel', autocomplete: 'work tel', width: 20, max: MAX.phone })}
${textInput(a, e, { name: 'referrerEmail', label: 'Your work email address', type: 'email', autocomplete: 'work email', max: MAX.email })}`;
    case 'urgency':
      return html`${choiceGroup(a, e, { name: 'urgency', legend: REFERRER_QUESTIONS.urgency, type: 'radio', options: URGENCIES })}
${choiceGroup(a, e, { name: 'safeguarding', legend: REFERRER_QUESTIONS.safeguarding, hint: `${REFERRER_QUESTIONS.safeguardingHint} A service manager sees it straight away.`, type: 'radio', options: YES_NO })}
${textArea(a, e, { name: 'safeguardingDetail', label: `${REFERRER_QUESTIONS.safeguardingDetail} (if you answered yes)`, max: 1000 })}
${IF_AT_RISK}`;
    case 'consent':
      return html`<p>Social prescribing is voluntary. A link worker will contact the person and talk with them about what matters to them, so the person needs to know about this referral and agree to it.</p>
${choiceGroup(a, e, { name: 'personAgreed', legend: 'Has the person agreed to this referral?', type: 'radio', options: [{ code: 'yes', display: 'Yes, they agreed' }, { code: 'no', display: 'No, or I have not asked them' }] })}
${choiceGroup(a, e, { name: 'consentGp', legend: 'Did the person agree that their GP is told about it?', hint: 'If yes, and we find their GP record, their GP practice will see the referral and what happened at the end. The person can still get help if they said no.', type: 'radio', options: YES_NO })}`;
    case 'person':
    case 'contact':
    case 'help':
    case 'support':
      return personFields(GROUP[step], a, e, WORDS);
  }
}

export function agencyStepPage(step: AgencyStep, a: Answers, errors: FieldError[] = [], who?: SignedInAgency): string {
  return formStepPage({
    before: signedInBanner(who),
    action: `${AGENCY_BASE}/${step}`,
    title: TITLES[step],
    index: AGENCY_STEPS.indexOf(step) + 1,
    total: AGENCY_STEPS.length,
    fields: stepFields(step, a, errors, who),
    carried: [...carried(a, ALL_FIELDS, AGENCY_FIELDS[step]), ...csrfField(who)],
    errors,
  });
}

export function agencyCheckPage(a: Answers, errors: FieldError[] = [], who?: SignedInAgency): string {
  const ods = odsKey(answer(a, 'referrerOds'));
  const person = personRows(a, { person: 'person', contact: 'contact', help: 'help', support: 'support' }, { safeTimes: 'Safe times to contact them', whatMatters: 'What matters to them', support: 'Help to talk to us' });
  const organisation = ods ? `${answer(a, 'referrerOrganisation')} (${ods})` : answer(a, 'referrerOrganisation');
  const concern = answer(a, 'safeguarding') === 'yes';
  return formCheckPage({
    action: `${AGENCY_BASE}/check`,
    before: signedInBanner(who),
    sections: [
      {
        heading: 'About you',
        rows: [
          who ? fixedRow('Your name', answer(a, 'referrerName')) : summaryRow('Your name', answer(a, 'referrerName'), 'about-you'),
          who?.user.jobTitle ? fixedRow('Your role', answer(a, 'referrerRole')) : summaryRow('Your role', answer(a, 'referrerRole'), 'about-you'),
          who ? fixedRow('Organisation', organisation) : summaryRow('Organisation', organisation, 'about-you'),
          summaryRow('Your phone', answer(a, 'referrerPhone') || 'Not given', 'about-you'),
          summaryRow('Your email', answer(a, 'referrerEmail') || 'Not given', 'about-you'),
        ],
      },
      { heading: 'The person you are referring', rows: [...person.person, ...person.contact] },
      {
        heading: 'Their referral',
        rows: [
          ...person.help,
          summaryRow('How soon', codeLabels(URGENCIES, [answer(a, 'urgency')]), 'urgency'),
          summaryRow('Safeguarding concern', concern ? `Yes: ${answer(a, 'safeguardingDetail')}` : 'No', 'urgency'),
          summaryRow('The person agreed', answer(a, 'personAgreed') === 'yes' ? 'Yes' : 'No', 'consent'),
          summaryRow('Tell their GP', answer(a, 'consentGp') === 'yes' ? 'Yes' : 'No', 'consent'),
          ...person.support,
        ],
      },
    ],
    carried: [...carried(a, ALL_FIELDS, []), ...csrfField(who)],
    errors,
    sendHeading: 'Now send the referral',
    sendText: 'By sending this, you confirm that the person agreed to this referral, and that what you have told us is right as far as you know.',
    sendLabel: 'Send referral',
  });
}

export function agencyStartPage(who?: SignedInAgency): string {
  return publicPage({
    title: 'Refer someone to a social prescribing link worker',
    body: html`<h1 class="nhsuk-heading-xl">Refer someone to a social prescribing link worker</h1>
<p>Use this form if you work for a pharmacy, social care, housing, the police, a charity or community group, and want to refer someone to a link worker.</p>
<p>A link worker helps people with things that affect their health and wellbeing, like loneliness, money worries, housing or caring for someone. They work with GP surgeries.</p>
<h2 class="nhsuk-heading-m">Before you start</h2>
<ul class="nhsuk-list nhsuk-list--bullet">
  <li>The person must agree to the referral. We cannot take it without their agreement.</li>
  <li>Ask them if their GP can be told about it.</li>
  <li>You will need their name, date of birth, postcode and a way to contact them, and your own work contact details.</li>
</ul>
${who
    ? signedInBanner(who)
    : html`<p>It takes about 5 minutes. If your organisation is one we know, <a href="${AGENCY_BASE}/sign-in">sign in with your work account</a> and your referral is marked as verified. Referrals made without signing in are marked as not verified, so the link worker may contact you to check who you are.</p>`}
<div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>This is not for emergencies</span></h3>
${IF_AT_RISK}</div>
<a class="nhsuk-button" href="${AGENCY_BASE}/about-you" draggable="false" role="button" data-module="nhsuk-button">Start now</a>`,
  });
}

/** The person did not agree (or was not asked): nothing is sent, with why and what to do instead. */
export function notAgreedPage(a: Answers, who?: SignedInAgency): string {
  return publicPage({
    title: 'You need the person’s agreement first',
    body: html`<h1 class="nhsuk-heading-l">You need the person’s agreement first</h1>
<p>We cannot take this referral unless the person has agreed to it. Nothing has been sent or saved.</p>
<h2 class="nhsuk-heading-m">Why we need it</h2>
<p>Social prescribing only works when the person wants it. A link worker will contact them and we will keep their details, so they need to know about the referral and agree to it first.</p>
<h2 class="nhsuk-heading-m">What you can do</h2>
<ul class="nhsuk-list nhsuk-list--bullet">
  <li>Talk to the person about the referral. If they agree, change your answer and send it.</li>
  <li>They can also <a href="/refer">ask for help from a link worker themselves</a>.</li>
</ul>
${IF_AT_RISK}
<form method="post" action="${AGENCY_BASE}/consent" novalidate>
  ${carried(a, ALL_FIELDS, ['personAgreed'])}
  ${csrfField(who)}
  ${HONEYPOT}
  <button class="nhsuk-button nhsuk-button--secondary" type="submit" name="goto" value="consent">Change my answer</button>
</form>`,
  });
}

export function agencyConfirmationPage(r: AgencyReferral, reference: string): string {
  const contactBy = [r.contact.phone ? 'phone' : '', r.contact.email ? 'email' : ''].filter(Boolean).join(' or ');
  return publicPage({
    title: 'Referral sent',
    body: html`<div class="nhsuk-panel nhsuk-panel--confirmation">
  <h1 class="nhsuk-panel__title">Referral sent</h1>
  <div class="nhsuk-panel__body">Reference number<br><strong data-testid="reference">${reference}</strong></div>
</div>
<p>Keep this reference number. Give it to the person, and quote it if you contact the link worker service about this referral.</p>
<h2 class="nhsuk-heading-m">What happens next</h2>
<ol class="nhsuk-list nhsuk-list--number">
  <li>A link worker will read the referral.</li>
  <li>They will contact ${r.person.given} by ${contactBy} within 5 working days.</li>
  <li>They may contact you if they need to know more.</li>
</ol>
${r.consent.gp ? html`<p>If we find the person’s GP record, their GP practice will be told about this referral.</p>` : html`<p>We will not tell the person’s GP.</p>`}
${r.verified ? '' : html`<p>This referral is marked as not verified, because you did not sign in. The link worker may contact you to check who you are.</p>`}
${IF_AT_RISK}`,
  });
}

export function agencyLimitedPage(): string {
  return publicPage({
    title: 'This person has already been referred today',
    body: html`<h1 class="nhsuk-heading-l">This person has already been referred today</h1>
<p>We have had several referrals with these contact details for the person today. Nothing more has been saved. A link worker will contact them.</p>
<p>If something has changed, please contact the link worker service.</p>
${IF_AT_RISK}`,
  });
}

export function agencyNotSentPage(): string {
  return publicPage({
    title: 'Sorry, there is a problem',
    body: html`<h1 class="nhsuk-heading-l">Sorry, there is a problem with the service</h1>
<p>We could not send the referral. Nothing has been saved.</p>
<p>Please try again later.</p>
${IF_AT_RISK}`,
  });
}
