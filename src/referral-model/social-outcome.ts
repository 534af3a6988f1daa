import type { CodeableConcept, Observation, Reference, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM, PROFILE, SOCIAL_OUTCOMES, SYSTEM, isSocialOutcomeCode, type SocialOutcomeCode } from './codes.js';

/**
 * Social outcomes at closing (codes.ts SOCIAL_OUTCOMES): what changed in the person's life beyond the scores. The
 * link worker ticks them when completing; the Task carries one `social-outcome` output each (a coded value); the
 * reconciler copies each into the GP record as an SPLinkSocialOutcomeObservation and lists them in the message
 * back; the reports count them. Pure.
 */

/** HL7 observation-category of a social outcome. */
export const SOCIAL_HISTORY_CATEGORY = { system: SYSTEM.observationCategory, code: 'social-history', display: 'Social History' } as const;

export const socialOutcomeDisplay = (code: string): string | undefined => SOCIAL_OUTCOMES.find((o) => o.code === code)?.display;

/** A social outcome as a coded value (Task.output.valueCodeableConcept, Observation.code). */
export function socialOutcomeConcept(code: SocialOutcomeCode): CodeableConcept {
  const display = socialOutcomeDisplay(code)!;
  return { coding: [{ system: CODE_SYSTEM.socialOutcome, code, display }], text: display };
}

const isSocialOutcomeOutput = (o: NonNullable<Task['output']>[number]) =>
  o.type?.coding?.some((c) => c.system === CODE_SYSTEM.taskOutputType && c.code === 'social-outcome') ?? false;

/** The social outcome a coded value names (SP Link's code), if any. */
export function socialOutcomeCodeIn(cc: CodeableConcept | undefined): SocialOutcomeCode | undefined {
  const code = cc?.coding?.find((c) => c.system === CODE_SYSTEM.socialOutcome)?.code;
  return isSocialOutcomeCode(code) ? code : undefined;
}

/** The social outcomes a Task records, in the order of the code list, once each. */
export function socialOutcomesOf(task: Pick<Task, 'output'>): SocialOutcomeCode[] {
  const found = new Set((task.output ?? []).filter(isSocialOutcomeOutput).map((o) => socialOutcomeCodeIn(o.valueCodeableConcept)).filter((c) => c !== undefined));
  return SOCIAL_OUTCOMES.map((o) => o.code).filter((c) => found.has(c));
}

/** Identifier value of the GP-record copy of one social outcome: one per referral Task and outcome, ever. */
export const socialOutcomeIdentifierParts = (endpointId: string, taskId: string, code: SocialOutcomeCode): string[] => [endpointId, 'Task', taskId, 'social-outcome', code];

/** The one SPLinkSocialOutcomeObservation builder (the reconciler's copy into the GP record). */
export function socialOutcomeObservation(o: {
  code: SocialOutcomeCode;
  identifier: string;
  subject: Reference;
  basedOn: Reference;
  performer: Reference;
  effectiveDateTime: string;
  /** The Task version that recorded it (absolute URL): meta.source. */
  source?: string;
}): Observation {
  return {
    resourceType: 'Observation',
    meta: { profile: [PROFILE.socialOutcomeObservation], ...(o.source ? { source: o.source } : {}) },
    identifier: [{ system: IDENTIFIER_SYSTEM.outcomeObservation, value: o.identifier }],
    status: 'final',
    category: [{ coding: [{ ...SOCIAL_HISTORY_CATEGORY }] }],
    code: socialOutcomeConcept(o.code),
    subject: o.subject as Observation['subject'],
    basedOn: [o.basedOn] as Observation['basedOn'],
    performer: [o.performer] as Observation['performer'],
    effectiveDateTime: o.effectiveDateTime,
    valueBoolean: true,
  };
}
