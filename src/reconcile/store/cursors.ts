import type { Db } from '../../store/db.js';
import { assertLease, type Lease } from './leases.js';

export interface CursorRow {
  endpointId: string;
  cursor: string | undefined;
  lastRunAt: string | undefined;
  lastSuccessAt: string | undefined;
  lastError: string | undefined;
  consecutiveFailures: number;
  nextRunAt: string | undefined;
}

const iso = (v: unknown): string | undefined => (v == null ? undefined : new Date(v as string).toISOString());

export async function readCursor(db: Db, endpointId: string): Promise<CursorRow> {
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM reconcile_cursors WHERE endpoint_id = $1', [endpointId]);
  const r = rows[0];
  return {
    endpointId,
    cursor: iso(r?.cursor),
    lastRunAt: iso(r?.last_run_at),
    lastSuccessAt: iso(r?.last_success_at),
    lastError: (r?.last_error as string | null) ?? undefined,
    consecutiveFailures: Number(r?.consecutive_failures ?? 0),
    nextRunAt: iso(r?.next_run_at),
  };
}

export async function readAllCursors(db: Db): Promise<CursorRow[]> {
  // Keys with '::' are auxiliary cursors (e.g. the revocation sweep per EHR), not endpoints.
  const { rows } = await db.query<{ endpoint_id: string }>(`SELECT endpoint_id FROM reconcile_cursors WHERE endpoint_id NOT LIKE '%::%' ORDER BY endpoint_id`);
  return Promise.all(rows.map((r) => readCursor(db, r.endpoint_id)));
}

/**
 * Moves a cursor forward (never back) under the lease; call only once the effects before it are durable. `key` is
 * the endpoint's change-feed cursor unless named (the revocation sweep keeps one per EHR under the same lease).
 */
export async function advanceCursor(tx: Db, lease: Lease, cursor: string, key: string = lease.endpointId): Promise<void> {
  await assertLease(tx, lease);
  await tx.query(
    `INSERT INTO reconcile_cursors (endpoint_id, cursor) VALUES ($1, $2)
     ON CONFLICT (endpoint_id) DO UPDATE SET cursor = GREATEST(reconcile_cursors.cursor, EXCLUDED.cursor)`,
    [key, cursor],
  );
}

export async function recordRun(db: Db, endpointId: string, result: { ok: true } | { ok: false; error: string; retryInMs: number }): Promise<number> {
  const { rows } = await db.query<{ consecutive_failures: number }>(
    result.ok
      ? `INSERT INTO reconcile_cursors (endpoint_id, last_run_at, last_success_at, consecutive_failures, last_error, next_run_at)
         VALUES ($1, now(), now(), 0, NULL, NULL)
         ON CONFLICT (endpoint_id) DO UPDATE SET last_run_at = now(), last_success_at = now(), consecutive_failures = 0, last_error = NULL, next_run_at = NULL
         RETURNING consecutive_failures`
      : `INSERT INTO reconcile_cursors (endpoint_id, last_run_at, consecutive_failures, last_error, next_run_at)
         VALUES ($1, now(), 1, $2, now() + make_interval(secs => $3::double precision / 1000))
         ON CONFLICT (endpoint_id) DO UPDATE SET last_run_at = now(), consecutive_failures = reconcile_cursors.consecutive_failures + 1,
           last_error = $2, next_run_at = now() + make_interval(secs => $3::double precision / 1000)
         RETURNING consecutive_failures`,
    result.ok ? [endpointId] : [endpointId, result.error.slice(0, 2000), result.retryInMs],
  );
  return Number(rows[0]?.consecutive_failures ?? 0);
}
