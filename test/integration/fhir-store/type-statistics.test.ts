import { parseSearchRequest } from '@medplum/core';
import type { Provenance } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { bulkLoad, type LoadItem } from '../../../src/fhir-store/bulk-load.js';
import { openFhirStore } from '../../../src/fhir-store/index.js';
import { typeStatisticsOf } from '../../../src/fhir-store/type-statistics.js';
import { ensureR4Definitions } from '../../../src/fhir/r4-definitions.js';
import { openDb, type Db } from '../../../src/store/db.js';

const BASE = 'http://localhost:3999/fhir';

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan read from `fhir_resources`, over every node that scans it. */
function resourceRowsRead(node: PlanNode): number {
  const own = node['Relation Name'] === 'fhir_resources' ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + resourceRowsRead(p), 0);
}

/** A Db that remembers the last SELECT it ran (to EXPLAIN it). */
function recordingDb(inner: Db, last: { sql: string; params: readonly unknown[] }): Db {
  return {
    kind: inner.kind,
    schema: inner.schema,
    query: (sql, params = []) => {
      if (sql.startsWith('SELECT r.content')) Object.assign(last, { sql, params });
      return inner.query(sql, params);
    },
    exec: (sql) => inner.exec(sql),
    transaction: (fn) => inner.transaction((tx) => fn(recordingDb(tx, last))),
    close: () => inner.close(),
  };
}

describe('fhir-store type statistics on PGlite: a conditional create\'s search stays one index lookup as a new type grows', function () {
  this.timeout(180_000);
  let db: Db;
  before(async () => {
    ensureR4Definitions();
    db = await openDb({ memory: true });
  });
  after(() => db.close());

  it('re-analyzes when a type the statistics did not know is written, so the search reads only the match', async () => {
    const repo = await openFhirStore(db, { store: 'ehr', baseUrl: BASE });
    // A bulk-loaded EHR (analyzed as the load ends) with no Provenance yet, as the reconcile bench's.
    function* referrals(): Generator<LoadItem> {
      for (let i = 0; i < 2000; i++) yield { resourceType: 'ServiceRequest', id: `sr-${i}`, status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } };
    }
    await bulkLoad(db, 'ehr', referrals(), { baseUrl: BASE });
    // Then Provenance written one by one, as a reconciler's write-backs add them.
    for (let i = 0; i < 300; i++) {
      await repo.createResource<Provenance>({
        resourceType: 'Provenance', target: [{ reference: `ServiceRequest/sr-${i}` }], recorded: '2026-03-01T10:00:00Z',
        agent: [{ who: { display: 'SP Link' } }], entity: [{ role: 'source', what: { reference: `http://lw.example/fhir/Task/t-${i}/_history/1` } }],
      });
    }
    await typeStatisticsOf(db)!.idle();

    // The If-None-Exist search of the next write-back, as the store runs it.
    const last = { sql: '', params: [] as readonly unknown[] };
    const searching = await openFhirStore(recordingDb(db, last), { store: 'ehr', baseUrl: BASE });
    const found = await searching.searchResources(parseSearchRequest<Provenance>('Provenance?entity=http://lw.example/fhir/Task/t-299/_history/1'));
    expect(found).to.have.length(1);
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${last.sql}`, last.params);
    // Planned for the two Provenance the statistics knew of, it read all 300 and sorted them; now the one match.
    expect(resourceRowsRead(rows[0]!['QUERY PLAN'][0].Plan)).to.be.at.most(1);
  });
});
