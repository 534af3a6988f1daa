import type { Logger } from 'pino';
import type { Db } from './db.js';
import { quoteIdent } from './quote-ident.js';

/**
 * What PostgreSQL's autovacuum does, for the embedded database. PGlite runs no background workers, so without this
 * an embedded store keeps the planner statistics it started with (none) however much it grows, and the planner
 * picks plans that walk whole tables: a GP's referral list over 40,000 FHIR resources took 25 times longer before
 * `ANALYZE` than after. Dead rows from updates (sessions, leases, reconciler state) would never be reclaimed either.
 * The thresholds are autovacuum's defaults, so the embedded store is looked after as a PostgreSQL one is.
 */
export interface TableActivity {
  readonly table: string;
  readonly liveRows: number;
  readonly deadRows: number;
  readonly modifiedSinceAnalyze: number;
}

export const ANALYZE_THRESHOLD = { base: 50, scale: 0.1 } as const;
export const VACUUM_THRESHOLD = { base: 50, scale: 0.2 } as const;

/** Which tables are due, by autovacuum's rules: changes (or dead rows) over base + scale × live rows. */
export function tablesDue(activity: readonly TableActivity[]): { analyze: string[]; vacuum: string[] } {
  return {
    analyze: activity.filter((t) => t.modifiedSinceAnalyze > ANALYZE_THRESHOLD.base + ANALYZE_THRESHOLD.scale * t.liveRows).map((t) => t.table),
    vacuum: activity.filter((t) => t.deadRows > VACUUM_THRESHOLD.base + VACUUM_THRESHOLD.scale * t.liveRows).map((t) => t.table),
  };
}

/** One pass: reads the table activity of the store's schema and vacuums and analyzes what is due. */
export async function maintainOnce(db: Db): Promise<{ analyzed: string[]; vacuumed: string[] }> {
  // Activity counters reach pg_stat_* only when a backend flushes them; PGlite's one backend must be asked.
  await db.query('SELECT pg_stat_force_next_flush()');
  await db.query('SELECT 1');
  const { rows } = await db.query<{ table: string; live: string; dead: string; modified: string }>(
    `SELECT relname AS table, n_live_tup AS live, n_dead_tup AS dead, n_mod_since_analyze AS modified
       FROM pg_stat_user_tables WHERE schemaname = $1`,
    [db.schema],
  );
  const due = tablesDue(rows.map((r) => ({ table: r.table, liveRows: Number(r.live), deadRows: Number(r.dead), modifiedSinceAnalyze: Number(r.modified) })));
  // VACUUM must not run inside a transaction block: the simple query protocol runs it on its own.
  for (const t of due.vacuum) await db.exec(`VACUUM ${due.analyze.includes(t) ? '(ANALYZE) ' : ''}${quoteIdent(t)}`);
  for (const t of due.analyze.filter((a) => !due.vacuum.includes(a))) await db.exec(`ANALYZE ${quoteIdent(t)}`);
  return { analyzed: due.analyze, vacuumed: due.vacuum };
}

/**
 * Runs `maintainOnce` every `intervalMs` (default a minute) on an embedded store; a no-op for PostgreSQL, whose own
 * autovacuum does this. Returns the stop function.
 */
export function startEmbeddedMaintenance(db: Db, o: { logger: Logger; intervalMs?: number }): () => void {
  if (db.kind !== 'pglite') return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    maintainOnce(db)
      .then((r) => {
        if (r.analyzed.length + r.vacuumed.length > 0) o.logger.debug({ analyzed: r.analyzed, vacuumed: r.vacuumed }, 'embedded store maintained');
      })
      .catch((err: unknown) => o.logger.warn({ err }, 'embedded store maintenance failed; it is tried again at the next interval'))
      .finally(() => {
        running = false;
      });
  }, o.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
