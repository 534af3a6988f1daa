import type { Resource } from '@medplum/fhirtypes';
import type { IndexRow } from './index-rows.js';
import { Params } from './search-sql.js';

/** What one write stores: a new resource, a new version of an existing row, or the deletion of one. */
export type VersionWrite =
  | { readonly kind: 'insert'; readonly resource: Resource; readonly index: readonly IndexRow[] }
  | { readonly kind: 'update'; readonly rid: number; readonly version: number; readonly resource: Resource; readonly index: readonly IndexRow[] }
  | { readonly kind: 'delete'; readonly rid: number; readonly version: number; readonly resourceType: string; readonly id: string };

export interface WriteStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * One statement that stores a version: the store's stamp, the resource row, the version row, the search-index
 * rows and the change-journal row, all or nothing (one statement is atomic even outside a transaction). It returns
 * the row's `rid` and stamp. An insert whose id is taken (by a live resource or a tombstone) returns no row and
 * writes nothing but the store's stamp, so the caller can read what is there and decide.
 *
 * The stamp is the database clock at millisecond precision, strictly after the store's previous one. Updating the
 * store's row for it takes the store's write lock (or finds it already held by this transaction) before anything
 * else is written, so stamps and journal positions follow commit order.
 */
export function versionWriteStatement(store: string, write: VersionWrite, interaction: 'create' | 'update' | 'delete'): WriteStatement {
  const p = new Params();
  const st = p.add(store);
  const ctes = [
    `s AS (UPDATE fhir_stores SET last_stamp = greatest(date_trunc('milliseconds', clock_timestamp()), last_stamp + interval '1 millisecond')
           WHERE store = ${st} RETURNING last_stamp)`,
  ];
  let type: string;
  let id: string;
  if (write.kind === 'delete') {
    ({ resourceType: type, id } = write);
    const rid = p.add(write.rid);
    ctes.push(
      `r AS (UPDATE fhir_resources f SET version = ${p.add(write.version)}::int, last_updated = s.last_stamp, deleted = true FROM s
             WHERE f.rid = ${rid}::bigint RETURNING f.rid, f.version, f.last_updated, NULL::jsonb AS content)`,
      `d AS (DELETE FROM fhir_search_index WHERE rid = ${rid}::bigint)`,
    );
  } else {
    ({ resourceType: type, id } = write.resource as Resource & { id: string });
    // meta.lastUpdated is the stamp, formatted as JavaScript's toISOString() does.
    const content = `jsonb_set(${p.add(JSON.stringify(write.resource))}::jsonb, '{meta,lastUpdated}',
      to_jsonb(to_char(s.last_stamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))`;
    if (write.kind === 'insert') {
      ctes.push(`r AS (INSERT INTO fhir_resources (store, resource_type, id, version, last_updated, content)
             SELECT ${st}, ${p.add(type)}, ${p.add(id)}, 1, s.last_stamp, ${content} FROM s
             ON CONFLICT (store, resource_type, id) DO NOTHING
             RETURNING rid, version, last_updated, content)`);
    } else {
      const rid = p.add(write.rid);
      ctes.push(
        `r AS (UPDATE fhir_resources f SET version = ${p.add(write.version)}::int, last_updated = s.last_stamp, deleted = false, content = ${content}
               FROM s WHERE f.rid = ${rid}::bigint RETURNING f.rid, f.version, f.last_updated, f.content)`,
        // Sub-statements share one snapshot: this removes the earlier version's rows, not those inserted below.
        `d AS (DELETE FROM fhir_search_index WHERE rid = ${rid}::bigint)`,
      );
    }
    if (write.index.length > 0) {
      ctes.push(`i AS (INSERT INTO fhir_search_index (rid, code, system, value, exact, low, high, num)
             SELECT r.rid, x.code, x.system, x.value, x.exact, x.low, x.high, x.num
             FROM r, jsonb_to_recordset(${p.add(JSON.stringify(write.index))}::jsonb)
               AS x(code text, system text, value text, exact text, low timestamptz, high timestamptz, num numeric))`);
    }
  }
  ctes.push(
    'v AS (INSERT INTO fhir_versions (rid, version, last_updated, content) SELECT rid, version, last_updated, content FROM r)',
    `j AS (INSERT INTO fhir_changes (store, rid, resource_type, id, version, interaction)
           SELECT ${st}, r.rid, ${p.add(type)}, ${p.add(id)}, r.version, ${p.add(interaction)} FROM r)`,
  );
  return { sql: `WITH ${ctes.join(',\n')}\nSELECT rid, last_updated FROM r`, params: p.values };
}
