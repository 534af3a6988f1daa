import type { HealthcareService, Observation, Procedure, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Db } from '../../store/db.js';
import type { CapturedReferral, ReportCapture } from '../../reports/capture.js';
import { FhirError } from '../../fhir/errors.js';
import { reconcileMetrics } from '../metrics.js';
import { hasNoGpRecord } from '../../referral-model/referral-source.js';
import { parseTask, type BadInput, type ParsedTask, type TaskTrack } from '../rules/index.js';
import type { EndpointRuntime, ValidateFn } from '../runtime.js';
import { upsertDeadLetter } from '../store/dead-letters.js';
import { assertLease, type Lease } from '../store/leases.js';
import { alreadyApplied, loadTracks, recordAttempt, recordDurable, versionKey } from '../store/progress.js';
import { fetchBatchContext, fetchOutcomeCopies, type BatchContext } from './fetch-context.js';
import { planUnit, type WriteUnit } from './unit.js';
import { writeUnits, type UnitResult } from './write-back.js';
import { isFhirId, referencedId } from '../../referral-model/references.js';
import { isOnwardReferral } from '../../referral-model/onward-referral.js';
import { homeEndpointOf, relayOnward } from './onward-relay.js';

export interface EngineDeps {
  readonly db: Db;
  readonly validate: ValidateFn;
  readonly logger: Logger;
  /** Transient failures of one Task version before it becomes a dead letter. */
  readonly maxAttempts: number;
  /** Most entries per EHR transaction (several Task versions share one when they fit). */
  readonly maxTransactionEntries: number;
  readonly now?: () => Date;
  /** Test hook: called after the EHR write of a batch and before its progress is saved. */
  readonly afterEhrWrite?: () => void | Promise<void>;
  /** Counts HTTP requests made for write-back (bench). */
  readonly onRequest?: () => void;
  /** Applied referrals are handed here for the reports (src/reports/capture.ts); never fails the batch. */
  readonly reports?: ReportCapture;
  /** Every watched endpoint: onward referrals are relayed to and from community groups' own servers (onward-relay.ts). */
  readonly runtimes?: ReadonlyMap<string, EndpointRuntime>;
}

/** A Task version that could not be applied for now (transient); it holds the cursor back. */
export interface Failed {
  readonly taskId: string;
  readonly version: string;
  readonly lastUpdated: string;
  readonly error: string;
}

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  /**
   * Onward referrals (sub-Tasks `partOf` a referral Task) seen: they reach the link worker's case and, summarised,
   * the message back of their referral Task; none is a referral of its own, so none is written to the EHR.
   */
  onward?: number;
  deadLettered: number;
  failed: Failed[];
  ehrWrites: number;
  /** meta.lastUpdated of the oldest version in the batch that was new (not a duplicate): how late polling found it. */
  oldestNew?: string;
}

const BAD_CODE = 'ERR_RECONCILE_BAD_INPUT';

interface Item {
  readonly raw: Task;
  readonly parsed: ParsedTask;
}

/**
 * Reconciles a batch of Task versions from one endpoint: de-duplicate, parse, fetch context in bulk, plan,
 * write back, then record progress under the lease. Each version ends applied, dead-lettered (bad input,
 * or transient failures past maxAttempts) or failed (retried on a later run). Never throws for bad data.
 */
