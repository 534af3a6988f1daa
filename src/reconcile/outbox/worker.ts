import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import type { FhirClient } from '../../fhir/client.js';
import { locationReference } from '../../fhir/write-result.js';
import { buildProvenance, SP_LINK_AGENT } from '../../referral-model/provenance.js';
import type { Logger } from 'pino';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { FhirError, FhirHttpError, outcomeText } from '../../fhir/errors.js';
import { recordAudit } from '../../store/audit.js';
import type { Db } from '../../store/db.js';
import { runBackoffMs } from '../feed/change-feed.js';
import { reconcileMetrics } from '../metrics.js';
import type { EndpointRuntime, ValidateFn } from '../runtime.js';
import { outboxSourceRef, resolveDeadLetter, upsertDeadLetter } from '../store/dead-letters.js';
import { claim, markDelivered, markFinal, markReadyFromLookup, markRetry, type OutboxRow } from './store.js';

export interface OutboxDeps {
  readonly db: Db;
  readonly runtimes: ReadonlyMap<string, EndpointRuntime>;
  readonly validate: ValidateFn;
  readonly logger: Logger;
  readonly maxAttempts: number;
  /** Rows still `awaiting-referral` after this long are resolved by looking the referral up in the EHR. */
  readonly graceMs: number;
  readonly batchSize?: number;
  /** How long a claimed row is ours before another instance may take it. */
  readonly claimMs?: number;
}

export interface OutboxRunResult {
  delivered: number;
  retried: number;
  deadLettered: number;
  discarded: number;
  resolvedFromEhr: number;
  /** Set when the pass itself failed (the rows stay queued for the next pass). */
  error?: string;
}

const token = (i: { system?: string; value?: string } | undefined): string | undefined =>
  i?.value ? `${i.system ? `${i.system}|` : ''}${i.value}` : undefined;

/**
 * One pass of the outbox: resolve rows stuck in `awaiting-referral` past the grace period (the referral is
 * in the EHR → deliver; it is not → discard, with an audit record), then deliver `ready` rows with a
 * conditional create (`If-None-Exist: identifier=…`), so a redelivery finds the Task instead of duplicating it.
 */
export async function runOutbox(deps: OutboxDeps, o: { ids?: number[] } = {}): Promise<OutboxRunResult> {
  const res: OutboxRunResult = { delivered: 0, retried: 0, deadLettered: 0, discarded: 0, resolvedFromEhr: 0 };
  const limit = deps.batchSize ?? 50;
  const claimMs = deps.claimMs ?? 60_000;
  for (;;) {
    const stuck = await claim(deps.db, { state: 'awaiting-referral', olderThanMs: deps.graceMs, limit, claimMs, ids: o.ids });
    for (const row of stuck) await resolveAwaiting(deps, row, res);
    if (stuck.length < limit) break;
  }
  for (;;) {
    const ready = await claim(deps.db, { state: 'ready', limit, claimMs, ids: o.ids });
    await Promise.all(ready.map((row) => deliver(deps, row, res)));
    if (ready.length < limit) break;
  }
  // After the Tasks: a GP-record row re-points a Task this same pass may just have delivered.
  for (;;) {
    const ready = await claim(deps.db, { state: 'ready', kind: 'gp-record', limit, claimMs, ids: o.ids });
    for (const row of ready) await writeGpRecord(deps, row, res);
    if (ready.length < limit) break;
  }
  return res;
}

async function resolveAwaiting(deps: OutboxDeps, row: OutboxRow, res: OutboxRunResult): Promise<void> {
  const rt = deps.runtimes.get(row.endpointId);
  const ehr = rt?.ehr.get(row.tenantId);
  if (!rt || !ehr) return fail(deps, row, res, `no configured endpoint ${row.endpointId} / tenant ${row.tenantId}`, false);
  const system = row.task.focus?.identifier?.system ?? IDENTIFIER_SYSTEM.referral;
  try {
    const bundle = await ehr.search<ServiceRequest>('ServiceRequest', { identifier: `${system}|${row.referralIdentifier}`, _count: '2' });
    const sr = bundle.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest')?.resource;
    if (sr?.id) {
      await markReadyFromLookup(deps.db, row.id, `${ehr.baseUrl}/ServiceRequest/${sr.id}`);
      res.resolvedFromEhr++;
      return;
    }
    await markFinal(deps.db, row.id, 'discarded', 'the referral was never written to the EHR');
    await recordAudit(deps.db, {
      actor: 'sp-link-reconciler', action: 'outbox-discard', tenantId: row.tenantId, resourceRef: outboxSourceRef(row.id),
      details: { referralIdentifier: row.referralIdentifier, reason: 'no ServiceRequest with this identifier in the EHR after the grace period' },
    });
    reconcileMetrics.outbox.inc({ endpoint: row.endpointId, result: 'discarded' });
    res.discarded++;
  } catch (err) {
    await fail(deps, row, res, (err as Error).message, err instanceof FhirError && err.transient);
  }
}

