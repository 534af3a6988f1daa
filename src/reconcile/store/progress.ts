import type { Db } from '../../store/db.js';
import type { TaskTrack } from '../rules/index.js';

export interface VersionKey {
  readonly taskId: string;
  /** `meta.versionId`, opaque. */
  readonly version: string;
}

export type AppliedOutcome = 'applied' | 'dead-lettered';

/** Which of these Task versions are already durable (applied or parked), in one query. */
export async function alreadyApplied(db: Db, endpointId: string, keys: readonly VersionKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<{ task_id: string; version: string }>(
    `SELECT task_id, version FROM reconcile_applied_versions
     WHERE endpoint_id = $1 AND (task_id, version) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [endpointId, keys.map((k) => k.taskId), keys.map((k) => k.version)],
  );
  return new Set(rows.map((r) => `${r.task_id}@${r.version}`));
}

export const versionKey = (taskId: string, version: string): string => `${taskId}@${version}`;

export async function loadTracks(db: Db, endpointId: string, taskIds: readonly string[]): Promise<Map<string, TaskTrack>> {
  if (taskIds.length === 0) return new Map();
  const { rows } = await db.query<{ task_id: string; max_order: string; terminal_order: string | null }>(
    'SELECT task_id, max_order, terminal_order FROM reconcile_task_state WHERE endpoint_id = $1 AND task_id = ANY($2::text[])',
    [endpointId, [...new Set(taskIds)]],
  );
  return new Map(
    rows.map((r) => [r.task_id, { maxVersion: r.max_order, ...(r.terminal_order != null ? { terminalVersion: r.terminal_order } : {}) }]),
  );
}

/**
 * Records Task versions as durable and folds their tracks in. Call inside the transaction that also
 * checks the lease; maxima are taken in SQL so concurrent or replayed writers cannot move a Task back.
 */
export async function recordDurable(
  tx: Db,
  endpointId: string,
  items: readonly { taskId: string; version: string; outcome: AppliedOutcome; track?: TaskTrack }[],
): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO reconcile_applied_versions (endpoint_id, task_id, version, outcome)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
     ON CONFLICT (endpoint_id, task_id, version) DO UPDATE SET outcome = EXCLUDED.outcome, applied_at = now()`,
    [endpointId, items.map((i) => i.taskId), items.map((i) => i.version), items.map((i) => i.outcome)],
  );
  const tracked = items.filter((i) => i.track);
  if (tracked.length > 0) {
    await tx.query(
      `INSERT INTO reconcile_task_state AS s (endpoint_id, task_id, max_order, terminal_order)
       SELECT $1, t.task_id, max(t.max_order COLLATE "C"), min(t.terminal_order COLLATE "C")
       FROM unnest($2::text[], $3::text[], $4::text[]) AS t(task_id, max_order, terminal_order) GROUP BY t.task_id
       ON CONFLICT (endpoint_id, task_id) DO UPDATE SET
         max_order = GREATEST(s.max_order, EXCLUDED.max_order COLLATE "C"),
         terminal_order = CASE WHEN s.terminal_order IS NULL THEN EXCLUDED.terminal_order
                               WHEN EXCLUDED.terminal_order IS NULL THEN s.terminal_order
                               ELSE LEAST(s.terminal_order, EXCLUDED.terminal_order COLLATE "C") END,
         updated_at = now()`,
      [endpointId, tracked.map((i) => i.taskId), tracked.map((i) => i.track!.maxVersion), tracked.map((i) => i.track!.terminalVersion ?? null)],
    );
  }
  await tx.query(
    `DELETE FROM reconcile_attempts WHERE endpoint_id = $1 AND (task_id, version) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [endpointId, items.map((i) => i.taskId), items.map((i) => i.version)],
  );
}

/** Counts one more failed attempt at a Task version; returns the total so far. */
export async function recordAttempt(db: Db, endpointId: string, key: VersionKey, error: string): Promise<{ attempts: number; firstSeen: string }> {
  const { rows } = await db.query<{ attempts: number; first_seen: string }>(
    `INSERT INTO reconcile_attempts AS a (endpoint_id, task_id, version, attempts, last_error) VALUES ($1, $2, $3, 1, $4)
     ON CONFLICT (endpoint_id, task_id, version) DO UPDATE SET attempts = a.attempts + 1, last_seen = now(), last_error = EXCLUDED.last_error
     RETURNING attempts, first_seen`,
    [endpointId, key.taskId, key.version, error.slice(0, 2000)],
  );
  return { attempts: Number(rows[0]!.attempts), firstSeen: new Date(rows[0]!.first_seen).toISOString() };
}