export async function processBatch(deps: EngineDeps, rt: EndpointRuntime, lease: Lease, tasks: readonly Task[], opts: { force?: boolean } = {}): Promise<BatchOutcome> {
  const out: BatchOutcome = { applied: 0, duplicates: 0, deadLettered: 0, failed: [], ehrWrites: 0 };
  const m = reconcileMetrics;
  const seen = new Set<string>();
  const unique = tasks.filter((t) => {
    const k = versionKey(t.id ?? '', t.meta?.versionId ?? '');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const done = opts.force
    ? new Set<string>()
    : await alreadyApplied(deps.db, rt.id, unique.filter((t) => t.id && t.meta?.versionId).map((t) => ({ taskId: t.id!, version: t.meta!.versionId! })));
  const items: Item[] = [];
  const bad: { raw: Task; parsed?: ParsedTask; bad: BadInput }[] = [];
  const onward: Task[] = [];
  for (const raw of unique) {
    if (done.has(versionKey(raw.id ?? '', raw.meta?.versionId ?? ''))) {
      out.duplicates++;
      continue;
    }
    if (isOnwardReferral(raw) && isFhirId(raw.id) && isFhirId(raw.meta?.versionId)) {
      // Never planned as a referral: its focus is the parent's referral, whose status it must not move.
      onward.push(raw);
      continue;
    }
    if (hasNoGpRecord(raw)) {
      // A self or agency referral no GP record holds: nothing to write back, and nothing wrong with it.
      m.tasksProcessed.inc({ endpoint: rt.id, outcome: 'no-gp-record' });
      continue;
    }
    const at = raw.meta?.lastUpdated;
    if (at && (out.oldestNew === undefined || Date.parse(at) < Date.parse(out.oldestNew))) out.oldestNew = at;
    let p: ReturnType<typeof parseTask>;
    try {
      p = parseTask(raw, rt.topology);
    } catch (err) {
      // One Task SP Link cannot handle is parked with its cause; the rest of the batch goes on.
      deps.logger.error({ err, endpoint: rt.id, taskId: raw.id }, 'unexpected failure parsing a task version');
      bad.push({ raw, bad: unexpected(raw, err) });
      continue;
    }
    if (p.ok) items.push({ raw, parsed: p.task });
    else bad.push({ raw, bad: p.bad });
  }
  m.tasksProcessed.inc({ endpoint: rt.id, outcome: 'duplicate' }, out.duplicates);

  let results: UnitResult[] = [];
  let ctx: BatchContext | undefined;
  if (items.length > 0) {
    try {
      ctx = await fetchBatchContext(rt, items.map((i) => i.parsed));
    } catch (err) {
      await failAll(deps, rt, lease, items.map((i) => i.parsed), err, out);
      await parkBad(deps, rt, lease, bad, out);
      return out;
    }
    const units: WriteUnit[] = [];
    const byTask = new Map<string, ParsedTask[]>();
    for (const { parsed } of items) byTask.set(parsed.id, [...(byTask.get(parsed.id) ?? []), parsed]);
    const tracks = await loadTracks(deps.db, rt.id, [...byTask.keys()]);
    for (const [taskId, versions] of byTask) {
      const first = versions[0]!;
      const sr = ctx.serviceRequests.get(`${first.tenantId}/${first.serviceRequestId}`);
      if (!sr) {
        for (const v of versions) bad.push({ raw: v.task, parsed: v, bad: { kind: 'focus-not-found', reason: `Task/${v.id}/_history/${v.version}: focus ServiceRequest/${v.serviceRequestId} does not exist in EHR ${v.tenantId}` } });
        continue;
      }
      try {
        const planned = planUnit(versions, unitInputs(rt, ctx, first.tenantId, sr, tracks.get(taskId)));
        for (const b of planned.bad) bad.push({ raw: b.task.task, parsed: b.task, bad: b.bad });
        if (planned.unit) units.push(planned.unit);
      } catch (err) {
        deps.logger.error({ err, endpoint: rt.id, taskId }, 'unexpected failure planning a task');
        for (const v of versions) bad.push({ raw: v.task, parsed: v, bad: unexpected(v.task, err) });
      }
    }
    results = await writeAll(deps, rt, ctx, units);
    await deps.afterEhrWrite?.();
  }

  const written = results.filter((r): r is Extract<UnitResult, { kind: 'written' }> => r.kind === 'written');
  for (const r of results) {
    if (r.kind === 'bad-input') for (const v of r.unit.versions) bad.push({ raw: v.task, parsed: v, bad: r.bad });
  }
  // Onward referrals to groups with a server of their own are relayed there and back, once per Task in the batch.
  const relayFailed = await relayAll(deps, rt, onward);
  const relayed = onward.filter((t) => !relayFailed.has(t.id!));
  await deps.db.transaction(async (tx) => {
    await assertLease(tx, lease);
    await recordDurable(tx, rt.id, [
      ...written.flatMap((r) => r.unit.versions.map((v) => ({ taskId: v.id, version: v.version, outcome: 'applied' as const, track: r.unit.track }))),
      ...relayed.map((t) => ({ taskId: t.id!, version: t.meta!.versionId!, outcome: 'applied' as const })),
    ]);
  });
  if (relayed.length > 0) {
    out.onward = relayed.length;
    m.tasksProcessed.inc({ endpoint: rt.id, outcome: 'onward' }, relayed.length);
  }
  for (const t of onward.filter((x) => relayFailed.has(x.id!))) await failOnward(deps, rt, lease, t, relayFailed.get(t.id!), out);
  for (const r of written) {
    out.applied += r.unit.versions.length;
    for (const u of r.unit.notCarried) {
      // Recorded in Provenance and the GP's message; counted so an integration engineer sees a systematic gap.
      deps.logger.info({ endpoint: rt.id, taskId: r.unit.taskId, kind: u.why, reason: u.reason }, 'task output not carried into the GP record');
      m.outputsNotCarried.inc({ endpoint: rt.id, kind: u.why });
    }
    out.ehrWrites += r.ehrWrites;
    if (r.ehrWrites > 0) m.writeBacks.inc({ endpoint: rt.id, tenant: r.unit.tenantId }, r.ehrWrites);
  }
  m.tasksProcessed.inc({ endpoint: rt.id, outcome: 'applied' }, out.applied);
  // A late, older version (its Task already seen further on) never winds a referral's report fact back.
  const current = written.filter((r) => !r.unit.priorTrack || r.unit.versions[r.unit.versions.length - 1]!.order >= r.unit.priorTrack.maxVersion);
  if (deps.reports && ctx && current.length) await deps.reports.capture(current.map((r) => captured(rt, ctx!, r.unit)));
  // Onward referrals held here (not a group server's copies of them, which are relayed back here) for the services report.
  const home = relayed.filter((t) => !homeEndpointOf(rt, t, deps.runtimes ?? new Map()));
  if (deps.reports?.captureOnward && home.length) await deps.reports.captureOnward(rt.id, home);
  // An EHR that accepted no write in this batch and refused with a transient error is unavailable (an outage),
  // which says nothing about the Task versions: they wait for it without using up their attempts, however long
  // it lasts. Where the same EHR accepted other writes, the failure counts against the versions (maxAttempts).
  const accepting = new Set(written.filter((r) => r.ehrWrites > 0).map((r) => r.unit.tenantId));
  for (const r of results) {
    if (r.kind !== 'transient') continue;
    if (accepting.has(r.unit.tenantId)) await failAll(deps, rt, lease, r.unit.versions, r.error, out);
    else waitForEhr(rt, r.unit.versions, r.error, out);
  }
  await parkBad(deps, rt, lease, bad, out);
  return out;
}

/** Relays each onward referral (its newest version in the batch); the Task ids whose relay failed, with the error. */
async function relayAll(deps: EngineDeps, rt: EndpointRuntime, onward: readonly Task[]): Promise<Map<string, unknown>> {
  const failed = new Map<string, unknown>();
  if (!deps.runtimes || onward.length === 0) return failed;
  const newest = new Map<string, Task>();
  for (const t of onward) newest.set(t.id!, t);
  const relay = { runtimes: deps.runtimes, validate: deps.validate, now: deps.now ?? (() => new Date()) };
  for (const t of newest.values()) {
    try {
      const step = await relayOnward(relay, rt, t);
      if (step !== 'none') deps.logger.info({ endpoint: rt.id, taskId: t.id, step }, 'onward referral relayed');
    } catch (err) {
      failed.set(t.id!, err);
    }
  }
  return failed;
}

/** An onward referral whose relay failed: retried by later runs, a dead letter with the cause after maxAttempts. */
async function failOnward(deps: EngineDeps, rt: EndpointRuntime, lease: Lease, t: Task, err: unknown, out: BatchOutcome): Promise<void> {
  const message = `onward referral not relayed: ${err instanceof Error ? err.message : String(err)}`;
  if (!(err instanceof FhirError)) deps.logger.error({ err, endpoint: rt.id, taskId: t.id }, 'unexpected failure relaying an onward referral');
  reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'write' });
  const { attempts, firstSeen } = await recordAttempt(deps.db, rt.id, { taskId: t.id!, version: t.meta!.versionId! }, message);
  if (attempts >= deps.maxAttempts) {
    await park(deps, rt, lease, t, undefined, { code: err instanceof FhirError ? err.code : 'ERR_INTERNAL', reason: `gave up after ${attempts} attempts: ${message}`, attempts, firstSeen });
    out.deadLettered++;
  } else {
    out.failed.push({ taskId: t.id!, version: t.meta!.versionId!, lastUpdated: t.meta?.lastUpdated ?? '', error: message });
    reconcileMetrics.tasksProcessed.inc({ endpoint: rt.id, outcome: 'failed' });
  }
}

