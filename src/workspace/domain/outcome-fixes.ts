import type { Annotation, Observation, Task } from '@medplum/fhirtypes';
import { PROFILE, findInstrument } from '../../referral-model/codes.js';
import { note } from '../../referral-model/case-notes.js';
import { instrumentCodeOf, itemTexts, scoreElements } from '../../referral-model/outcome-observation.js';
import { scoreText } from './outcome-observation.js';
import type { ActionInput, OutcomeFix } from './schemas.js';
import type { BuildResult, ChangeContext } from './task-builders.js';

/**
 * Corrections of a recorded outcome measure: the source Observation is updated in place (FHIR R4
 * observation-status: `corrected` after a mistyped score, `entered-in-error` when it should never have
 * been recorded), with the reason in Observation.note, and the Task gets a case-record entry so every
 * reconciler sees a new Task version. Allowed on closed cases too: a wrong score in the GP record
 * matters as much after completion; only a referral itself entered in error is left alone.
 */

const fail = (message: string): BuildResult => ({ ok: false, message });

function check(task: Task, input: { observation: string }, ctx: ChangeContext): Observation | BuildResult {
  if (task.status === 'entered-in-error') return fail('This referral was entered in error; its outcome measures can no longer be changed.');
  const obs = ctx.observation;
  if (!obs || obs.id !== input.observation) return fail('This outcome measure is not part of this case.');
  if (obs.status === 'entered-in-error') return fail('This outcome measure was recorded in error and can no longer be changed.');
  return obs;
}

const isObservation = (x: Observation | BuildResult): x is Observation => 'resourceType' in x;

/** The Observation as it is PUT back: same id and identifier, server meta dropped, a note appended. */
function revised(obs: Observation, ctx: ChangeContext, text: string): Observation {
  const { meta, ...rest } = structuredClone(obs);
  const annotation: Annotation = { authorReference: { reference: ctx.actor.practitioner, display: ctx.actor.name }, time: ctx.now.toISOString(), text };
  return { ...rest, meta: { profile: meta?.profile ?? [PROFILE.outcomeObservation] }, note: [...(rest.note ?? []), annotation] } as Observation;
}

function withTaskEntry(task: Task, ctx: ChangeContext, heading: string, detail: string, observation: Observation, activity: OutcomeFix): BuildResult {
  const t = structuredClone(task);
  t.note = [...(t.note ?? []), note({ heading, detail, time: ctx.now.toISOString(), author: { reference: ctx.actor.practitioner, display: ctx.actor.name } })];
  t.lastModified = ctx.now.toISOString();
  return { ok: true, change: { task: t, observations: [], updates: [{ resource: observation, ifMatch: ctx.observation?.meta?.versionId ?? '' }], activity } };
}

export function correctOutcome(task: Task, input: ActionInput<'correct-outcome'>, ctx: ChangeContext): BuildResult {
  const obs = check(task, input, ctx);
  if (!isObservation(obs)) return obs;
  const code = instrumentCodeOf(obs);
  const inst = code ? findInstrument(code) : undefined;
  if (!inst || code !== input.instrument) return fail('The scores do not match this outcome measure. Reload the page and try again.');
  const was = scoreText(obs);
  const next = revised(obs, ctx, `Corrected (was ${was}): ${input.reason}`);
  const words = itemTexts(obs);
  delete next.valueInteger;
  delete next.component;
  // A correction changes scores; what each MYCaW concern is stays as the person named it.
  Object.assign(next, scoreElements(inst, input.values, words));
  // R4 observation-status "corrected": modified after being final, to correct an error in the result.
  next.status = 'corrected';
  return withTaskEntry(task, ctx, `Outcome measure corrected: ${inst.display}`, `Was ${was}, now ${scoreText(next)}. Reason: ${input.reason}`, next, 'correct-outcome');
}

export function markOutcomeInError(task: Task, input: ActionInput<'outcome-error'>, ctx: ChangeContext): BuildResult {
  const obs = check(task, input, ctx);
  if (!isObservation(obs)) return obs;
  const display = findInstrument(instrumentCodeOf(obs) ?? '')?.display ?? obs.code?.text ?? 'Outcome measure';
  const next = revised(obs, ctx, `Recorded in error: ${input.reason}`);
  next.status = 'entered-in-error';
  return withTaskEntry(task, ctx, `Outcome measure recorded in error: ${display}`, `Score ${scoreText(obs)}. Reason: ${input.reason}`, next, 'outcome-error');
}