async function deliver(deps: OutboxDeps, row: OutboxRow, res: OutboxRunResult): Promise<void> {
  const rt = deps.runtimes.get(row.endpointId);
  if (!rt) return fail(deps, row, res, `no configured link-worker endpoint ${row.endpointId}`, false);
  const task: Task = row.task;
  const key = token(task.identifier?.[0]);
  if (!key) return fail(deps, row, res, 'the queued Task has no identifier to deliver it conditionally', false);
  const invalid = nonConformance(deps, [task]);
  if (invalid) return fail(deps, row, res, `the Task does not conform to its profile: ${invalid}`, false);
  try {
    const written = await rt.lw.create(task, { ifNoneExist: { identifier: key } });
    await delivered(deps, row, res, written.id ? `${rt.lw.baseUrl}/Task/${written.id}` : written.location);
  } catch (err) {
    await failedWrite(deps, row, res, err);
  }
}

const MAX_412_RETRIES = 3;

/**
 * A referral someone other than the GP made, into the GP record: the EHR transaction (the ServiceRequest and the
 * message to the practice are conditional creates; the ServiceRequest is looked for first, so a retry after a lost
 * answer writes no second Provenance), then the Task at the link-worker endpoint is pointed at that ServiceRequest
 * (If-Match, with Provenance), after which the reconciler writes its status, outcomes and message back there.
 */
async function writeGpRecord(deps: OutboxDeps, row: OutboxRow, res: OutboxRunResult): Promise<void> {
  const rt = deps.runtimes.get(row.endpointId);
  const ehr = rt?.ehr.get(row.tenantId);
  if (!rt || !ehr) return fail(deps, row, res, `no configured endpoint ${row.endpointId} / tenant ${row.tenantId}`, false);
  const bundle = row.ehrBundle;
  const sr = bundle?.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest')?.resource as ServiceRequest | undefined;
  const key = sr?.identifier?.[0];
  if (!bundle || !key?.system || !key.value) return fail(deps, row, res, 'the GP-record write names no referral identifier', false);
  const invalid = nonConformance(deps, (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])));
  if (invalid) return fail(deps, row, res, `the GP-record write does not conform to its profiles: ${invalid}`, false);
  try {
    const found = await ehr.search<ServiceRequest>('ServiceRequest', { identifier: `${key.system}|${key.value}`, _count: '2' });
    let srId = found.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest')?.resource?.id;
    if (!srId) {
      const answer = await ehr.transaction(bundle);
      srId = locationReference(answer.entry?.[0]?.response?.location)?.id ?? (answer.entry?.[0]?.resource as ServiceRequest | undefined)?.id;
    }
    if (!srId) throw new Error('the EHR did not say where it wrote the referral');
    const srUrl = `${ehr.baseUrl}/ServiceRequest/${srId}`;
    if (!(await pointTaskAt(deps, rt.lw, row, srUrl))) return fail(deps, row, res, 'the referral\'s Task is not at the link-worker endpoint yet', true);
    await delivered(deps, row, res, srUrl);
    await recordAudit(deps.db, {
      actor: 'sp-link-reconciler', action: 'gp-record-write', tenantId: row.tenantId, resourceRef: srUrl,
      details: { referralIdentifier: row.referralIdentifier, endpoint: row.endpointId },
    });
  } catch (err) {
    await failedWrite(deps, row, res, err);
  }
}

/** Why the resources would be refused by their profiles, or undefined when they conform. */
function nonConformance(deps: OutboxDeps, resources: readonly Parameters<OutboxDeps['validate']>[0][]): string | undefined {
  try {
    for (const r of resources) deps.validate(r);
    return undefined;
  } catch (err) {
    return outcomeText((err as { outcome?: Parameters<typeof outcomeText>[0] }).outcome) ?? (err as Error).message;
  }
}

