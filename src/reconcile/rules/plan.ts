import { IDENTIFIER_SYSTEM, writeBackIdentifierValue } from '../../referral-model/codes.js';
import { socialOutcomeDisplay, socialOutcomeIdentifierParts, socialOutcomeObservation } from '../../referral-model/social-outcome.js';
import { normaliseNhsNumber } from '../../fhir/nhs-number.js';
import { buildCommunication, buildFlag, topicsFor } from './messages.js';
import { outcomeCopyEffect, retractCopyEffect } from './outcome-copy.js';
import { mapOutcome, outcomeIdentifier } from './outcome-observation.js';
import { linkWorkerUrl, refKey, resolveReference } from './references.js';
import { isSrStatus, isTerminalSrStatus, isTerminalTaskStatus, referralStatusFor, type SrStatus } from '../../referral-model/task-status.js';
import { earlierKey, laterKey } from './version-order.js';
import { endReasonText, isEndedByService, referralEndReason } from '../../referral-model/status-reason.js';
import { statusLabel, taskStatusKey } from '../../referral-model/status-labels.js';
import type { HealthcareService, Observation, Procedure } from '@medplum/fhirtypes';
import type { BadInput, Effect, Plan, PlanInput, ResolvedRef, TaskTrack, UnusedOutput } from './types.js';
import { MAX_TEXT_CHARS } from './parse-task.js';
import { formatLondonDate } from '../../time/london.js';
import { onwardOutcomeLine, readOnwardReferral } from '../../referral-model/onward-referral.js';

const badPlan = (kind: BadInput['kind'], reason: string): Plan => ({ kind: 'bad-input', bad: { kind, reason } });

/**
 * Task version → effects on the EHR (the status table in src/referral-model/README.md). Pure and deterministic. Idempotent by construction:
 * creates carry deterministic identifiers (conditional create), an outcome copy is updated (If-Match) only
 * while its clinical content differs from the source's (a correction), and the status rule is a join:
 * entered-in-error absorbs everything, otherwise the lowest terminal Task version wins, otherwise the
 * highest version. So versions may arrive in any order, twice, or late, and end in the same EHR state.
 */
