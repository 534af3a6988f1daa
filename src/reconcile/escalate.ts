import { randomUUID } from 'node:crypto';
import type { Bundle, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import { escalationNote, escalationOf } from '../referral-model/escalation.js';
import { hasNoGpRecord } from '../referral-model/referral-source.js';
import { IDENTIFIER_SYSTEM, priorityToUrgency } from '../referral-model/codes.js';
import { buildProvenance, SP_LINK_AGENT } from '../referral-model/provenance.js';
import { isTaskStatus } from '../referral-model/task-status.js';
import { describeTarget, isUnansweredPastTarget, type ResponseTargets } from '../referral-model/response-targets.js';
import { FhirHttpError } from '../fhir/errors.js';
import { buildCommunication, linkWorkerUrl, parseTask, resolveReference } from './rules/index.js';
import type { EndpointRuntime, ValidateFn } from './runtime.js';

export interface EscalationResult {
  /** Tasks still waiting for their first response. */
  waiting: number;
  escalated: number;
  /** Tasks that could not be escalated this time (tried again on the next sweep). */
  failed: number;
}

const AWAITING = 'draft,requested,received';

/**
 * One sweep of one link-worker endpoint: every SP Link referral Task still waiting for the service's first response
 * past its target (src/referral-model/response-targets.ts, per urgency) is escalated, once:
 * 1. a message to the GP in the record (Communication `referral-overdue`, conditional on its deterministic
 *    identifier, with Provenance), so the GP knows and can act;
 * 2. a note on the Task (`ESCALATION_HEADING`), written with If-Match, which the workspace's manager view lists and
 *    which marks the Task as escalated.
 * Both steps are idempotent, so instances sweeping together, or a sweep retrying after a failure, escalate once.
 */
export async function escalateOverdue(rt: EndpointRuntime, o: { now: Date; targets: ResponseTargets; validate: ValidateFn; logger: Logger }): Promise<EscalationResult> {
  const res: EscalationResult = { waiting: 0, escalated: 0, failed: 0 };
  const log = o.logger.child({ endpoint: rt.id });
  for await (const page of rt.lw.searchAll<Task>('Task', { status: AWAITING, _count: 100 })) {
    for (const e of page.entry ?? []) {
      const task = e.resource;
      if (task?.resourceType !== 'Task' || !task.id || !isTaskStatus(task.status)) continue;
      if (!task.identifier?.some((i) => i.system === IDENTIFIER_SYSTEM.referralTask)) continue;
      res.waiting++;
      if (escalationOf(task) || !isUnansweredPastTarget({ authoredOn: task.authoredOn, priority: task.priority, taskStatus: task.status }, o.now, o.targets)) continue;
      try {
        await escalate(rt, task, o);
        res.escalated++;
        log.info({ taskId: task.id }, 'referral not accepted in time: escalated');
      } catch (err) {
        res.failed++;
        log.warn({ err: (err as Error).message, taskId: task.id }, 'escalation failed; tried again on the next sweep');
      }
    }
  }
  return res;
}

async function escalate(rt: EndpointRuntime, task: Task, o: { now: Date; targets: ResponseTargets; validate: ValidateFn }): Promise<void> {
  const urgency = priorityToUrgency(task.priority);
  const why = `Not accepted within ${describeTarget(o.targets[urgency])} (the target for ${urgency === 'urgent' ? 'an' : 'a'} ${urgency} referral)`;
  const now = o.now.toISOString();
  // A self or agency referral no GP record holds: the service manager is told (the note), there is no GP to tell.
  if (!hasNoGpRecord(task)) await tellGp(rt, task, o, why, now);
  await noteEscalation(rt, task, o, why, now);
}

async function tellGp(rt: EndpointRuntime, task: Task, o: { now: Date; validate: ValidateFn }, why: string, now: string): Promise<void> {
  const t = rt.topology;
  const parsed = parseTask(task, t);
  if (!parsed.ok) throw new Error(`Task/${task.id} cannot be read as a referral: ${parsed.bad.reason}`);
  const ehr = rt.ehr.get(parsed.task.tenantId);
  if (!ehr) throw new Error(`no EHR client for tenant ${parsed.task.tenantId}`);
  const sr = await ehr.read<ServiceRequest>('ServiceRequest', parsed.task.serviceRequestId);
  const subject = resolveReference(sr.subject?.reference, { ...t, linkWorkerBase: ehr.baseUrl });
  if (subject?.kind !== 'ehr' || subject.resourceType !== 'Patient') throw new Error(`ServiceRequest/${sr.id} has no Patient subject`);

  // 1. The GP's message, once (conditional create), sent now and saying why.
  const { identifier, resource } = buildCommunication('referral-overdue', {
    topology: t,
    // Sent now, saying why (the message's "Reason" line reads the Task's statusReason words).
    task: { ...parsed.task, lastModified: now, reasonText: why, task: { ...parsed.task.task, statusReason: { text: why } } },
    patientId: subject.id,
    serviceRequest: { ...sr, id: sr.id! },
  });
  const fullUrl = `urn:uuid:${randomUUID()}`;
  const source = `${linkWorkerUrl(t, 'Task', task.id!, task.meta?.versionId ?? '')}#referral-overdue`;
  const provenance = buildProvenance({
    targets: [fullUrl],
    recorded: o.now,
    activity: 'CREATE',
    activityText: 'Referral not accepted in time: escalated',
    agents: [{ role: 'performer', who: SP_LINK_AGENT }],
    sources: [source],
  });
  o.validate(resource);
  o.validate(provenance);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl, resource, request: { method: 'POST', url: 'Communication', ifNoneExist: `identifier=${IDENTIFIER_SYSTEM.gpCommunication}|${identifier}` } },
      { resource: provenance, request: { method: 'POST', url: 'Provenance', ifNoneExist: `entity=${encodeURIComponent(source)}` } },
    ],
  };
  await ehr.transaction(bundle);
}

async function noteEscalation(rt: EndpointRuntime, task: Task, o: { validate: ValidateFn }, why: string, now: string): Promise<void> {
  // 2. The note for the service manager, which also marks the Task escalated. A 412 (the service changed the Task
  // meanwhile) leaves it for the next sweep, which sees whether it still waits.
  const noted: Task = { ...task, note: [...(task.note ?? []), escalationNote({ time: now, why })] };
  o.validate(noted);
  try {
    await rt.lw.update(noted, { ifMatch: task.meta?.versionId ?? '' });
  } catch (err) {
    if (err instanceof FhirHttpError && err.status === 412) throw new Error(`Task/${task.id} changed while it was escalated`);
    throw err;
  }
}