async function delivered(deps: OutboxDeps, row: OutboxRow, res: OutboxRunResult, where: string | undefined): Promise<void> {
  await markDelivered(deps.db, row.id, where);
  await resolveDeadLetter(deps.db, 'outbox', outboxSourceRef(row.id), 'delivered');
  reconcileMetrics.outbox.inc({ endpoint: row.endpointId, result: 'delivered' });
  res.delivered++;
}

/** A failed write is retried unless the server refused it outright (a non-transient HTTP answer). */
async function failedWrite(deps: OutboxDeps, row: OutboxRow, res: OutboxRunResult, err: unknown): Promise<void> {
  const transient = err instanceof FhirError && err.transient;
  const refused = err instanceof FhirHttpError && !err.transient;
  await fail(deps, row, res, (err as Error).message, transient || !refused);
}

/** Points the referral's Task at the EHR's ServiceRequest (If-Match; re-read on 412). False when there is no Task yet. */
async function pointTaskAt(deps: OutboxDeps, lw: FhirClient, row: OutboxRow, srUrl: string): Promise<boolean> {
  const key = token(row.task.identifier?.[0]);
  if (!key) throw new Error('the referral has no Task identifier');
  for (let i = 0; i < MAX_412_RETRIES; i++) {
    const b = await lw.search<Task>('Task', { identifier: key, _count: '2' });
    const task = b.entry?.find((e) => e.resource?.resourceType === 'Task')?.resource;
    if (!task?.id) return false;
    if (task.focus?.reference === srUrl) return true;
    const now = new Date();
    const next: Task = { ...task, focus: { ...task.focus, reference: srUrl, type: 'ServiceRequest' }, lastModified: now.toISOString() };
    const provenance = buildProvenance({
      targets: [`Task/${task.id}`],
      recorded: now,
      activity: 'UPDATE',
      activityText: 'Referral recorded in the GP record',
      agents: [{ role: 'assembler', who: SP_LINK_AGENT }],
      sources: [srUrl],
    });
    deps.validate(next);
    try {
      await lw.transaction({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: next, request: { method: 'PUT', url: `Task/${task.id}`, ...(task.meta?.versionId ? { ifMatch: `W/"${task.meta.versionId}"` } : {}) } },
          { resource: provenance, request: { method: 'POST', url: 'Provenance' } },
        ],
      });
      return true;
    } catch (err) {
      if (!(err instanceof FhirHttpError && (err.status === 412 || err.status === 409))) throw err;
    }
  }
  throw new Error(`the Task for ${row.referralIdentifier} changed repeatedly while being pointed at the GP record`);
}

/**
 * What a dead-lettered row was doing, for the operator: the tenant and the referral, never the patient (the reason
 * is shown by `sp-link dead-letters` and in alerts; the patient is in the payload, for the replay).
 */
export function deadLetterSubject(row: Pick<OutboxRow, 'kind' | 'tenantId' | 'endpointId' | 'referralIdentifier'>): string {
  return row.kind === 'gp-record'
    ? `GP-record write for referral ${row.referralIdentifier} (a referral the GP did not make) to tenant ${row.tenantId}`
    : `Task delivery for referral ${row.referralIdentifier} to link-worker endpoint ${row.endpointId}`;
}

async function fail(deps: OutboxDeps, row: OutboxRow, res: OutboxRunResult, error: string, retryable: boolean): Promise<void> {
  const attempts = await markRetry(deps.db, row.id, error, runBackoffMs(row.attempts));
  if (retryable && attempts < deps.maxAttempts) {
    reconcileMetrics.outbox.inc({ endpoint: row.endpointId, result: 'retry' });
    reconcileMetrics.failures.inc({ endpoint: row.endpointId, stage: 'outbox' });
    res.retried++;
    return;
  }
  await markFinal(deps.db, row.id, 'dead', error);
  await upsertDeadLetter(deps.db, {
    kind: 'outbox', endpointId: row.endpointId, tenantId: row.tenantId, sourceRef: outboxSourceRef(row.id),
    errorCode: retryable ? 'ERR_FHIR_UNREACHABLE' : 'ERR_RECONCILE_BAD_INPUT', reason: `${deadLetterSubject(row)}: ${error}`,
    attempts, firstSeen: row.createdAt, payload: row.task,
  });
  deps.logger.warn({ endpoint: row.endpointId, outboxId: row.id }, 'outbox row dead-lettered');
  reconcileMetrics.outbox.inc({ endpoint: row.endpointId, result: 'dead-lettered' });
  reconcileMetrics.deadLetters.inc({ endpoint: row.endpointId, kind: 'outbox' });
  res.deadLettered++;
}
