import type { Observation, ObservationComponent, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, PROFILE, findInstrument } from '../../fhir/codes.js';
import type { Actor } from './actor.js';
import type { ActionInput, OutcomeValues } from './schemas.js';

/** Identifier system for a globally unique id with no namespace of its own (RFC 3986 URN). */
const URI_SYSTEM = 'urn:ietf:rfc:3986';

/**
 * One SPLinkOutcomeObservation per instrument and occasion, written at the link-worker endpoint and
 * referenced from Task.output; the reconciler copies it to the GP record `basedOn` the referral.
 * Which is "first" and which "last" follows from effectiveDateTime.
 */
export function buildOutcomeObservation(
  task: Task,
  input: ActionInput<'outcome'>,
  ctx: { actor: Actor; patientReference: string },
): Observation & { code: { text: string } } {
  const inst = findInstrument(input.instrument);
  if (!inst) throw new TypeError(`unknown instrument ${input.instrument}`);
  const coding = [
    { system: CODE_SYSTEM.outcomeInstrument, code: inst.code, display: inst.display },
    ...(inst.standardCode ? [inst.standardCode] : []),
  ];
  const nhs = task.for?.identifier;
  const observation: Observation & { code: { text: string } } = {
    resourceType: 'Observation',
    meta: { profile: [PROFILE.outcomeObservation] },
    identifier: [{ system: URI_SYSTEM, value: `urn:uuid:${crypto.randomUUID()}` }],
    basedOn: [{ reference: task.focus?.reference ?? '' }] as Observation['basedOn'],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }] }],
    code: { coding, text: inst.display },
    subject: { reference: ctx.patientReference, ...(nhs ? { identifier: structuredClone(nhs) } : {}) } as Observation['subject'],
    effectiveDateTime: input.date,
    performer: [{ reference: ctx.actor.practitioner, display: ctx.actor.name }] as Observation['performer'],
  };
  return Object.assign(observation, scoreElements(input.instrument, input.values));
}

/** The score elements of an outcome Observation: the total as valueInteger, items as components. */
export function scoreElements(instrument: string, values: OutcomeValues): Pick<Observation, 'valueInteger' | 'component'> {
  const inst = findInstrument(instrument);
  if (!inst) throw new TypeError(`unknown instrument ${instrument}`);
  const components: ObservationComponent[] = inst.items.flatMap((item) =>
    values[item.code] === undefined
      ? []
      : [{ code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: item.code, display: item.display }], text: item.display }, valueInteger: values[item.code] }],
  );
  return {
    ...(inst.total && values.total !== undefined ? { valueInteger: values.total } : {}),
    ...(components.length > 0 ? { component: components } : {}),
  };
}

/** The instrument of an outcome Observation (SP Link's own code). */
export const instrumentOf = (o: Observation): string | undefined => o.code?.coding?.find((c) => c.system === CODE_SYSTEM.outcomeInstrument)?.code;

/** Scores as one line of text: "24" or "Life satisfaction: 6; Worthwhile: 7". */
export function scoreText(o: Observation): string {
  if (o.valueInteger !== undefined) return String(o.valueInteger);
  return (o.component ?? []).map((c) => `${c.code.coding?.[0]?.display ?? c.code.text ?? ''}: ${c.valueInteger ?? ''}`).join('; ');
}
