import type { Db } from '../store/db.js';

/** What started an import. */
export type ImportTrigger = 'cli' | 'schedule' | 'start' | 'admin';
export type ImportMode = 'full' | 'incremental';
export type ImportStatus = 'running' | 'succeeded' | 'failed';
export type DirectoryChangeKind = 'created' | 'updated' | 'inactivated' | 'reactivated' | 'rejected';

/** What one run did, by kind (the admin API and the CLI show these). */
export interface ImportCounts {
  listed: number;
  created: number;
  updated: number;
  reactivated: number;
  unchanged: number;
  inactivated: number;
  rejected: number;
  /** Listed by this feed but held from another feed's newer record (de-duplicated by ORUK id). */
  merged: number;
}

export const emptyCounts = (): ImportCounts => ({ listed: 0, created: 0, updated: 0, reactivated: 0, unchanged: 0, inactivated: 0, rejected: 0, merged: 0 });

export interface ImportRun {
  readonly id: number;
  readonly feedId: string;
  readonly trigger: ImportTrigger;
  readonly mode: ImportMode;
  readonly status: ImportStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly counts: ImportCounts;
  readonly error?: string;
}

export interface DirectoryChange {
  readonly id: number;
  readonly runId: number;
  readonly feedId: string;
  readonly orukId?: string;
  readonly resourceId?: string;
  readonly name?: string;
  readonly change: DirectoryChangeKind;
  /** The fields that changed, or a rejected record's reasons. */
  readonly detail: readonly string[];
  readonly provenanceId?: string;
  readonly at: string;
}

/** What a feed last served for one service. */
export interface FeedRecordState {
  readonly feedId: string;
  readonly orukId: string;
  readonly lastModified?: string;
  readonly contentHash: string;
  readonly goneAt?: string;
}

/** Thrown when the feed already has a run in progress (here or in another instance). */
export class ImportAlreadyRunning extends Error {
  constructor(readonly feedId: string) {
    super(`an import of feed "${feedId}" is already running`);
  }
}

/** A run still `running` after this long was cut short (crash, kill): it is closed as failed so the feed can run again. */
const INTERRUPTED_AFTER_MINUTES = 60;

type RunRow = { id: string | number; feed_id: string; trigger: ImportTrigger; mode: ImportMode; status: ImportStatus; started_at: Date | string; finished_at: Date | string | null; counts: ImportCounts; error: string | null };
const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const toRun = (r: RunRow): ImportRun => ({
  id: Number(r.id),
  feedId: r.feed_id,
  trigger: r.trigger,
  mode: r.mode,
  status: r.status,
  startedAt: iso(r.started_at),
  ...(r.finished_at ? { finishedAt: iso(r.finished_at) } : {}),
  counts: { ...emptyCounts(), ...r.counts },
  ...(r.error ? { error: r.error } : {}),
});

/** The import runs, per-feed record state and change log (migration 400). */
export class DirectoryImportStore {
  constructor(private readonly db: Db) {}

  async startRun(feedId: string, trigger: ImportTrigger, mode: ImportMode): Promise<ImportRun> {
    await this.db.query(
      `UPDATE directory_import_runs SET status = 'failed', finished_at = now(), error = 'interrupted (the process stopped during the run)'
        WHERE feed_id = $1 AND status = 'running' AND started_at < now() - make_interval(mins => $2)`,
      [feedId, INTERRUPTED_AFTER_MINUTES],
    );
    try {
      const r = await this.db.query<RunRow>(
        `INSERT INTO directory_import_runs (feed_id, trigger, mode, status) VALUES ($1, $2, $3, 'running') RETURNING *`,
        [feedId, trigger, mode],
      );
      return toRun(r.rows[0]!);
    } catch (err) {
      if (/directory_import_runs_one_running|duplicate key|unique/i.test(String((err as Error).message))) throw new ImportAlreadyRunning(feedId);
      throw err;
    }
  }

  async finishRun(id: number, status: 'succeeded' | 'failed', counts: ImportCounts, error?: string): Promise<ImportRun> {
    const r = await this.db.query<RunRow>(
      `UPDATE directory_import_runs SET status = $2, counts = $3, error = $4, finished_at = now() WHERE id = $1 RETURNING *`,
      [id, status, JSON.stringify(counts), error ?? null],
    );
    return toRun(r.rows[0]!);
  }

  async runs(opts: { feedId?: string; limit?: number } = {}): Promise<ImportRun[]> {
    const r = await this.db.query<RunRow>(
      `SELECT * FROM directory_import_runs WHERE ($1::text IS NULL OR feed_id = $1) ORDER BY id DESC LIMIT $2`,
      [opts.feedId ?? null, opts.limit ?? 20],
    );
    return r.rows.map(toRun);
  }

