import type { Db } from '../store/db.js';
import type { GpDemandCount } from './gp-demand.js';
import { gpDemandDueOn } from './gp-demand.js';

/**
 * GP demand's tables (migration 750): the queue of referrals waiting for their after-window to close (with where the
 * person's GP record is, held only until counted) and the counts the sweep wrote (no identifiers).
 */

export interface GpDemandQueued {
  referralKey: string;
  tenantId: string;
  patientId: string;
  /** The referral's calendar date in England (YYYY-MM-DD). */
  referralDay: string;
}

export interface GpDemandDue extends GpDemandQueued {
  attempts: number;
}

/** Queues referrals, once each: a referral already queued or counted is left as it is (a later Task version changes nothing). */
export async function queueGpDemand(db: Db, rows: readonly GpDemandQueued[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((r) => ({ referral_key: r.referralKey, tenant_id: r.tenantId, patient_id: r.patientId, referral_day: r.referralDay, due_on: gpDemandDueOn(r.referralDay) })));
  await db.query(
    `INSERT INTO gp_demand_queue (referral_key, tenant_id, patient_id, referral_day, due_on)
     SELECT x.referral_key, x.tenant_id, x.patient_id, x.referral_day, x.due_on
     FROM jsonb_to_recordset($1::jsonb) AS x(referral_key text, tenant_id text, patient_id text, referral_day date, due_on date)
     WHERE EXISTS (SELECT 1 FROM report_referrals r WHERE r.referral_key = x.referral_key)
       AND NOT EXISTS (SELECT 1 FROM report_gp_demand g WHERE g.referral_key = x.referral_key)
     ON CONFLICT (referral_key) DO NOTHING`,
    [json],
  );
}

/** Queued referrals whose after-window has closed by `today` and that are not waiting for a retry (oldest first). */
export async function dueGpDemand(db: Db, today: string, now: Date, limit: number): Promise<GpDemandDue[]> {
  const { rows } = await db.query<{ referral_key: string; tenant_id: string; patient_id: string; referral_day: string; attempts: number }>(
    `SELECT referral_key, tenant_id, patient_id, to_char(referral_day, 'YYYY-MM-DD') AS referral_day, attempts FROM gp_demand_queue
     WHERE failed_at IS NULL AND due_on <= $1::date AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
     ORDER BY due_on, referral_key LIMIT $3`,
    [today, now.toISOString(), limit],
  );
  return rows.map((r) => ({ referralKey: r.referral_key, tenantId: r.tenant_id, patientId: r.patient_id, referralDay: r.referral_day, attempts: Number(r.attempts) }));
}

export interface GpDemandResult {
  referralKey: string;
  count: GpDemandCount;
}

/** Writes counts and drops their queue rows in one transaction: a crash between the two never counts twice or loses one. */
export async function saveGpDemand(db: Db, results: readonly GpDemandResult[]): Promise<void> {
  if (results.length === 0) return;
  const json = JSON.stringify(results.map((r) => ({
    referral_key: r.referralKey, status: r.count.kind,
    missing_reason: r.count.kind === 'missing' ? r.count.reason : null,
    before_count: r.count.kind === 'counted' ? r.count.before : null,
    after_count: r.count.kind === 'counted' ? r.count.after : null,
  })));
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO report_gp_demand (referral_key, status, missing_reason, before_count, after_count)
       SELECT x.referral_key, x.status, x.missing_reason, x.before_count, x.after_count
       FROM jsonb_to_recordset($1::jsonb) AS x(referral_key text, status text, missing_reason text, before_count int, after_count int)
       WHERE EXISTS (SELECT 1 FROM report_referrals r WHERE r.referral_key = x.referral_key)
       ON CONFLICT (referral_key) DO UPDATE SET status = EXCLUDED.status, missing_reason = EXCLUDED.missing_reason,
         before_count = EXCLUDED.before_count, after_count = EXCLUDED.after_count, counted_at = now()`,
      [json],
    );
    await tx.query('DELETE FROM gp_demand_queue WHERE referral_key = ANY($1::text[])', [results.map((r) => r.referralKey)]);
  });
}

/**
 * A queued referral the sweep could not count: tried again after `retryAt`, or, when `give up` is set, left waiting
 * with its cause for someone to act on (docs/OPERATIONS.md, "GP demand").
 */
export async function gpDemandFailed(db: Db, referralKey: string, error: string, o: { retryAt?: Date; giveUp?: boolean }): Promise<void> {
  await db.query(
    `UPDATE gp_demand_queue SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, failed_at = CASE WHEN $4 THEN now() END
     WHERE referral_key = $1`,
    [referralKey, error.slice(0, 1000), o.retryAt?.toISOString() ?? null, o.giveUp === true],
  );
}

/** How the queue stands: waiting for their window, due, given up (with the causes). */
export async function gpDemandQueueStatus(db: Db, today: string): Promise<{ waiting: number; due: number; failed: number; causes: string[] }> {
  const { rows } = await db.query<{ waiting: number; due: number; failed: number; causes: string[] | null }>(
    `SELECT count(*) FILTER (WHERE failed_at IS NULL AND due_on > $1::date)::int AS waiting,
            count(*) FILTER (WHERE failed_at IS NULL AND due_on <= $1::date)::int AS due,
            count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed,
            array_agg(DISTINCT last_error) FILTER (WHERE failed_at IS NOT NULL) AS causes
     FROM gp_demand_queue`,
    [today],
  );
  const r = rows[0];
  return { waiting: Number(r?.waiting ?? 0), due: Number(r?.due ?? 0), failed: Number(r?.failed ?? 0), causes: r?.causes ?? [] };
}

/** A queued referral the sweep gave up on, as an operator sees it: no record id, no date of the person's referral. */
export interface GpDemandFailedRow {
  referralKey: string;
  tenantId: string;
  attempts: number;
  failedAt: string;
  cause: string;
}

/** The referrals the sweep gave up on (optionally of one tenant), oldest failure first. */
export async function failedGpDemand(db: Db, o: { tenantId?: string; limit: number }): Promise<GpDemandFailedRow[]> {
  const { rows } = await db.query<{ referral_key: string; tenant_id: string; attempts: number; failed_at: Date | string; last_error: string | null }>(
    `SELECT referral_key, tenant_id, attempts, failed_at, last_error FROM gp_demand_queue
     WHERE failed_at IS NOT NULL AND ($1::text IS NULL OR tenant_id = $1)
     ORDER BY failed_at, referral_key LIMIT $2`,
    [o.tenantId ?? null, o.limit],
  );
  return rows.map((r) => ({ referralKey: r.referral_key, tenantId: r.tenant_id, attempts: Number(r.attempts), failedAt: new Date(r.failed_at).toISOString(), cause: r.last_error ?? '' }));
}

/**
 * Puts referrals the sweep gave up on back in the queue once their cause is fixed: one by key, or every one (of a
 * tenant): due at the next sweep with their attempts reset, the last cause kept until an attempt replaces it. Rows not
 * given up on are left alone (they are retried anyway). Returns the keys requeued.
 */
export async function requeueGpDemand(db: Db, o: { referralKey?: string; tenantId?: string }): Promise<string[]> {
  const { rows } = await db.query<{ referral_key: string }>(
    `UPDATE gp_demand_queue SET failed_at = NULL, attempts = 0, next_attempt_at = NULL
     WHERE failed_at IS NOT NULL AND ($1::text IS NULL OR referral_key = $1) AND ($2::text IS NULL OR tenant_id = $2)
     RETURNING referral_key`,
    [o.referralKey ?? null, o.tenantId ?? null],
  );
  return rows.map((r) => r.referral_key).sort();
}
