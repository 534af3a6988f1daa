import type { Bundle, Task } from '@medplum/fhirtypes';
import type { Db } from '../../store/db.js';

export type OutboxState = 'awaiting-referral' | 'ready' | 'delivered' | 'discarded' | 'dead';

/**
 * `task`: deliver a referral's Task to the link-worker endpoint. `gp-record`: write a referral someone other than
 * the GP made into the practice's EHR (`ehrBundle`), then point its delivered Task at the ServiceRequest written.
 */
export type OutboxKind = 'task' | 'gp-record';

export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  /** The EHR transaction of a `gp-record` row. */
  ehrBundle: Bundle | undefined;
  tenantId: string;
  endpointId: string;
  referralIdentifier: string;
  task: Task;
  state: OutboxState;
  serviceRequestUrl: string | undefined;
  attempts: number;
  lastError: string | undefined;
  deliveredTaskUrl: string | undefined;
  createdAt: string;
}

export interface EnqueueInput {
  tenantId: string;
  endpointId: string;
  /** The referral's identifier value (its system travels in `task.focus.identifier`). */
  referralIdentifier: string;
  task: Task;
}

function toRow(r: Record<string, unknown>): OutboxRow {
  return {
    id: Number(r.id),
    kind: (r.kind as OutboxKind | undefined) ?? 'task',
    ehrBundle: (typeof r.ehr_bundle === 'string' ? JSON.parse(r.ehr_bundle) : r.ehr_bundle ?? undefined) as Bundle | undefined,
    tenantId: r.tenant_id as string,
    endpointId: r.endpoint_id as string,
    referralIdentifier: r.referral_identifier as string,
    task: (typeof r.task === 'string' ? JSON.parse(r.task) : r.task) as Task,
    state: r.state as OutboxState,
    serviceRequestUrl: (r.service_request_url as string | null) ?? undefined,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? undefined,
    deliveredTaskUrl: (r.delivered_task_url as string | null) ?? undefined,
    createdAt: new Date(r.created_at as string).toISOString(),
  };
}

/** Step 1 of referral creation: record the Task to deliver, before the referral is written to the EHR. */
export async function enqueue(db: Db, input: EnqueueInput): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO reconcile_outbox (tenant_id, endpoint_id, referral_identifier, task, state) VALUES ($1, $2, $3, $4::jsonb, 'awaiting-referral') RETURNING id`,
    [input.tenantId, input.endpointId, input.referralIdentifier, JSON.stringify(input.task)],
  );
  return Number(rows[0]!.id);
}

export interface GpRecordInput extends EnqueueInput {
  /** The EHR transaction: the referral, the message to the practice and their Provenance, each conditional. */
  ehrBundle: Bundle;
}

/**
 * Asks for a referral to be written into the GP record (ready at once). Once per referral: asking again (a retried
 * submission, a second decision) keeps the first row. Returns the row id.
 */
export async function enqueueGpRecord(db: Db, input: GpRecordInput): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO reconcile_outbox (kind, tenant_id, endpoint_id, referral_identifier, task, ehr_bundle, state)
     VALUES ('gp-record', $1, $2, $3, $4::jsonb, $5::jsonb, 'ready')
     ON CONFLICT (referral_identifier) WHERE kind = 'gp-record' DO NOTHING RETURNING id`,
    [input.tenantId, input.endpointId, input.referralIdentifier, JSON.stringify(input.task), JSON.stringify(input.ehrBundle)],
  );
  if (rows[0]) return Number(rows[0].id);
  const existing = await db.query<{ id: number }>(`SELECT id FROM reconcile_outbox WHERE kind = 'gp-record' AND referral_identifier = $1`, [input.referralIdentifier]);
  return Number(existing.rows[0]!.id);
}

