import type { Annotation, ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM, NEEDS, PROFILE, SERVICE_TYPES, SNOMED, SYSTEM, urgencyToPriority } from '../referral-model/codes.js';
import { equalityExtension } from '../referral-model/equality.js';
import { effectiveUrgency, type ReferralInput } from './referral-input.js';
import {
  accessibilityDetailNote,
  accessibilityExtensions,
  consentExtension,
  contactPreferenceExtension,
  safeguardingExtension,
  urgencyExtension,
} from './extensions.js';
import type { ReferralContext } from './types.js';

/**
 * The referral as it is written to the GP record (profile SPLinkReferral, docs/PROFILES.md). Pure: the same
 * input and context always give the same resource; ids, clock and service lookup come from the caller.
 */
export function buildServiceRequest(input: ReferralInput, ctx: ReferralContext): ServiceRequest {
  const urgency = effectiveUrgency(input);
  const typeEntry = SERVICE_TYPES.find((t) => t.code === ctx.service.serviceType)!;
  const notes: Annotation[] = [];
  const time = ctx.now.toISOString();
  const equality = equalityExtension(input.equality);
  const author = { authorReference: { reference: ctx.requester.reference, display: ctx.requester.display }, time };
  if (input.whatMatters) notes.push({ ...author, text: `What matters to the person: ${input.whatMatters}` });
  if (input.otherNeed) notes.push({ ...author, text: `Other need: ${input.otherNeed}` });
  const access = accessibilityDetailNote(input.accessibility);
  if (access) notes.push({ ...author, text: access });
  if (input.safeguarding.concern && input.safeguarding.detail) {
    notes.push({ ...author, text: `Safeguarding concern: ${input.safeguarding.detail}` });
  }

  return {
    resourceType: 'ServiceRequest',
    meta: { profile: [PROFILE.referral] },
    extension: [
      consentExtension(input.consent, { reference: ctx.requester.reference, display: ctx.requester.display }),
      contactPreferenceExtension(input.contact),
      ...accessibilityExtensions(input.accessibility),
      safeguardingExtension(input.safeguarding),
      urgencyExtension(urgency),
      ...(equality ? [equality] : []),
    ],
    identifier: [{ system: ctx.identifierSystem, value: ctx.referralId }],
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ system: SYSTEM.snomed, code: SNOMED.referralToSocialPrescribing.code, display: SNOMED.referralToSocialPrescribing.display }] }],
    priority: urgencyToPriority(urgency),
    code: { coding: [{ system: CODE_SYSTEM.serviceType, code: typeEntry.code, display: typeEntry.display }], text: typeEntry.display },
    subject: {
      reference: `Patient/${ctx.patient.id}`,
      ...(ctx.patient.nhsNumber ? { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: ctx.patient.nhsNumber } } : {}),
    },
    authoredOn: time,
    requester: { reference: ctx.requester.reference, display: ctx.requester.display },
    performer: [ctx.service.performer],
    // The GP's suggestion when the referral goes via the link-worker service (who decides with the person).
    ...(ctx.service.suggested ? { supportingInfo: [{ ...ctx.service.suggested, type: 'HealthcareService' }] } : {}),
    reasonCode: input.needs.map((code) => {
      const need = NEEDS.find((n) => n.code === code)!;
      return { coding: [{ system: CODE_SYSTEM.need, code: need.code, display: need.display }], text: code === 'other' && input.otherNeed ? input.otherNeed : need.display };
    }),
    ...(notes.length ? { note: notes } : {}),
  };
}
