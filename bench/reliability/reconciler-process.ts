/**
 * The reconciler as a process of its own, for the outage, scale-out and memory scenarios:
 * `tsx reconciler-process.ts <config.json>` with DATABASE_URL (PostgreSQL; PGlite in memory when empty) and
 * RELIABILITY_SCHEMA set. Polls back to back (the scenario stands in for the schedule) and prints one line per
 * run, until it is killed. With RELIABILITY_HEAP_SAMPLE_MS (and --expose-gc) it also prints `heap <bytes>`, the heap
 * still in use after a full collection, that often: what the process holds, apart from how far V8 lets the heap grow.
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { configSchema } from '../../src/config/schema.js';
import type { Resource } from '@medplum/fhirtypes';
import { startReconciler } from '../../src/reconcile/index.js';
import { defaultValidate } from '../../src/reconcile/validate.js';
import { openDb } from '../../src/store/db.js';

const config = configSchema.parse(JSON.parse(await readFile(process.argv[2]!, 'utf8')));
const db = process.env.DATABASE_URL
  ? await openDb({ databaseUrl: process.env.DATABASE_URL, schema: process.env.RELIABILITY_SCHEMA!, maxConnections: 4 })
  : await openDb({ memory: true });
const r = await startReconciler({
  config, db, background: false, logger: pino({ level: 'silent' }), instanceId: process.env.RELIABILITY_INSTANCE ?? `reliability-${process.pid}`,
  // Short in-call retries: the scenario is about runs failing and processes dying, not one call's patience
  // (RELIABILITY_RETRY=deployed keeps the deployed budget: a benchmark's drain on a busy machine is neither).
  // A 3 s lease (60 s deployed): a killed process's lease expires before the next kill, so restarts make progress.
  tuning: {
    leaseTtlMs: Number(process.env.RELIABILITY_LEASE_MS ?? 3000),
    ...(process.env.RELIABILITY_RETRY === 'deployed' ? {} : { retry: { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 5000, maxAttempts: 2 } }),
  },
});
// Load the validators' definitions before saying ready, so the first run's time is the run's (the memory bench times it).
for (const r of [{ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p' } }, { resourceType: 'Provenance' }] as Resource[]) {
  try {
    defaultValidate(r);
  } catch {
    // Only loading the definitions matters here.
  }
}
const heapSampleMs = Number(process.env.RELIABILITY_HEAP_SAMPLE_MS ?? 0);
const gc = (globalThis as { gc?: () => void }).gc;
if (heapSampleMs > 0 && gc) {
  setInterval(() => {
    gc();
    process.stdout.write(`heap ${process.memoryUsage().heapUsed}\n`);
  }, heapSampleMs).unref();
}
process.stdout.write('ready\n');
for (;;) {
  const run = await r.runOnce();
  const e = Object.values(run.endpoints)[0];
  process.stdout.write(`run ${e?.status ?? 'none'} applied=${e?.applied ?? 0} dead=${e?.deadLettered ?? 0}\n`);
  await new Promise((res) => setTimeout(res, 20));
}
