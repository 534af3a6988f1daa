import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { openFhirStore } from '../../../src/fhir-store/index.js';
import { ensureR4Definitions } from '../../../src/fhir/r4-definitions.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { maintainOnce } from '../../../src/store/embedded-maintenance.js';

const lastAnalyzed = async (db: Db, table: string): Promise<string | null> =>
  (await db.query<{ at: string | null }>('SELECT coalesce(last_analyze, last_autoanalyze)::text AS at FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2', [db.schema, table])).rows[0]?.at ?? null;

describe('store/embedded-maintenance on PGlite: statistics and dead rows looked after as autovacuum would', function () {
  this.timeout(120_000);
  let db: Db;
  before(async () => {
    ensureR4Definitions();
    db = await openDb({ memory: true });
  });
  after(() => db.close());

  it('analyzes the FHIR tables after writes, vacuums after updates, then has nothing to do', async () => {
    const repo = await openFhirStore(db, { store: 'm' });
    expect(await lastAnalyzed(db, 'fhir_search_index')).to.equal(null);
    const made: Task[] = [];
    for (let n = 0; n < 100; n++) made.push(await repo.createResource<Task>({ resourceType: 'Task', status: 'requested', intent: 'order', identifier: [{ system: 'urn:test', value: `t-${n}` }] }));
    for (const t of made) await repo.updateResource<Task>({ ...t, status: 'accepted' });

    const first = await maintainOnce(db);
    // The store itself analyzed fhir_resources and fhir_search_index as Tasks, a type new to the statistics, were
    // written (src/fhir-store/type-statistics.ts); the tables it leaves alone are due here.
    expect(first.analyzed).to.include.members(['fhir_versions', 'fhir_changes']);
    expect(first.vacuumed).to.include('fhir_resources');
    expect(await lastAnalyzed(db, 'fhir_search_index')).to.not.equal(null);
    expect((await db.query<{ dead: number }>("SELECT n_dead_tup AS dead FROM pg_stat_user_tables WHERE relname = 'fhir_resources' AND schemaname = $1", [db.schema])).rows[0]?.dead).to.equal(0);

    expect(await maintainOnce(db)).to.deep.equal({ analyzed: [], vacuumed: [] });
  });
});
