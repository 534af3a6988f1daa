import type { Extension } from '@medplum/fhirtypes';
import { ACCESSIBILITY_NEEDS, CODE_SYSTEM, EXTENSION, EXTENSION_PART, SYSTEM } from '../referral-model/codes.js';
import type { ReferralInput } from './referral-input.js';

/** SP Link referral extensions (fhir-profiles: consent-given, contact-preference, …), built from the GP's input. */

const BCP47 = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function consentExtension(consent: ReferralInput['consent'], recorder: { reference?: string; display?: string }): Extension {
  const P = EXTENSION_PART.consentGiven;
  return {
    url: EXTENSION.consentGiven,
    extension: [
      { url: P.date, valueDateTime: consent.date },
      { url: P.recorder, valueReference: consent.recordedBy ? { display: consent.recordedBy } : recorder },
    ],
  };
}

export function contactPreferenceExtension(contact: ReferralInput['contact']): Extension {
  const P = EXTENSION_PART.contactPreference;
  return {
    url: EXTENSION.contactPreference,
    extension: [
      ...contact.methods.map((m) => ({ url: P.method, valueCode: m })),
      ...(contact.safeTimes ? [{ url: P.safeTimes, valueString: contact.safeTimes }] : []),
      { url: P.leaveMessage, valueBoolean: contact.leaveMessage },
    ],
  };
}

/** One extension per accessibility need; the interpreter language rides on the interpreter need. */
export function accessibilityExtensions(a: ReferralInput['accessibility']): Extension[] {
  const P = EXTENSION_PART.accessibilityNeed;
  return a.needs.map((need) => {
    const entry = ACCESSIBILITY_NEEDS.find((x) => x.code === need)!;
    const parts: Extension[] = [{ url: P.type, valueCoding: { system: CODE_SYSTEM.accessibilityNeed, code: entry.code, display: entry.display } }];
    if (need === 'interpreter' && a.language) {
      parts.push({
        url: P.language,
        valueCodeableConcept: BCP47.test(a.language)
          ? { coding: [{ system: SYSTEM.bcp47, code: a.language }], text: a.language }
          : { text: a.language },
      });
    }
    if (need === 'other' && a.detail) parts.push({ url: P.detail, valueString: a.detail });
    return { url: EXTENSION.accessibilityNeed, extension: parts };
  });
}

/** Free-text accessibility detail not tied to "other" (e.g. "wheelchair user") — kept on the first need. */
export function accessibilityDetailNote(a: ReferralInput['accessibility']): string | undefined {
  if (!a.detail || a.needs.includes('other')) return undefined;
  const names = a.needs.map((n) => ACCESSIBILITY_NEEDS.find((x) => x.code === n)?.display ?? n);
  return `Accessibility${names.length ? ` (${names.join(', ')})` : ''}: ${a.detail}`;
}

export function safeguardingExtension(s: ReferralInput['safeguarding']): Extension {
  const P = EXTENSION_PART.safeguardingConcern;
  return {
    url: EXTENSION.safeguardingConcern,
    extension: [{ url: P.flag, valueBoolean: s.concern }, ...(s.concern && s.detail ? [{ url: P.detail, valueString: s.detail }] : [])],
  };
}

export function urgencyExtension(code: ReferralInput['urgency']): Extension {
  return { url: EXTENSION.referralUrgency, valueCode: code };
}