/** What the reports keep of a referral the batch applied: its latest Task version and what was read with it. */
function captured(rt: EndpointRuntime, ctx: BatchContext, unit: WriteUnit): CapturedReferral {
  const latest = unit.versions[unit.versions.length - 1]!;
  const subjectId = referencedId(unit.serviceRequest.subject?.reference, 'Patient');
  return {
    endpointId: rt.id, endpointName: rt.topology.endpointName, tenantId: unit.tenantId,
    task: { ...latest.task, id: latest.id }, serviceRequest: unit.serviceRequest,
    patient: subjectId ? ctx.patients.get(`${unit.tenantId}/${subjectId}`) : undefined,
    ...(subjectId ? { patientId: subjectId } : {}),
    observations: [...(ctx.observations.get(`${latest.id}@${latest.version}`)?.values() ?? [])],
  };
}

function unitInputs(rt: EndpointRuntime, ctx: BatchContext, tenantId: string, sr: ServiceRequest & { id: string }, track: TaskTrack | undefined) {
  const subjectId = referencedId(sr.subject?.reference, 'Patient');
  return {
    topology: rt.topology,
    serviceRequest: sr,
    patient: subjectId ? ctx.patients.get(`${tenantId}/${subjectId}`) : undefined,
    observations: (t: ParsedTask): ReadonlyMap<string, Observation> => ctx.observations.get(`${t.id}@${t.version}`) ?? new Map(),
    procedures: (t: ParsedTask): ReadonlyMap<string, Procedure> => ctx.procedures.get(`${t.id}@${t.version}`) ?? new Map(),
    services: (t: ParsedTask): ReadonlyMap<string, HealthcareService> => ctx.services.get(`${t.id}@${t.version}`) ?? new Map(),
    onward: (t: ParsedTask): readonly Task[] => ctx.onward.get(t.id) ?? [],
    copies: ctx.copies.get(tenantId) ?? new Map(),
    track,
  };
}

