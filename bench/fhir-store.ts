/**
 * The FHIR store (src/fhir-store) on the default embedded PGlite, or on PostgreSQL when DATABASE_URL is set:
 * - write rate of single creates through the store (validation, index rows, journal, store lock, one transaction
 *   each) against the database's raw insert rate of the same JSON into a plain table, measured side by side;
 * - at each size in BENCH_FHIR_SIZES (default 10000,100000,1000000 resources), loaded set-based
 *   (src/fhir-store/bulk-load.ts) as referrals: a ServiceRequest in an EHR store and its Task in a link-worker
 *   store, on PGlite and (when it answers) PostgreSQL, p95 of the searches SP Link makes there: the GP app's
 *   referral list (ServiceRequest by patient and category, newest first) and its Task statuses (Task by
 *   identifiers), `Task?identifier=`, and the reconciler's change read (`Task?_lastUpdated=ge…&_sort=_lastUpdated`);
 *   then each search's p95 at the largest size ÷ at the smallest (goal: flat, 1) and PostgreSQL ÷ PGlite.
 *   A size whose load would overrun BENCH_FHIR_BUDGET_MIN (default 20 minutes of loading per database, projected
 *   from the rate measured so far) or the free memory (projected from the database's size so far) is not
 *   loaded: the bench prints where it stopped and why.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseSearchRequest, validateResource } from '@medplum/core';
import type { Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { bulkLoad, type LoadItem } from '../src/fhir-store/bulk-load.js';
import { openFhirStore, type DbFhirRepository } from '../src/fhir-store/index.js';
import { ensureR4Definitions } from '../src/fhir/r4-definitions.js';
import { IDENTIFIER_SYSTEM, SNOMED } from '../src/referral-model/codes.js';
import { openDb, type Db } from '../src/store/db.js';
import { PG_URL, postgresProblem } from '../test/helpers/postgres.js';
import { seeded } from '../src/sandbox/demo/seeded-random.js';

const WRITES = 500;
const SEARCHES = 200;
const PATIENTS_PER_REFERRAL = 0.4;

const task = (n: number): Task => ({
  resourceType: 'Task',
  status: 'requested',
  intent: 'order',
  identifier: [{ system: 'urn:bench:task', value: `t-${n}` }],
  for: { reference: `Patient/p-${n % 997}` },
  authoredOn: '2026-11-24T10:00:00Z',
});

const p95 = (samples: number[]): number => samples.slice().sort((a, b) => a - b)[Math.floor(samples.length * 0.95)] ?? NaN;
const CATEGORY = `http://snomed.info/sct|${SNOMED.referralToSocialPrescribing.code}`;

/** Referral n as the EHR holds it (ServiceRequest) and as the link-worker service does (Task), stamped n ms apart. */
function referral(n: number, patients: number): { sr: LoadItem; task: LoadItem } {
  const lastUpdated = new Date(Date.UTC(2026, 0, 1) + n * 10).toISOString();
  const patient = `Patient/p-${n % patients}`;
  const sr: ServiceRequest & { id: string } = {
    resourceType: 'ServiceRequest', id: `sr-${n}`, status: 'active', intent: 'order', subject: { reference: patient },
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: SNOMED.referralToSocialPrescribing.code }] }],
    identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: `r-${n}` }],
    authoredOn: lastUpdated, meta: { lastUpdated },
  };
  const t: Task & { id: string } = {
    resourceType: 'Task', id: `t-${n}`, status: (['requested', 'accepted', 'in-progress', 'completed'] as const)[n % 4]!, intent: 'order',
    identifier: [{ system: IDENTIFIER_SYSTEM.referralTask, value: `r-${n}` }], basedOn: [{ reference: `ServiceRequest/sr-${n}` }],
    for: { reference: patient }, authoredOn: lastUpdated, meta: { lastUpdated },
  };
  return { sr, task: t };
}

async function timed(samples: number[], fn: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await fn();
  samples.push(performance.now() - t);
}

/**
 * Why loading from `loaded` to `size` resources should not be tried, if it should not: the time it would take at the
 * rate so far, past the budget, or the database's projected size, past the free memory (PGlite holds it in memory).
 */
async function tooBig(db: Db, loaded: number, size: number, loadMs: number, budgetMs: number): Promise<string | undefined> {
  const projectedMs = (loadMs / loaded) * size;
  if (projectedMs > budgetMs) {
    return `loading would take about ${(projectedMs / 60_000).toFixed(0)} min at the ${((loaded / loadMs) * 1000).toFixed(0)} resources/s measured so far, over the budget of ${(budgetMs / 60_000).toFixed(0)} min (BENCH_FHIR_BUDGET_MIN)`;
  }
  if (db.kind !== 'pglite') return undefined;
  const { rows } = await db.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
  const projected = (Number(rows[0]?.bytes) / loaded) * size;
  if (projected > os.freemem() * 0.8) {
    return `the database would take about ${(projected / 2 ** 30).toFixed(1)} GiB, more than this machine's free memory (${(os.freemem() / 2 ** 30).toFixed(1)} GiB)`;
  }
  return undefined;
}

