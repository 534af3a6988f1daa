import type { Db } from '../../store/db.js';
import type { TaskTrack } from '../rules/index.js';

export interface VersionKey {
  readonly taskId: string;
  readonly version: number;
}

export type AppliedOutcome = 'applied' | 'dead-lettered';

/** Which of these Task versions are already durable (applied or parked), in one query. */
export async function alreadyApplied(db: Db, endpointId: string, keys: readonly VersionKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<{ task_id: string; version: number }>(
    `SELECT task_id, version FROM reconcile_applied_versions
     WHERE endpoint_id = $1 AND (task_id, version) IN (SELECT * FROM unnest($2::text[], $3::int[]))`,
    [endpointId, keys.map((k) => k.taskId), keys.map((k) => k.version)],
  );
  return new Set(rows.map((r) => `${r.task_id}@${r.version}`));
}

export const versionKey = (taskId: string, version: number): string => `${taskId}@${version}`;

export async function loadTracks(db: Db, endpointId: string, taskIds: readonly string[]): Promise<Map<string, TaskTrack>> {
  if (taskIds.length === 0) return new Map();
  const { rows } = await db.query<{ task_id: string; max_version: number; terminal_version: number | null }>(
    'SELECT task_id, max_version, terminal_version FROM reconcile_task_state WHERE endpoint_id = $1 AND task_id = ANY($2::text[])',
    [endpointId, [...new Set(taskIds)]],
  );
  return new Map(
    rows.map((r) => [r.task_id, { maxVersion: r.max_version, ...(r.terminal_version != null ? { terminalVersion: r.terminal_version } : {}) }]),
  );
}

/**
 * Records Task versions as durable and folds their tracks in. Call inside the transaction that also
 * checks the lease; maxima are taken in SQL so concurrent or replayed writers cannot move a Task back.
 */
export async function recordDurable(
  tx: Db,
  endpointId: string,
  items: readonly { taskId: string; version: number; outcome: AppliedOutcome; track?: TaskTrack }[],
): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO reconcile_applied_versions (endpoint_id, task_id, version, outcome)
     SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[])
     ON CONFLICT (endpoint_id, task_id, version) DO UPDATE SET outcome = EXCLUDED.outcome, applied_at = now()`,
    [endpointId, items.map((i) => i.taskId), items.map((i) => i.version), items.map((i) => i.outcome)],
  );
  const tracked = items.filter((i) => i.track);
  if (tracked.length > 0) {
    await tx.query(
      `INSERT INTO reconcile_task_state AS s (endpoint_id, task_id, max_version, terminal_version)
       SELECT $1, t.task_id, max(t.max_version), min(t.terminal_version)
       FROM unnest($2::text[], $3::int[], $4::int[]) AS t(task_id, max_version, terminal_version) GROUP BY t.task_id
       ON CONFLICT (endpoint_id, task_id) DO UPDATE SET
         max_version = GREATEST(s.max_version, EXCLUDED.max_version),
         terminal_version = CASE WHEN s.terminal_version IS NULL THEN EXCLUDED.terminal_version
                                 WHEN EXCLUDED.terminal_version IS NULL THEN s.terminal_version
                                 ELSE LEAST(s.terminal_version, EXCLUDED.terminal_version) END,
         updated_at = now()`,
      [endpointId, tracked.map((i) => i.taskId), tracked.map((i) => i.track!.maxVersion), tracked.map((i) => i.track!.terminalVersion ?? null)],
    );
  }
  await tx.query(
    `DELETE FROM reconcile_attempts WHERE endpoint_id = $1 AND (task_id, version) IN (SELECT * FROM unnest($2::text[], $3::int[]))`,
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

/** Forgets that a Task version was applied (replay of a dead letter processes it again). */
export async function forgetVersion(db: Db, endpointId: string, key: VersionKey): Promise<void> {
  await db.query('DELETE FROM reconcile_applied_versions WHERE endpoint_id = $1 AND task_id = $2 AND version = $3', [endpointId, key.taskId, key.version]);
}