/** Per EHR: units packed into transactions (see write-back.ts `pack`). */
async function writeAll(deps: EngineDeps, rt: EndpointRuntime, ctx: BatchContext, units: WriteUnit[]): Promise<UnitResult[]> {
  const results: UnitResult[] = [];
  const byTenant = new Map<string, WriteUnit[]>();
  for (const u of units) byTenant.set(u.tenantId, [...(byTenant.get(u.tenantId) ?? []), u]);
  const writeDeps = {
    rt,
    validate: deps.validate,
    now: deps.now ?? (() => new Date()),
    onRequest: deps.onRequest,
    maxEntries: deps.maxTransactionEntries,
    logger: deps.logger,
    replan: async (unit: WriteUnit, fresh: ServiceRequest & { id: string }) => {
      // A 412 may come from an outcome copy changed meanwhile: compare against the copies as they are now.
      if (unit.ehrEffects.some((e) => e.kind === 'update-observation')) {
        const copies = await fetchOutcomeCopies(rt, unit.versions);
        const mine = ctx.copies.get(unit.tenantId) ?? new Map();
        for (const [k, v] of copies.get(unit.tenantId) ?? []) mine.set(k, v);
        ctx.copies.set(unit.tenantId, mine);
      }
      const p = planUnit(unit.versions, unitInputs(rt, ctx, unit.tenantId, fresh, unit.priorTrack));
      return p.unit ?? { bad: p.bad[0]?.bad ?? { kind: 'invalid-service-request' as const, reason: `Task/${unit.taskId}: nothing left to apply` } };
    },
  };
  for (const list of byTenant.values()) results.push(...(await writeUnits(writeDeps, list)));
  return results;
}