/** Step 3: the referral is in the EHR; point the Task at it and make the row deliverable. */
export async function markReferralWritten(db: Db, rowId: number | string, serviceRequestUrl: string): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE reconcile_outbox SET state = 'ready', service_request_url = $2, next_attempt_at = now(), updated_at = now(),
       task = jsonb_set(task, '{focus,reference}', to_jsonb($2::text), true)
     WHERE id = $1 AND state = 'awaiting-referral'`,
    [Number(rowId), serviceRequestUrl],
  );
  if (rowCount === 0) {
    const { rows } = await db.query<{ state: string }>('SELECT state FROM reconcile_outbox WHERE id = $1', [Number(rowId)]);
    // Already resolved by the grace-period check (it found the same referral): nothing to do.
    if (!rows[0]) throw new Error(`outbox row ${rowId} does not exist`);
  }
}

/**
 * Claims rows to work on with FOR UPDATE SKIP LOCKED, so instances never take the same row. A claim
 * pushes `next_attempt_at` out by `claimMs`: if the claimer dies, the row is claimable again after it.
 */
export async function claim(db: Db, o: { state: 'ready' | 'awaiting-referral'; kind?: OutboxKind; olderThanMs?: number; limit: number; claimMs: number; ids?: number[] }): Promise<OutboxRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `UPDATE reconcile_outbox SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
     WHERE id IN (
       SELECT id FROM reconcile_outbox
       WHERE state = $1 AND kind = $6 AND next_attempt_at <= now()
         AND created_at <= now() - make_interval(secs => $4::double precision / 1000)
         AND ($5::bigint[] IS NULL OR id = ANY($5::bigint[]))
       ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [o.state, o.limit, o.claimMs, o.olderThanMs ?? 0, o.ids ?? null, o.kind ?? 'task'],
  );
  return rows.map(toRow).sort((a, b) => a.id - b.id);
}

export async function markDelivered(db: Db, id: number, taskUrl: string | undefined): Promise<void> {
  await db.query(`UPDATE reconcile_outbox SET state = 'delivered', delivered_task_url = $2, last_error = NULL, updated_at = now() WHERE id = $1`, [id, taskUrl ?? null]);
}

export async function markReadyFromLookup(db: Db, id: number, serviceRequestUrl: string): Promise<void> {
  await db.query(
    `UPDATE reconcile_outbox SET state = 'ready', service_request_url = $2, next_attempt_at = now(), updated_at = now(),
       task = jsonb_set(task, '{focus,reference}', to_jsonb($2::text), true)
     WHERE id = $1 AND state = 'awaiting-referral'`,
    [id, serviceRequestUrl],
  );
}

export async function markFinal(db: Db, id: number, state: 'discarded' | 'dead', error: string): Promise<void> {
  await db.query(`UPDATE reconcile_outbox SET state = $2, last_error = $3, updated_at = now() WHERE id = $1`, [id, state, error.slice(0, 2000)]);
}

/** A failed attempt: count it and push the next one out by `delayMs`. Returns the attempts so far. */
export async function markRetry(db: Db, id: number, error: string, delayMs: number): Promise<number> {
  const { rows } = await db.query<{ attempts: number }>(
    `UPDATE reconcile_outbox SET attempts = attempts + 1, last_error = $2, updated_at = now(),
       next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id = $1 RETURNING attempts`,
    [id, error.slice(0, 2000), delayMs],
  );
  return Number(rows[0]?.attempts ?? 0);
}

/** Puts a dead row back to work (dead-letter replay). */
export async function requeue(db: Db, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE reconcile_outbox SET state = CASE WHEN kind = 'task' AND service_request_url IS NULL THEN 'awaiting-referral' ELSE 'ready' END,
       attempts = 0, next_attempt_at = now(), updated_at = now() WHERE id = $1 AND state = 'dead'`,
    [id],
  );
  return rowCount > 0;
}

export async function getRow(db: Db, id: number): Promise<OutboxRow | undefined> {
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM reconcile_outbox WHERE id = $1', [id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function countByState(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM reconcile_outbox GROUP BY state');
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
