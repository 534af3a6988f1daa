import type { Bundle, HealthcareService, Observation, Patient, Procedure, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { isOnwardReferral, parentTaskId } from '../../referral-model/onward-referral.js';
import type { FhirClient } from '../../fhir/client.js';
import { FhirError } from '../../fhir/errors.js';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { outcomeIdentifier, refKey, resolveReference, type OutcomeCopy, type ParsedTask } from '../rules/index.js';
import type { EndpointRuntime } from '../runtime.js';

/** What planning needs beyond the Task itself, fetched for a whole batch at once. */
export interface BatchContext {
  /** `${tenantId}/${id}` → ServiceRequest. */
  readonly serviceRequests: Map<string, ServiceRequest & { id: string }>;
  /** `${tenantId}/${id}` → Patient. */
  readonly patients: Map<string, Patient & { id: string }>;
  /** Per Task version (`id@version`): refKey → source Observation. */
  readonly observations: Map<string, Map<string, Observation>>;
  /** Per Task version: refKey → Procedure named by a `resulting-activity` output. */
  readonly procedures: Map<string, Map<string, Procedure>>;
  /** Per Task version: refKey → HealthcareService named (without a display) by an `activity-referred` output. */
  readonly services: Map<string, Map<string, HealthcareService>>;
  /** Per tenant: write-back identifier → the EHR copy of an outcome measure (to compare and update). */
  copies: Map<string, Map<string, OutcomeCopy>>;
  /** Task id → its onward referrals (sub-Tasks), read for completed Tasks: the message back reports them. */
  readonly onward: Map<string, Task[]>;
}

const ID_CHUNK = 100;
/** Write-back identifiers are long; 50 keep the search URL well under common 8 KB limits. */
const COPY_CHUNK = 50;
const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

function entries<T extends Resource>(b: Bundle, type: T['resourceType']): (T & { id: string })[] {
  return (b.entry ?? []).flatMap((e) => (e.resource?.resourceType === type && e.resource.id ? [e.resource as T & { id: string }] : []));
}

/** Reads resources by id with `_id=a,b,c` searches (one request per 100 ids), following `next` pages. */
async function byIds(client: FhirClient, type: string, ids: readonly string[], include?: string): Promise<Bundle[]> {
  const out: Bundle[] = [];
  for (const part of chunks([...new Set(ids)], ID_CHUNK)) {
    const params: Record<string, string> = { _id: part.join(','), _count: String(part.length * 2) };
    if (include) params._include = include;
    for await (const page of client.searchAll(type as Resource['resourceType'], params)) out.push(page);
  }
  return out;
}

/**
 * One `ServiceRequest?_id=…&_include=ServiceRequest:subject` per EHR (falling back to `Patient?_id=…` for
 * servers without `_include`) and one `Observation?_id=…` at the link-worker endpoint: a handful of
 * requests per page of Tasks instead of several per Task.
 */
export async function fetchBatchContext(rt: EndpointRuntime, tasks: readonly ParsedTask[]): Promise<BatchContext> {
  const serviceRequests = new Map<string, ServiceRequest & { id: string }>();
  const patients = new Map<string, Patient & { id: string }>();
  const byTenant = new Map<string, string[]>();
  for (const t of tasks) byTenant.set(t.tenantId, [...(byTenant.get(t.tenantId) ?? []), t.serviceRequestId]);

  for (const [tenantId, ids] of byTenant) {
    const client = rt.ehr.get(tenantId);
    if (!client) continue;
    const pages = await byIds(client, 'ServiceRequest', ids, 'ServiceRequest:subject');
    for (const p of pages) {
      for (const sr of entries<ServiceRequest>(p, 'ServiceRequest')) serviceRequests.set(`${tenantId}/${sr.id}`, sr);
      for (const pt of entries<Patient>(p, 'Patient')) patients.set(`${tenantId}/${pt.id}`, pt);
    }
    const missing = [...serviceRequests.entries()]
      .filter(([k]) => k.startsWith(`${tenantId}/`))
      .map(([, sr]) => resolveReference(sr.subject?.reference, { ...rt.topology, linkWorkerBase: client.baseUrl }))
      .flatMap((r) => (r?.kind === 'ehr' && r.resourceType === 'Patient' && !patients.has(`${tenantId}/${r.id}`) ? [r.id] : []));
    if (missing.length > 0) {
      for (const p of await byIds(client, 'Patient', missing)) for (const pt of entries<Patient>(p, 'Patient')) patients.set(`${tenantId}/${pt.id}`, pt);
    }
  }

  const observations = new Map<string, Map<string, Observation>>();
  const procedures = new Map<string, Map<string, Procedure>>();
  const services = new Map<string, Map<string, HealthcareService>>();
  const remote = { Observation: new Set<string>(), Procedure: new Set<string>(), HealthcareService: new Set<string>() };
  const refs = (t: ParsedTask) =>
    t.outputs.flatMap((o) => (o.type === 'outcome-measure' || ((o.type === 'resulting-activity' || o.type === 'activity-referred') && o.ref) ? [o.ref!] : []));
  for (const t of tasks) {
    const obs = new Map<string, Observation>();
    observations.set(`${t.id}@${t.version}`, obs);
    procedures.set(`${t.id}@${t.version}`, new Map());
    services.set(`${t.id}@${t.version}`, new Map());
    for (const ref of refs(t)) {
      if (ref.kind === 'contained') {
        const c = (t.task.contained ?? []).find((r) => r.id === ref.id && r.resourceType === 'Observation');
        if (c) obs.set(refKey(ref), c as Observation);
      } else if (ref.resourceType === 'Observation' || ref.resourceType === 'Procedure' || ref.resourceType === 'HealthcareService') {
        remote[ref.resourceType].add(ref.id);
      }
    }
  }
  const found = new Map<string, Resource>();
  for (const type of ['Observation', 'Procedure', 'HealthcareService'] as const) {
    if (remote[type].size === 0) continue;
    let pages: Bundle[];
    try {
      pages = await byIds(rt.lw, type, [...remote[type]]);
    } catch (err) {
      // Procedures and services only describe activities: a server (or a scope) without them leaves the activity
      // described by its reference's display, or recorded as not carried. Never a reason to hold back a status.
      if (type === 'Observation' || !(err instanceof FhirError) || err.transient) throw err;
      continue;
    }
    for (const p of pages) for (const r of entries<Observation | Procedure | HealthcareService>(p, type)) found.set(`${type}/${r.id}`, r);
  }
  for (const t of tasks) {
    for (const ref of refs(t)) {
      if (ref.kind === 'contained') continue;
      const r = found.get(`${ref.resourceType}/${ref.id}`);
      if (r?.resourceType === 'Observation') observations.get(`${t.id}@${t.version}`)!.set(refKey(ref), r);
      else if (r?.resourceType === 'Procedure') procedures.get(`${t.id}@${t.version}`)!.set(refKey(ref), r);
      else if (r?.resourceType === 'HealthcareService') services.get(`${t.id}@${t.version}`)!.set(refKey(ref), r);
    }
  }
  return { serviceRequests, patients, observations, procedures, services, copies: await fetchOutcomeCopies(rt, tasks), onward: await fetchOnward(rt, tasks) };
}

/**
 * The onward referrals of each completed Task (`Task?part-of=Task/a,Task/b,…`, one request per 50 completions), for the
 * message back. A server that cannot search by part-of leaves them out; never a reason to hold back a status.
 */
async function fetchOnward(rt: EndpointRuntime, tasks: readonly ParsedTask[]): Promise<Map<string, Task[]>> {
  const out = new Map<string, Task[]>();
  const ids = [...new Set(tasks.filter((t) => t.status === 'completed').map((t) => t.id))];
  for (const id of ids) out.set(id, []);
  for (const part of chunks(ids, COPY_CHUNK)) {
    try {
      for await (const page of rt.lw.searchAll<Task>('Task', { 'part-of': part.map((id) => `Task/${id}`).join(','), _count: '100' })) {
        for (const s of entries<Task>(page, 'Task')) {
          const parent = isOnwardReferral(s) ? parentTaskId(s) : undefined;
          if (parent && out.has(parent) && !out.get(parent)!.some((x) => x.id === s.id)) out.get(parent)!.push(s);
        }
      }
    } catch (err) {
      if (!(err instanceof FhirError) || err.transient) throw err;
    }
  }
  for (const subs of out.values()) subs.sort((a, b) => (a.authoredOn ?? '').localeCompare(b.authoredOn ?? ''));
  return out;
}

/**
 * The EHR copies of the batch's outcome measures, by `Observation?identifier=system|a,system|b` (one request
 * per 50 identifiers per EHR). Read fresh before planning and again after a 412, so a correction is compared
 * with what the EHR holds now.
 */
export async function fetchOutcomeCopies(rt: EndpointRuntime, tasks: readonly ParsedTask[]): Promise<Map<string, Map<string, OutcomeCopy>>> {
  const wanted = new Map<string, Set<string>>();
  for (const t of tasks) {
    for (const o of t.outputs) {
      if (o.type !== 'outcome-measure') continue;
      const set = wanted.get(t.tenantId) ?? new Set<string>();
      set.add(outcomeIdentifier(rt.topology, t, o.ref));
      wanted.set(t.tenantId, set);
    }
  }
  const out = new Map<string, Map<string, OutcomeCopy>>();
  for (const [tenantId, ids] of wanted) {
    const client = rt.ehr.get(tenantId);
    if (!client) continue;
    const mine = new Map<string, OutcomeCopy>();
    out.set(tenantId, mine);
    const system = IDENTIFIER_SYSTEM.outcomeObservation;
    for (const part of chunks([...ids], COPY_CHUNK)) {
      const params = { identifier: part.map((v) => `${system}|${v}`).join(','), _count: String(part.length * 2) };
      for await (const page of client.searchAll('Observation', params)) {
        for (const o of entries<Observation>(page, 'Observation')) {
          const value = o.identifier?.find((i) => i.system === system)?.value;
          if (value && ids.has(value) && o.meta?.versionId) mine.set(value, { id: o.id, versionId: o.meta.versionId, resource: o });
        }
      }
    }
  }
  return out;
}
