import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../store/db.js';
import { indexRows } from './index-rows.js';

/** A new resource to load, with its id; `meta.lastUpdated` is kept when set (a history), else the load's time. */
export type LoadItem = Resource & { id: string };

export interface BulkLoadOptions {
  /** The store's own base URL, as the store was opened with (references on it index as relative). */
  readonly baseUrl?: string;
  /** Resources per statement (default 2,000). */
  readonly batchSize?: number;
}

/**
 * Loads many new resources into a store set-based: per batch, one statement inserts the resource rows, their first
 * versions and every search-index row (the same rows a create writes, from `indexRows`) from one JSON parameter,
 * in one transaction that first takes the store's lock and moves its clock past the newest stamp loaded.
 *
 * For benchmarks and volume data (the store measured at 100k and 1M resources, the demo), never for the API: there
 * is no validation, no conditional create, and no change-journal row (nothing is announced to subscribers or
 * readers of the journal; a change feed polling `_lastUpdated` still sees the resources). Every id must be new in
 * the store: a taken one fails its whole batch, which writes nothing. Returns how many were loaded.
 */
export async function bulkLoad(db: Db, store: string, items: Iterable<LoadItem> | AsyncIterable<LoadItem>, o: BulkLoadOptions = {}): Promise<number> {
  const size = o.batchSize ?? 2000;
  let batch: LoadItem[] = [];
  let loaded = 0;
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      loaded += await loadBatch(db, store, batch, o.baseUrl);
      batch = [];
    }
  }
  if (batch.length > 0) loaded += await loadBatch(db, store, batch, o.baseUrl);
  // Statistics for the new volume now, not at the next maintenance pass: until then the planner would still plan
  // for the store as it was (a referral list over 40,000 resources ran 25 times slower before ANALYZE).
  if (loaded > 0) for (const t of ['fhir_resources', 'fhir_versions', 'fhir_search_index']) await db.exec(`ANALYZE ${t}`);
  return loaded;
}

async function loadBatch(db: Db, store: string, batch: readonly LoadItem[], baseUrl: string | undefined): Promise<number> {
  const now = new Date().toISOString();
  let newest = '';
  const rows = batch.map((r) => {
    const lastUpdated = new Date(r.meta?.lastUpdated ?? now).toISOString();
    if (lastUpdated > newest) newest = lastUpdated;
    const content = { ...r, meta: { ...r.meta, versionId: '1', lastUpdated } };
    return { t: r.resourceType, id: r.id, lu: lastUpdated, c: content, ix: indexRows(content, baseUrl) };
  });
  return db.transaction(async (tx) => {
    // The store's lock, as every write takes it; later writes are stamped after everything loaded.
    const lock = await tx.query('UPDATE fhir_stores SET last_stamp = greatest(last_stamp, $2::timestamptz) WHERE store = $1', [store, newest]);
    if (lock.rowCount === 0) throw new Error(`no FHIR store "${store}" (open it with openFhirStore first)`);
    const { rows: out } = await tx.query<{ n: number }>(
      `WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(t text, id text, lu timestamptz, c jsonb, ix jsonb)),
       r AS (INSERT INTO fhir_resources (store, resource_type, id, version, last_updated, content)
             SELECT $1, t, id, 1, lu, c FROM x RETURNING rid, resource_type, id, last_updated, content),
       v AS (INSERT INTO fhir_versions (rid, version, last_updated, content) SELECT rid, 1, last_updated, content FROM r),
       i AS (INSERT INTO fhir_search_index (rid, code, system, value, exact, low, high, num)
             SELECT r.rid, y.code, y.system, y.value, y.exact, y.low, y.high, y.num
             FROM r JOIN x ON x.t = r.resource_type AND x.id = r.id,
               jsonb_to_recordset(x.ix) AS y(code text, system text, value text, exact text, low timestamptz, high timestamptz, num numeric))
       SELECT count(*)::int AS n FROM r`,
      [store, JSON.stringify(rows)],
    );
    return Number(out[0]?.n ?? 0);
  });
}