export function planTaskVersion(input: PlanInput): Plan {
  const { task, serviceRequest: sr, topology: t } = input;
  const where = `Task/${task.id}/_history/${task.version}`;
  const cur = sr.status;
  if (!isSrStatus(cur)) return badPlan('invalid-service-request', `${where}: ServiceRequest/${sr.id} has no valid status`);

  const patientId = ehrPatientId(input);
  if (typeof patientId !== 'string') return { kind: 'bad-input', bad: patientId.bad };

  const effects: Effect[] = [];
  const decision = decideStatus(input, cur);
  if (decision.effect) effects.push(decision.effect);

  // Every outcome as it stands now (for the GP's messages), and one write per EHR copy that is missing or out of date.
  // An outcome SP Link cannot use (not found, not a known instrument, out of range) is recorded, never blocking.
  const outcomes: Observation[] = [];
  const notCarried: UnusedOutput[] = task.outputs.filter((o): o is UnusedOutput => o.type === 'unused');
  const skip = (out: { index: number; ref: ResolvedRef }, why: UnusedOutput['why'], reason: string) => notCarried.push({
    type: 'unused', index: out.index, label: task.task.output?.[out.index]?.type?.coding?.find((c) => c.code)?.code ?? task.task.output?.[out.index]?.type?.text ?? 'untyped',
    why, reason,
    ...(out.ref.kind === 'contained' ? {} : { source: linkWorkerUrl(t, out.ref.resourceType, out.ref.id) }),
  });
  const seen = new Set<string>();
  for (const out of task.outputs) {
    if (out.type !== 'outcome-measure') continue;
    const source = input.observations.get(refKey(out.ref));
    if (!source) {
      skip(out, 'output-not-found', `${where}: outcome Observation ${refKey(out.ref)} was not found at the link-worker endpoint`);
      continue;
    }
    const identifier = outcomeIdentifier(t, task, out.ref);
    if (seen.has(identifier)) continue;
    seen.add(identifier);
    const copy = input.copies?.get(identifier);
    if (source.status === 'entered-in-error') {
      const sourceUrl = out.ref.kind === 'contained' ? undefined : linkWorkerUrl(t, out.ref.resourceType, out.ref.id, source.meta?.versionId);
      const retract = retractCopyEffect(identifier, source, copy, sourceUrl);
      if (retract && 'bad' in retract) skip(out, 'oversized', `${where}: outcome ${refKey(out.ref)} ${retract.bad}`);
      else if (retract) effects.push(retract);
      continue;
    }
    const mapped = mapOutcome(source, out.ref, { topology: t, task, patientId, serviceRequestId: sr.id });
    if (!mapped.ok) {
      skip(out, mapped.bad.kind, mapped.bad.reason);
      continue;
    }
    outcomes.push(mapped.resource);
    const write = outcomeCopyEffect(identifier, mapped.resource, copy);
    if (write) effects.push(write);
  }
  const activities: string[] = [];
  for (const out of task.outputs) {
    if (out.type !== 'resulting-activity') continue;
    const proc = out.ref ? procedureOf(out.ref, input) : undefined;
    const text = proc ? describeProcedure(proc) : out.text;
    if (text) activities.push(text);
    else if (out.ref) skip({ index: out.index, ref: out.ref }, 'output-not-found', `${where}: resulting activity ${refKey(out.ref)} was not found at the link-worker endpoint`);
  }
  const connectedTo: string[] = [];
  for (const out of task.outputs) {
    if (out.type !== 'activity-referred') continue;
    const name = out.text ?? (out.ref ? serviceOf(out.ref, input)?.name?.trim() : undefined);
    if (name) connectedTo.push(name.slice(0, MAX_TEXT_CHARS));
    else if (out.ref) skip({ index: out.index, ref: out.ref }, 'output-not-found', `${where}: service ${refKey(out.ref)} named by activity-referred was not found at the link-worker endpoint`);
  }
  notCarried.sort((a, b) => a.index - b.index);

  // Social outcomes at closing (referral-model/social-outcome.ts): each one Observation in the GP record, written once
  // (conditional create on its identifier) when support has completed, and a line in the message back.
  const social = [...new Set(task.outputs.flatMap((o) => (o.type === 'social-outcome' ? [o.code] : [])))];
  if (task.status === 'completed') {
    for (const code of social) {
      const identifier = writeBackIdentifierValue(socialOutcomeIdentifierParts(t.endpointId, task.id, code));
      effects.push({
        kind: 'create-observation', identifier,
        resource: socialOutcomeObservation({
          code, identifier,
          subject: { reference: `Patient/${patientId}` },
          basedOn: { reference: `ServiceRequest/${sr.id}` },
          performer: { display: task.ownerDisplay ?? t.endpointName },
          effectiveDateTime: task.lastModified,
          source: linkWorkerUrl(t, 'Task', task.id, task.version),
        }),
      });
    }
  }
  const socialOutcomes = social.map((c) => socialOutcomeDisplay(c) ?? c);

  // Where the link worker referred the person on, and what each group says happened (onward-referral.ts).
  const onward = (input.onward ?? []).map((s) => onwardOutcomeLine(readOnwardReferral(s)).slice(0, MAX_TEXT_CHARS));
  const msgCtx = { topology: t, task, patientId, serviceRequest: sr, outcomes, socialOutcomes, activities, connectedTo, onward, notCarried };
  // A referral someone else ended in the record (the GP cancelled it) gets no more progress news. Whether SP Link
  // itself ended it does not count: that depends on the order versions arrive in, and the result must not.
  const endedElsewhere = isTerminalSrStatus(cur) && input.track?.terminalVersion === undefined;
  for (const topic of topicsFor(task).filter((x) => x !== 'referral-progress' || !endedElsewhere)) {
    const c = buildCommunication(topic, msgCtx);
    effects.push({ kind: 'create-communication', identifier: c.identifier, resource: c.resource });
  }
  if (task.safeguarding) {
    const f = buildFlag('safeguarding-concern', msgCtx);
    effects.push({ kind: 'create-flag', identifier: f.identifier, resource: f.resource });
  }
  if (decision.cancelTask) {
    effects.push({ kind: 'cancel-task', taskId: task.id, taskVersion: task.version, reason: `ServiceRequest/${sr.id} was ${cur} in the EHR` });
  }
  return { kind: 'apply', effects, track: decision.track, notCarried };
}

function serviceOf(ref: ResolvedRef, input: PlanInput): HealthcareService | undefined {
  if (ref.kind === 'contained') return input.task.task.contained?.find((r): r is HealthcareService => r.resourceType === 'HealthcareService' && r.id === ref.id);
  return input.services?.get(refKey(ref));
}

function procedureOf(ref: ResolvedRef, input: PlanInput): Procedure | undefined {
  if (ref.kind === 'contained') return input.task.task.contained?.find((r): r is Procedure => r.resourceType === 'Procedure' && r.id === ref.id);
  return input.procedures?.get(refKey(ref));
}

/** A Procedure as one line for the GP: what was done, when, and its status when it is not simply done. */
function describeProcedure(p: Procedure): string | undefined {
  const what = p.code?.text ?? p.code?.coding?.find((c) => c.display)?.display ?? p.code?.coding?.[0]?.code;
  if (!what) return undefined;
  const when = p.performedDateTime ?? p.performedPeriod?.start;
  const status = p.status && p.status !== 'completed' ? ` (${p.status.replace(/-/g, ' ')})` : '';
  return `${what.slice(0, MAX_TEXT_CHARS)}${when ? ` (${formatLondonDate(when)})` : ''}${status}`;
}

