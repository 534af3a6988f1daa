import type { Observation, Task } from '@medplum/fhirtypes';
import { findInstrument } from '../../referral-model/codes.js';
import { outcomeObservation } from '../../referral-model/outcome-observation.js';
import type { Actor } from './actor.js';
import type { ActionInput } from './schemas.js';

/** Identifier system for a globally unique id with no namespace of its own (RFC 3986 URN). */
const URI_SYSTEM = 'urn:ietf:rfc:3986';

/**
 * One outcome measure recorded by a link worker, written at the link-worker endpoint and referenced from
 * Task.output; the reconciler copies it to the GP record `basedOn` the referral. Which is "first" and which
 * "last" follows from effectiveDateTime.
 */
export function buildOutcomeObservation(
  task: Task,
  input: ActionInput<'outcome'>,
  ctx: { actor: Actor; patientReference: string },
): Observation {
  const inst = findInstrument(input.instrument);
  if (!inst) throw new TypeError(`unknown instrument ${input.instrument}`);
  const nhs = task.for?.identifier;
  return outcomeObservation({
    instrument: inst,
    scores: input.values,
    itemTexts: input.texts,
    status: 'final',
    identifier: { system: URI_SYSTEM, value: `urn:uuid:${crypto.randomUUID()}` },
    basedOn: { reference: task.focus?.reference ?? '' },
    subject: { reference: ctx.patientReference, ...(nhs ? { identifier: structuredClone(nhs) } : {}) },
    effectiveDateTime: input.date,
    performer: { reference: ctx.actor.practitioner, display: ctx.actor.name },
  });
}

/** Scores as one line of text: "24", "Life satisfaction: 6; Worthwhile: 7", a MYCaW concern with its words. */
export function scoreText(o: Observation): string {
  if (o.valueInteger !== undefined) return String(o.valueInteger);
  return (o.component ?? [])
    .map((c) => {
      const display = c.code.coding?.[0]?.display ?? c.code.text ?? '';
      const words = c.code.text && c.code.text !== display ? ` (“${c.code.text}”)` : '';
      return `${display}${words}: ${c.valueInteger ?? ''}`;
    })
    .join('; ');
}
