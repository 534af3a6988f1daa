import { parseSearchRequest } from '@medplum/core';
import type { Bundle, Resource, Task } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { bulkLoad, type LoadItem } from '../../../src/fhir-store/bulk-load.js';
import { openFhirStore, type DbFhirRepository } from '../../../src/fhir-store/index.js';
import { ensureR4Definitions } from '../../../src/fhir/r4-definitions.js';
import type { Db } from '../../../src/store/db.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const BASE = 'http://localhost:3999/fhir';

const task = (n: number): LoadItem => ({
  resourceType: 'Task', id: `t-${n}`, status: n % 2 ? 'completed' : 'requested', intent: 'order',
  identifier: [{ system: 'urn:test:bulk', value: `t-${n}` }],
  for: { reference: `${BASE}/Patient/p-${n % 3}` }, focus: { reference: `ServiceRequest/sr-${n}` },
  authoredOn: '2026-11-24T10:00:00Z', meta: { lastUpdated: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString() },
});

/** Every index row of a resource, as a sorted list of comparable strings. */
async function indexOf(db: Db, store: string, type: string, id: string): Promise<string[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT i.code, i.system, i.value, i.exact, i.low, i.high, i.num FROM fhir_search_index i JOIN fhir_resources r USING (rid)
     WHERE r.store = $1 AND r.resource_type = $2 AND r.id = $3`, [store, type, id],
  );
  return rows.map((r) => JSON.stringify(r)).sort();
}

for (const backend of STORE_BACKENDS) {
  describe(`fhir-store bulk load (${backend.name}): many new resources set-based, as a create would index them`, function () {
    this.timeout(120_000);
    let db: Db;
    let repo: DbFhirRepository;
    const suite = suiteStore(backend, 't_bulk');
    before(async () => {
      ensureR4Definitions();
      db = suite.db;
      repo = await openFhirStore(db, { store: 'bulk', baseUrl: BASE });
      await openFhirStore(db, { store: 'created', baseUrl: BASE });
    });
    const search = async (url: string) => ((await repo.search(parseSearchRequest<Task>(url))) as Bundle<Resource>).entry?.map((e) => e.resource!.id) ?? [];

    it('loads in batches; reads, history and searches find every resource with its version 1 and stamp', async () => {
      expect(await bulkLoad(db, 'bulk', Array.from({ length: 25 }, (_, n) => task(n)), { baseUrl: BASE, batchSize: 10 })).to.equal(25);
      const t = await repo.readResource<Task>('Task', 't-7');
      expect(t.meta).to.deep.include({ versionId: '1', lastUpdated: '2026-01-01T00:00:07.000Z' });
      expect((await repo.readHistory('Task', 't-7')).entry).to.have.length(1);
      expect(await search('Task?identifier=urn:test:bulk|t-12')).to.deep.equal(['t-12']);
      expect(await search('Task?patient=Patient/p-1&status=completed&_count=100')).to.have.members(['t-1', 't-7', 't-13', 't-19']);
      expect(await search('Task?_lastUpdated=ge2026-01-01T00:00:20Z&_sort=_lastUpdated')).to.deep.equal(['t-20', 't-21', 't-22', 't-23', 't-24']);
    });

    it('writes the same index rows as a create of the same resource', async () => {
      const { id: _id, meta: _meta, ...body } = task(99);
      const created = await (await openFhirStore(db, { store: 'created', baseUrl: BASE })).createResource<Task>(body as Task);
      await bulkLoad(db, 'bulk', [{ ...body, id: 'same', meta: { lastUpdated: created.meta!.lastUpdated } } as LoadItem], { baseUrl: BASE });
      const rows = await indexOf(db, 'bulk', 'Task', 'same');
      expect(rows.length).to.be.greaterThan(5);
      expect(rows).to.deep.equal(await indexOf(db, 'created', 'Task', created.id));
    });

    it('later writes are stamped after the newest loaded resource', async () => {
      await bulkLoad(db, 'bulk', [{ ...task(200), meta: { lastUpdated: '2030-01-01T00:00:00.000Z' } }]);
      const later = await repo.createResource<Task>({ resourceType: 'Task', status: 'requested', intent: 'order' });
      expect(later.meta!.lastUpdated! > '2030-01-01T00:00:00.000Z').to.equal(true);
    });

    it('writes nothing of a batch with an id already stored', async () => {
      const before = await search('Task?identifier=urn:test:bulk|t-300');
      let failed = false;
      await bulkLoad(db, 'bulk', [task(300), task(3)]).catch(() => (failed = true));
      expect(failed).to.equal(true);
      expect(before).to.deep.equal([]);
      expect(await search('Task?identifier=urn:test:bulk|t-300')).to.deep.equal([]);
    });
  });
}
