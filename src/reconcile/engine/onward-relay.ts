import type { Bundle, Communication, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { FhirClient } from '../../fhir/client.js';
import { FhirHttpError } from '../../fhir/errors.js';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import {
  forwardedOnwardReferral, isFinalOnwardState, lateOnwardUpdate, mirrorOnwardAnswer, onwardIdentifierOf, onwardStateOf, parentTaskId, withdrawOnwardReferral,
} from '../../referral-model/onward-referral.js';
import { buildProvenance, SP_LINK_AGENT } from '../../referral-model/provenance.js';
import { joinUrl, parseReferenceOf, referencedId, sameBase } from '../../referral-model/references.js';
import { isTaskStatus, type TaskStatus } from '../../referral-model/task-status.js';
import { parseTask } from '../rules/index.js';
import { buildCommunication, communicationIdentifier } from '../rules/messages.js';
import { linkWorkerUrl } from '../rules/references.js';
import type { EndpointRuntime, ValidateFn } from '../runtime.js';

/**
 * Onward referrals to community groups with a FHIR server of their own (a provider configured under the link-worker
 * endpoint's `directReferrals` with `via: endpoint`, that server being another watched endpoint). The onward referral
 * SP Link made stays at the link-worker endpoint, where the case, the message back and the revocation sweep read it;
 * the reconciler keeps a copy on the group's server and carries answers between the two:
 * - a sub-Task version at the link-worker endpoint owned by such a group → its copy is created there (conditional on
 *   SP Link's identifier), and a withdrawal is passed on to an open copy;
 * - a version of that copy (seen by polling or subscription at the group's endpoint, whatever the server's dialect)
 *   whose answer has got further → the group's status, reason, sessions and notes are written onto the onward
 *   referral at the link-worker endpoint, with `If-Match` and a Provenance naming the group.
 * Each step reads the other side first and only ever moves a referral forward, so repeats and echoes write nothing.
 */

export interface RelayDeps {
  readonly runtimes: ReadonlyMap<string, EndpointRuntime>;
  readonly validate: ValidateFn;
  readonly now: () => Date;
}

export type RelayStep = 'forwarded' | 'withdrawn' | 'mirrored' | 'gp-updated' | 'none';

/** The group endpoint an onward referral at `rt` goes to: its owner is a provider configured `via: endpoint`. */
export function groupEndpointOf(rt: EndpointRuntime, task: Task, runtimes: ReadonlyMap<string, EndpointRuntime>): EndpointRuntime | undefined {
  const owner = task.owner;
  const ownerRef = owner?.reference ? parseReferenceOf(owner.reference, 'Organization') : undefined;
  const ownerOds = owner?.identifier?.system === IDENTIFIER_SYSTEM.odsOrganisation ? owner.identifier.value : undefined;
  const d = rt.config.directReferrals.find(
    (x) => x.via === 'endpoint' && ((ownerRef && (ownerRef.base === undefined || sameBase(ownerRef.base, rt.config.fhirBase)) && `Organization/${ownerRef.id}` === x.organization) || (ownerOds !== undefined && ownerOds === x.odsCode)),
  );
  return d?.via === 'endpoint' && d.endpoint !== rt.id ? runtimes.get(d.endpoint) : undefined;
}

/** The endpoint holding the referral Task a copy is part of, when that is another watched endpoint than `rt`. */
export function homeEndpointOf(rt: EndpointRuntime, task: Task, runtimes: ReadonlyMap<string, EndpointRuntime>): EndpointRuntime | undefined {
  for (const p of task.partOf ?? []) {
    const ref = parseReferenceOf(p.reference, 'Task');
    if (!ref?.base || sameBase(ref.base, rt.config.fhirBase)) continue;
    for (const other of runtimes.values()) if (other.id !== rt.id && sameBase(ref.base, other.config.fhirBase)) return other;
  }
  return undefined;
}

async function findByIdentifier(rt: EndpointRuntime, id: { system: string; value: string }): Promise<Task | undefined> {
  const b = await rt.lw.search<Task>('Task', { identifier: `${id.system}|${id.value}`, _count: '2' });
  return b.entry?.find((e) => e.resource?.resourceType === 'Task')?.resource;
}

/** One sub-Task version: forward it to the group's server, or mirror the group's answer back. Throws on a transient failure. */
export async function relayOnward(deps: RelayDeps, rt: EndpointRuntime, task: Task): Promise<RelayStep> {
  const key = onwardIdentifierOf(task);
  if (!key) return 'none';
  const home = homeEndpointOf(rt, task, deps.runtimes);
  if (home) return mirror(deps, home, rt, task, key);
  const group = groupEndpointOf(rt, task, deps.runtimes);
  const forwarded = group ? await forward(deps, rt, group, task, key) : 'none';
  const told = await tellGpLate(deps, rt, task);
  return told ? 'gp-updated' : forwarded;
}

/**
 * A group's answer that arrives after the referral completed (the message back has gone) reaches the GP as a progress
 * update (`lateOnwardUpdate`): one per onward referral and state (its identifier), in the EHR with a Provenance, and
 * never a repeat of what the message back said. Before the message back is written, nothing: it reports the answer.
 */
async function tellGpLate(deps: RelayDeps, rt: EndpointRuntime, seen: Task): Promise<boolean> {
  const parentId = parentTaskId(seen);
  if (!parentId || !isTaskStatus(seen.status) || !lateOnwardUpdate(seen, [])) return false;
  const parent = await rt.lw.read<Task>('Task', parentId);
  if (parent.status !== 'completed') return false;
  const p = parseTask(parent, rt.topology);
  const ehr = p.ok ? rt.ehr.get(p.task.tenantId) : undefined;
  if (!p.ok || !ehr) return false;
  const completion = await ehr.search<Communication>('Communication', { identifier: `${IDENTIFIER_SYSTEM.gpCommunication}|${communicationIdentifier(rt.topology, parent.id!, 'referral-completed')}` });
  const message = completion.entry?.find((e) => e.resource?.resourceType === 'Communication')?.resource;
  if (!message) return false;
  const task = await rt.lw.read<Task>('Task', seen.id!);
  const line = lateOnwardUpdate(task, (message.payload ?? []).flatMap((x) => (x.contentString ? [x.contentString] : [])));
  if (!line) return false;
  const sr = await ehr.read<ServiceRequest>('ServiceRequest', p.task.serviceRequestId);
  const patientId = referencedId(sr.subject?.reference, 'Patient');
  if (!patientId || !sr.id) return false;
  const state = onwardStateOf(task.status as TaskStatus);
  const { identifier, resource } = buildCommunication('referral-progress', {
    topology: rt.topology,
    task: { ...p.task, lastModified: task.lastModified ?? task.meta?.lastUpdated ?? deps.now().toISOString(), progress: { key: `onward-${task.id}-${state}`, text: line } },
    patientId, serviceRequest: sr as ServiceRequest & { id: string }, onward: [line], afterSupportEnded: true,
  });
  deps.validate(resource);
  const fullUrl = `urn:uuid:${crypto.randomUUID()}`;
  const source = linkWorkerUrl(rt.topology, 'Task', task.id!, task.meta?.versionId);
  const provenance = buildProvenance({ targets: [fullUrl], recorded: deps.now(), activity: 'CREATE', activityText: 'A group answered an onward referral after support ended', agents: [{ role: 'performer', who: SP_LINK_AGENT }], sources: [source] });
  deps.validate(provenance);
  await ehr.transaction({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl, resource, request: { method: 'POST', url: 'Communication', ifNoneExist: `identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.gpCommunication}|${identifier}`)}` } },
      { resource: provenance, request: { method: 'POST', url: 'Provenance', ifNoneExist: `entity=${encodeURIComponent(source)}` } },
    ],
  });
  return true;
}

async function forward(deps: RelayDeps, rt: EndpointRuntime, group: EndpointRuntime, seen: Task, key: { system: string; value: string }): Promise<RelayStep> {
  // The version in hand may be old (a batch replayed): act on the referral as it is now.
  const task = await rt.lw.read<Task>('Task', seen.id!);
  const copy = await findByIdentifier(group, key);
  const state = isTaskStatus(task.status) ? onwardStateOf(task.status) : 'sent';
  if (!copy) {
    if (isFinalOnwardState(state)) return 'none';
    const forwarded = forwardedOnwardReferral(task, rt.config.fhirBase);
    deps.validate(forwarded);
    await group.lw.create(forwarded, { ifNoneExist: { identifier: `${key.system}|${key.value}` } });
    return 'forwarded';
  }
  if (state !== 'withdrawn') return 'none';
  const why = task.statusReason?.text ?? 'The referral was withdrawn.';
  return (await withdrawOnward(group.lw, copy, { now: deps.now(), why, ...(task.statusReason ? { reason: task.statusReason } : {}) }, deps.validate)) ? 'withdrawn' : 'none';
}

/**
 * Withdraws an open onward referral on a server (`withdrawOnwardReferral`) with If-Match on the version read; a 412
 * (the group answered meanwhile) re-reads it once and decides again, so a referral the group closed stays closed.
 * True when it was withdrawn, false when it was already closed. The revocation sweep and the relay both use it.
 */
export async function withdrawOnward(client: FhirClient, task: Task, o: { now: Date; why: string; reason?: Task['statusReason'] }, validate: ValidateFn): Promise<boolean> {
  let current = task;
  for (let attempt = 0; attempt < 2; attempt++) {
    const next = withdrawOnwardReferral(current, o);
    if (!next) return false;
    validate(next);
    try {
      await client.update(next, { ifMatch: current.meta?.versionId });
      return true;
    } catch (err) {
      if (!(err instanceof FhirHttpError && err.status === 412) || attempt > 0) throw err;
      current = await client.read<Task>('Task', task.id!);
    }
  }
  return false;
}

async function mirror(deps: RelayDeps, home: EndpointRuntime, group: EndpointRuntime, seen: Task, key: { system: string; value: string }): Promise<RelayStep> {
  const copy = await group.lw.read<Task>('Task', seen.id!);
  for (let attempt = 0; attempt < 2; attempt++) {
    const task = await findByIdentifier(home, key);
    if (!task?.id) return 'none';
    const next = mirrorOnwardAnswer(task, copy, deps.now());
    if (!next) return 'none';
    deps.validate(next);
    try {
      await home.lw.transaction(mirrorBundle(next, task.meta?.versionId, copy, group, deps.now()));
      return 'mirrored';
    } catch (err) {
      // Answered meanwhile at the link-worker endpoint (the portal, a withdrawal): compare again with what is there now.
      if (!(err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) || attempt > 0) throw err;
    }
  }
  return 'none';
}

/** The onward referral with the group's answer, conditional on the version read, and a Provenance naming the group. */
function mirrorBundle(task: Task, version: string | undefined, copy: Task, group: EndpointRuntime, now: Date): Bundle {
  const who: Reference = {
    display: copy.owner?.display ?? group.config.name,
    ...(copy.owner?.identifier ? { identifier: copy.owner.identifier } : {}),
  };
  const provenance = buildProvenance({
    targets: [`Task/${task.id}`],
    recorded: now,
    activity: 'UPDATE',
    activityText: `Onward referral: answered in ${group.config.name}'s own system`,
    agents: [{ role: 'author', who }, { role: 'performer', who: SP_LINK_AGENT }],
    sources: [joinUrl(group.config.fhirBase, `Task/${copy.id}/_history/${copy.meta?.versionId ?? '1'}`)],
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: task, request: { method: 'PUT', url: `Task/${task.id}`, ...(version ? { ifMatch: `W/"${version}"` } : {}) } },
      { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } },
    ],
  };
}