  async run(id: number): Promise<ImportRun | undefined> {
    const r = await this.db.query<RunRow>(`SELECT * FROM directory_import_runs WHERE id = $1`, [id]);
    return r.rows[0] ? toRun(r.rows[0]) : undefined;
  }

  /** The start of the feed's last successful run: where an incremental run reads from. */
  async lastSuccess(feedId: string): Promise<Date | undefined> {
    const r = await this.db.query<{ started_at: Date | string }>(
      `SELECT started_at FROM directory_import_runs WHERE feed_id = $1 AND status = 'succeeded' ORDER BY id DESC LIMIT 1`,
      [feedId],
    );
    return r.rows[0] ? new Date(r.rows[0].started_at) : undefined;
  }

  /** Every feed's state for each service, keyed by ORUK id (de-duplication looks across feeds). */
  async records(): Promise<Map<string, FeedRecordState[]>> {
    const r = await this.db.query<{ feed_id: string; oruk_id: string; last_modified: string | null; content_hash: string; gone_at: Date | string | null }>(
      `SELECT feed_id, oruk_id, last_modified, content_hash, gone_at FROM directory_feed_records`,
    );
    const out = new Map<string, FeedRecordState[]>();
    for (const row of r.rows) {
      const list = out.get(row.oruk_id) ?? [];
      list.push({
        feedId: row.feed_id,
        orukId: row.oruk_id,
        ...(row.last_modified ? { lastModified: row.last_modified } : {}),
        contentHash: row.content_hash,
        ...(row.gone_at ? { goneAt: iso(row.gone_at) } : {}),
      });
      out.set(row.oruk_id, list);
    }
    return out;
  }

  async saveRecord(feedId: string, orukId: string, runId: number, lastModified: string | undefined, contentHash: string): Promise<void> {
    await this.db.query(
      `INSERT INTO directory_feed_records (feed_id, oruk_id, last_modified, content_hash, seen_run, gone_at) VALUES ($1, $2, $3, $4, $5, NULL)
       ON CONFLICT (feed_id, oruk_id) DO UPDATE SET last_modified = EXCLUDED.last_modified, content_hash = EXCLUDED.content_hash, seen_run = EXCLUDED.seen_run, gone_at = NULL`,
      [feedId, orukId, lastModified ?? null, contentHash, runId],
    );
  }

  /** Records the feed still listed unchanged in this run. */
  async touchRecords(feedId: string, orukIds: readonly string[], runId: number): Promise<void> {
    if (orukIds.length === 0) return;
    await this.db.query(`UPDATE directory_feed_records SET seen_run = $3 WHERE feed_id = $1 AND oruk_id = ANY($2::text[])`, [feedId, orukIds, runId]);
  }

  async markGone(feedId: string, orukId: string): Promise<void> {
    await this.db.query(`UPDATE directory_feed_records SET gone_at = now() WHERE feed_id = $1 AND oruk_id = $2 AND gone_at IS NULL`, [feedId, orukId]);
  }

  async recordChange(c: Omit<DirectoryChange, 'id' | 'at'>): Promise<void> {
    await this.db.query(
      `INSERT INTO directory_changes (run_id, feed_id, oruk_id, resource_id, name, change, detail, provenance_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [c.runId, c.feedId, c.orukId ?? null, c.resourceId ?? null, c.name ?? null, c.change, JSON.stringify(c.detail), c.provenanceId ?? null],
    );
  }

  async changes(opts: { runId?: number; resourceId?: string; limit?: number }): Promise<DirectoryChange[]> {
    const r = await this.db.query<{ id: string | number; run_id: string | number; feed_id: string; oruk_id: string | null; resource_id: string | null; name: string | null; change: DirectoryChangeKind; detail: string[]; provenance_id: string | null; at: Date | string }>(
      `SELECT * FROM directory_changes WHERE ($1::bigint IS NULL OR run_id = $1) AND ($2::text IS NULL OR resource_id = $2) ORDER BY id DESC LIMIT $3`,
      [opts.runId ?? null, opts.resourceId ?? null, opts.limit ?? 500],
    );
    return r.rows.map((x) => ({
      id: Number(x.id),
      runId: Number(x.run_id),
      feedId: x.feed_id,
      ...(x.oruk_id ? { orukId: x.oruk_id } : {}),
      ...(x.resource_id ? { resourceId: x.resource_id } : {}),
      ...(x.name ? { name: x.name } : {}),
      change: x.change,
      detail: x.detail,
      ...(x.provenance_id ? { provenanceId: x.provenance_id } : {}),
      at: iso(x.at),
    }));
  }
}