/** Loads referrals up to each size and measures the searches; the figures by size, for the side-by-side ratios. */
async function atSizes(db: Db, label: string, sizes: readonly number[], print: (name: string, value: string | number) => void): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const ehr = await openFhirStore(db, { store: 'bench-ehr' });
  const lw = await openFhirStore(db, { store: 'bench-lw' });
  const search = <T extends Resource>(repo: DbFhirRepository, url: string) => repo.search(parseSearchRequest<T>(url));
  let referrals = 0;
  let loadMs = 0;
  const budgetMs = Number(process.env.BENCH_FHIR_BUDGET_MIN ?? 20) * 60_000;
  for (const size of sizes) {
    // `size` resources: half ServiceRequests, half Tasks.
    const target = Math.floor(size / 2);
    const why = referrals > 0 ? await tooBig(db, referrals * 2, size, loadMs, budgetMs) : undefined;
    if (why) {
      print(`fhir-store ${label} stopped at ${referrals * 2} resources`, `${size} not loaded: ${why} (load average ${os.loadavg()[0]!.toFixed(1)})`);
      break;
    }
    const patients = Math.max(1, Math.round(target * PATIENTS_PER_REFERRAL));
    const t0 = performance.now();
    const from = referrals;
    const made = (k: 'sr' | 'task') => (function* () {
      for (let n = from; n < target; n++) yield referral(n, patients)[k];
    })();
    await bulkLoad(db, 'bench-ehr', made('sr'));
    await bulkLoad(db, 'bench-lw', made('task'));
    loadMs += performance.now() - t0;
    print(`fhir-store ${label} bulk load rate at ${size} resources (resources/s)`, (((target - from) * 2) / ((performance.now() - t0) / 1000)).toFixed(0));
    referrals = target;
    const random = seeded(size);
    const pick = () => Math.floor(random() * referrals);
    const samples = { list: [] as number[], statuses: [] as number[], identifier: [] as number[], changes: [] as number[] };
    for (let i = 0; i < SEARCHES; i++) {
      const n = pick();
      await timed(samples.list, () => search(ehr, `ServiceRequest?subject=Patient/p-${n % patients}&category=${CATEGORY}&_sort=-authored&_count=50`));
      const ids = [n, pick(), pick()].map((k) => `${IDENTIFIER_SYSTEM.referralTask}|r-${k}`).join(',');
      await timed(samples.statuses, () => search(lw, `Task?identifier=${ids}&_count=100`));
      await timed(samples.identifier, async () => {
        const b = await search(lw, `Task?identifier=${IDENTIFIER_SYSTEM.referralTask}|r-${n}`);
        if (b.entry?.length !== 1) throw new Error(`identifier search for r-${n} found ${b.entry?.length ?? 0}`);
      });
      // A cursor among the newest few hundred changes, as a poller that keeps up reads them.
      const since = new Date(Date.UTC(2026, 0, 1) + (referrals - 1 - Math.floor(random() * 500)) * 10).toISOString();
      await timed(samples.changes, () => search(lw, `Task?_lastUpdated=ge${since}&_sort=_lastUpdated&_count=100`));
    }
    for (const [name, xs] of Object.entries({ 'GP referral list': samples.list, 'GP Task statuses': samples.statuses, 'Task identifier': samples.identifier, 'reconciler change read': samples.changes })) {
      const v = p95(xs);
      out.set(`${name} search p95 at ${size} resources`, v);
      print(`fhir-store ${label} ${name} search p95 at ${size} resources (ms)`, v.toFixed(2));
    }
  }
  return out;
}

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
  } finally {
    if (url) await db.query(`DROP SCHEMA IF EXISTS bench_fhir_${process.pid} CASCADE`).catch(() => undefined);
    await db.close();
  }

  const sizes = (process.env.BENCH_FHIR_SIZES ?? '10000,100000,1000000').split(',').map(Number).filter((n) => n > 0);
  const figures = new Map<string, Map<string, number>>();
  const backends: { label: string; open: () => Promise<Db>; drop?: (db: Db) => Promise<unknown> }[] = [
    { label: 'PGlite', open: () => openDb({ memory: true }) },
  ];
  if (!(await postgresProblem())) {
    const schema = `bench_fhir_sizes_${process.pid}`;
    backends.push({ label: 'PostgreSQL', open: () => openDb({ databaseUrl: PG_URL, schema }), drop: (db) => db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) });
  }
  for (const b of backends) {
    const sized = await b.open();
    try {
      figures.set(b.label, await atSizes(sized, b.label, sizes, print));
    } finally {
      await b.drop?.(sized).catch(() => undefined);
      await sized.close();
    }
  }
  for (const [label, f] of figures) flatness(label, f, print);
  const pglite = figures.get('PGlite');
  const pg = figures.get('PostgreSQL');
  if (pglite && pg) for (const [name, v] of pg) if (pglite.has(name)) print(`fhir-store ${name}: PostgreSQL ÷ PGlite`, (v / pglite.get(name)!).toFixed(2));
}

/** Each search's p95 at the largest size loaded ÷ at the smallest: 1 when the search does not slow as the store grows. */
function flatness(label: string, f: Map<string, number>, print: (name: string, value: string | number) => void): void {
  const sized = [...f.keys()].map((k) => /^(.*) search p95 at (\d+) resources$/.exec(k)).filter((m): m is RegExpExecArray => m !== null);
  for (const search of new Set(sized.map((m) => m[1]!))) {
    const sizes = sized.filter((m) => m[1] === search).map((m) => Number(m[2]));
    const [lo, hi] = [Math.min(...sizes), Math.max(...sizes)];
    if (lo === hi) continue;
    const ratio = f.get(`${search} search p95 at ${hi} resources`)! / f.get(`${search} search p95 at ${lo} resources`)!;
    print(`fhir-store ${label} ${search} search p95 at ${hi} ÷ at ${lo} resources`, ratio.toFixed(2));
  }
}
