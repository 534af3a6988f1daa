/**
 * The FHIR store (src/fhir-store) on the default embedded PGlite, or on PostgreSQL when DATABASE_URL is set:
 * - write rate of single creates through the store (validation, index rows, journal, store lock, one transaction
 *   each) against the database's raw insert rate of the same JSON into a plain table, measured side by side;
 * - `Task?identifier=` search p95 at each size in BENCH_FHIR_SIZES (default 10000,100000 resources).
 */
import { performance } from 'node:perf_hooks';
import { validateResource } from '@medplum/core';
import type { Task } from '@medplum/fhirtypes';
import { openFhirStore } from '../src/fhir-store/index.js';
import { ensureR4Definitions } from '../src/fhir/r4-definitions.js';
import { openDb } from '../src/store/db.js';

const WRITES = 500;
const SEARCHES = 200;

const task = (n: number): Task => ({
  resourceType: 'Task',
  status: 'requested',
  intent: 'order',
  identifier: [{ system: 'urn:bench:task', value: `t-${n}` }],
  for: { reference: `Patient/p-${n % 997}` },
  authoredOn: '2026-11-24T10:00:00Z',
});

const p95 = (samples: number[]): number => samples.slice().sort((a, b) => a - b)[Math.floor(samples.length * 0.95)] ?? NaN;

export async function run(print: (name: string, value: string | number) => void): Promise<void> {
  ensureR4Definitions();
  const url = process.env.DATABASE_URL;
  const db = await openDb(url ? { databaseUrl: url, schema: `bench_fhir_${process.pid}` } : { memory: true });
  print('fhir-store database', url ? 'PostgreSQL' : 'PGlite (memory)');
  try {
    const repo = await openFhirStore(db, { store: 'bench', validate: async (r) => void validateResource(r) });
    await db.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, content jsonb NOT NULL)');

    // Side by side, interleaved in rounds so load on the machine affects both alike.
    let rawMs = 0;
    let storeMs = 0;
    for (let round = 0; round < 5; round++) {
      let t = performance.now();
      for (let i = 0; i < WRITES / 5; i++) await db.query('INSERT INTO bench_raw (content) VALUES ($1)', [task(i)]);
      rawMs += performance.now() - t;
      t = performance.now();
      for (let i = 0; i < WRITES / 5; i++) await repo.createResource(task(round * WRITES + i));
      storeMs += performance.now() - t;
    }
    const rawRate = (WRITES / rawMs) * 1000;
    const storeRate = (WRITES / storeMs) * 1000;
    print('fhir-store raw insert rate (rows/s)', rawRate.toFixed(0));
    print('fhir-store create rate (resources/s)', storeRate.toFixed(0));
    print('fhir-store create rate / raw insert rate', (storeRate / rawRate).toFixed(2));
    await repo.clear();

    const sizes = (process.env.BENCH_FHIR_SIZES ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
    let stored = 0;
    for (const size of sizes) {
      // Loaded as history (one transaction per 1,000), the fastest way in that still writes every index row.
      for (let from = stored; from < size; from += 1000) {
        const to = Math.min(size, from + 1000);
        const items = [];
        for (let n = from; n < to; n++) {
          const lastUpdated = new Date(Date.UTC(2026, 0, 1) + n).toISOString();
          items.push({ resourceType: 'Task', id: `t-${n}`, versionId: '1', lastUpdated, resource: { ...task(n), id: `t-${n}`, meta: { versionId: '1', lastUpdated } } });
        }
        await repo.importHistory(items);
      }
      stored = size;
      const samples: number[] = [];
      for (let i = 0; i < SEARCHES; i++) {
        const n = Math.floor(Math.random() * size);
        const t = performance.now();
        const found = await repo.searchResources<Task>({ resourceType: 'Task', filters: [{ code: 'identifier', operator: 'eq', value: `urn:bench:task|t-${n}` }] });
        samples.push(performance.now() - t);
        if (found.length !== 1) throw new Error(`identifier search for t-${n} found ${found.length}`);
      }
      print(`fhir-store identifier search p95 at ${size} resources (ms)`, p95(samples).toFixed(2));
    }
  } finally {
    if (url) await db.query(`DROP SCHEMA IF EXISTS bench_fhir_${process.pid} CASCADE`).catch(() => undefined);
    await db.close();
  }
}
