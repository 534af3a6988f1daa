import type { Db } from '../store/db.js';

/**
 * Keeps the planner's row estimates per resource type true enough on the embedded database (PGlite), where no
 * autovacuum runs. The planner estimates `resource_type = 'Provenance'` from the statistics of the last ANALYZE:
 * a type that was rare or absent then is planned as a couple of rows however many there are now. A conditional
 * create's search (`Provenance?entity=…`, `Communication?identifier=…`) then walks every row of the type instead of
 * the one index entry it needs, so each write costs more than the last: a reconciler draining 10k Task changes
 * into a bulk-loaded EHR slowed to a tenth of the raw write rate. Autovacuum's table-wide rule (changes over 10 % of
 * the table) reacts too late for a new type in a big table, so the rule here is per type: ANALYZE the FHIR tables
 * when a type has had more writes since the last ANALYZE than 50 + the rows it was estimated at, i.e. when its
 * estimate may be off by more than half. A type growing from nothing is re-analyzed a handful of times (at about
 * 50, 100, 200, … rows), a steady store not at all.
 */
export const TYPE_ANALYZE_BASE = 50;

/** The tables whose statistics plan a FHIR search. */
const FHIR_TABLES = ['fhir_resources', 'fhir_search_index'] as const;

/** True when some type's writes since the last ANALYZE pass 50 + its estimated rows (pure; see the module comment). */
export function typeStatisticsDue(estimates: ReadonlyMap<string, number>, writes: ReadonlyMap<string, number>): boolean {
  for (const [type, n] of writes) if (n > TYPE_ANALYZE_BASE + (estimates.get(type) ?? 0)) return true;
  return false;
}

/** Rows per resource type as the planner sees them: the most common values of `resource_type` × the table's rows. */
async function readEstimates(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ type: string; rows: number }>(
    `SELECT s.v AS type, (s.f * c.reltuples)::float8 AS rows
     FROM pg_stats p
     JOIN pg_class c ON c.relname = p.tablename
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = p.schemaname,
       unnest(p.most_common_vals::text::text[], p.most_common_freqs) AS s(v, f)
     WHERE p.schemaname = $1 AND p.tablename = 'fhir_resources' AND p.attname = 'resource_type'`,
    [db.schema],
  );
  return new Map(rows.map((r) => [r.type, Math.max(0, Number(r.rows))]));
}

const NONE: ReadonlyMap<string, number> = new Map();

/** One per database: every store on it writes into the same tables. */
export class TypeStatistics {
  private estimates: Map<string, number> | undefined;
  private writes = new Map<string, number>();
  private running: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  /** Committed writes per resource type; analyzes in the background when one is due. */
  noteWrites(written: ReadonlyMap<string, number>): void {
    for (const [type, n] of written) this.writes.set(type, (this.writes.get(type) ?? 0) + n);
    // Until the estimates are read, a type counts as unknown to them: a store with fewer than 50 writes of every
    // type since it opened never asks.
    if (this.running || !typeStatisticsDue(this.estimates ?? NONE, this.writes)) return;
    this.running = this.pass()
      // Statistics are an optimisation: a failed pass (the database closing, say) is tried again at the next write.
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Resolves once no pass is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pass(): Promise<void> {
    this.estimates ??= await readEstimates(this.db);
    if (!typeStatisticsDue(this.estimates, this.writes)) return;
    const counted = this.writes;
    this.writes = new Map();
    for (const t of FHIR_TABLES) await this.db.exec(`ANALYZE ${t}`);
    const fresh = await readEstimates(this.db);
    // A type too rare for the sampled most common values is estimated at the writes that made it due, so it is
    // analyzed again when it has doubled, not after every 50 writes.
    for (const [type, n] of counted) if (!fresh.has(type)) fresh.set(type, (this.estimates.get(type) ?? 0) + n);
    this.estimates = fresh;
  }
}

const byDb = new WeakMap<Db, TypeStatistics>();

/** The database's per-type statistics keeper; undefined on PostgreSQL, whose autovacuum keeps statistics itself. */
export function typeStatisticsOf(db: Db): TypeStatistics | undefined {
  if (db.kind !== 'pglite') return undefined;
  let s = byDb.get(db);
  if (!s) byDb.set(db, (s = new TypeStatistics(db)));
  return s;
}