/** Versions held back by an EHR outage: retried by later runs (with the run backoff), attempts left as they were. */
function waitForEhr(rt: EndpointRuntime, versions: readonly ParsedTask[], err: Error, out: BatchOutcome): void {
  reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'write' });
  for (const v of versions) {
    out.failed.push({ taskId: v.id, version: v.version, lastUpdated: v.task.meta?.lastUpdated ?? '', error: err.message });
    reconcileMetrics.tasksProcessed.inc({ endpoint: rt.id, outcome: 'failed' });
  }
}

async function failAll(deps: EngineDeps, rt: EndpointRuntime, lease: Lease, versions: readonly ParsedTask[], err: unknown, out: BatchOutcome): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof FhirError ? err.code : 'ERR_INTERNAL';
  if (!(err instanceof FhirError)) deps.logger.error({ err, endpoint: rt.id }, 'unexpected reconcile failure');
  reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'write' });
  for (const v of versions) {
    const { attempts, firstSeen } = await recordAttempt(deps.db, rt.id, { taskId: v.id, version: v.version }, message);
    if (attempts >= deps.maxAttempts) {
      await park(deps, rt, lease, v.task, v, { code, reason: `gave up after ${attempts} attempts: ${message}`, attempts, firstSeen });
      out.deadLettered++;
    } else {
      out.failed.push({ taskId: v.id, version: v.version, lastUpdated: v.task.meta?.lastUpdated ?? '', error: message });
      reconcileMetrics.tasksProcessed.inc({ endpoint: rt.id, outcome: 'failed' });
    }
  }
}

async function parkBad(deps: EngineDeps, rt: EndpointRuntime, lease: Lease, bad: { raw: Task; parsed?: ParsedTask; bad: BadInput }[], out: BatchOutcome): Promise<void> {
  for (const b of bad) {
    deps.logger.warn({ endpoint: rt.id, kind: b.bad.kind, reason: b.bad.reason }, 'task version dead-lettered');
    reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'task' });
    const code = b.bad.kind === 'internal-error' ? 'ERR_INTERNAL' : `${BAD_CODE}:${b.bad.kind}`;
    await park(deps, rt, lease, b.raw, b.parsed, { code, reason: b.bad.reason, attempts: 1 });
    out.deadLettered++;
  }
}

/** A Task version whose handling threw: parked with the cause, logged with the stack for whoever fixes SP Link. */
function unexpected(raw: Task, err: unknown): BadInput {
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'internal-error',
    reason: `Task/${raw.id ?? 'unknown'}/_history/${raw.meta?.versionId ?? 'unknown'}: SP Link could not process this version (unexpected error: ${message.slice(0, 500)}); replay it once SP Link is fixed`,
  };
}

async function park(
  deps: EngineDeps, rt: EndpointRuntime, lease: Lease, raw: Task, parsed: ParsedTask | undefined,
  e: { code: string; reason: string; attempts: number; firstSeen?: string },
): Promise<void> {
  const version = isFhirId(raw.meta?.versionId) ? raw.meta.versionId : undefined;
  const sourceRef = `Task/${raw.id ?? 'unknown'}/_history/${version ?? 'unknown'}`;
  await deps.db.transaction(async (tx) => {
    await assertLease(tx, lease);
    await upsertDeadLetter(tx, {
      kind: 'task-version', endpointId: rt.id, tenantId: parsed?.tenantId, sourceRef,
      errorCode: e.code, reason: e.reason, attempts: e.attempts, firstSeen: e.firstSeen, payload: raw,
    });
    if (raw.id && version) await recordDurable(tx, rt.id, [{ taskId: raw.id, version, outcome: 'dead-lettered' }]);
  });
  reconcileMetrics.deadLetters.inc({ endpoint: rt.id, kind: 'task-version' });
  reconcileMetrics.tasksProcessed.inc({ endpoint: rt.id, outcome: 'dead-lettered' });
}