interface StatusDecision {
  readonly effect?: Effect;
  readonly cancelTask: boolean;
  readonly track: TaskTrack;
}

function decideStatus(input: PlanInput, cur: SrStatus): StatusDecision {
  const { task, serviceRequest: sr, topology: t } = input;
  // Version order keys (version-order.ts): lastUpdated, then version id; compared as strings, never as numbers.
  const v = task.order;
  const prevMax = input.track?.maxVersion ?? '';
  const maxVersion = laterKey(prevMax, v);
  const termV = input.track?.terminalVersion;
  const target = referralStatusFor(task.status, t.failedTaskRevokesReferral);
  const set = (to: SrStatus, terminalVersion: string | undefined): StatusDecision => ({
    effect: to === cur ? undefined : { kind: 'set-referral-status', serviceRequestId: sr.id, from: cur, to, ...endedBecause(input, to) },
    cancelTask: false,
    track: { maxVersion, ...(terminalVersion !== undefined ? { terminalVersion } : {}) },
  });
  const keep = (terminalVersion = termV, cancelTask = false): StatusDecision => ({
    cancelTask,
    track: { maxVersion, ...(terminalVersion !== undefined ? { terminalVersion } : {}) },
  });

  if (cur === 'entered-in-error') {
    // Withdrawn in the EHR (by the GP, or by an earlier entered-in-error Task version): stop the Task too.
    return keep(termV, termV === undefined && !isTerminalTaskStatus(task.status) && v >= prevMax);
  }
  if (target === undefined) return keep();
  if (target === 'entered-in-error') return set(target, earlierKey(termV ?? v, v));
  if (isTerminalSrStatus(cur)) {
    if (termV === undefined) {
      // Someone else (the GP) ended the referral. Its Task must stop too (the loop works both ways).
      if (target === cur && isTerminalTaskStatus(task.status)) return keep(v);
      const gpRevoked = cur === 'revoked' && !isTerminalTaskStatus(task.status) && v >= prevMax;
      return keep(undefined, gpRevoked);
    }
    return isTerminalSrStatus(target) && v < termV ? set(target, v) : keep();
  }
  if (isTerminalSrStatus(target)) return set(target, v);
  if (v >= prevMax) return set(target, termV);
  return keep();
}

/**
 * A referral the link-worker service ends says why (profile rule spl-sr-1: a revoked SP Link referral carries the
 * status-reason extension), in codes and in a note for whoever reads the record.
 */
function endedBecause(input: PlanInput, to: SrStatus): Pick<Extract<Effect, { kind: 'set-referral-status' }>, 'reason' | 'note'> {
  const { task, topology: t } = input;
  if (to !== 'revoked' || !isEndedByService(task.status)) return {};
  const reason = referralEndReason(task.status, task.task.statusReason);
  const label = statusLabel(taskStatusKey(task.status)).label;
  const why = endReasonText(reason);
  return { reason, note: { author: task.ownerDisplay ?? t.endpointName, time: task.lastModified, text: why ? `${label}: ${why}` : label } };
}

/** The EHR patient: SR.subject, checked against what the Task says about its patient. */
function ehrPatientId(input: PlanInput): string | { bad: BadInput } {
  const { task, serviceRequest: sr, topology: t } = input;
  const where = `Task/${task.id}/_history/${task.version}`;
  const subj = resolveReference(sr.subject?.reference, {
    ...t,
    // SR.subject is relative to the EHR the SR lives on, whatever server the Task is on.
    linkWorkerBase: t.tenants.find((x) => x.id === task.tenantId)?.ehrBase ?? t.linkWorkerBase,
  });
  const id = subj?.kind === 'ehr' && subj.resourceType === 'Patient' ? subj.id : input.patient?.id;
  if (!id) return { bad: { kind: 'invalid-service-request', reason: `${where}: ServiceRequest/${sr.id} has no resolvable Patient subject` } };
  switch (task.subject.kind) {
    case 'ehr-reference':
      if (task.subject.id !== id) return { bad: { kind: 'patient-mismatch', reason: `${where}: Task.for is Patient/${task.subject.id} but ServiceRequest/${sr.id} is for Patient/${id}` } };
      return id;
    case 'nhs-number': {
      if (!input.patient || input.patient.id !== id) {
        return { bad: { kind: 'patient-unresolvable', reason: `${where}: Patient/${id} could not be read from the EHR to match the NHS number` } };
      }
      const nhs = input.patient.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber)?.value;
      if (!nhs || normaliseNhsNumber(nhs) !== task.subject.nhsNumber) {
        return { bad: { kind: 'patient-mismatch', reason: `${where}: Task.for NHS number does not match the NHS number of Patient/${id} (ServiceRequest/${sr.id} subject)` } };
      }
      return id;
    }
    default:
      return task.subject satisfies never;
  }
}
