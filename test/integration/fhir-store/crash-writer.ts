// A write load for the kill -9 test (crash.test.ts), run as a child process: `tsx crash-writer.ts <store> <database>`
// where <database> is a PostgreSQL URL or a PGlite data directory. Writes alternate between a single create and a
// transaction of two resources that name each other; "ack <n>" is printed only after write n has committed.
import { validateResource } from '@medplum/core';
import type { Patient, Task } from '@medplum/fhirtypes';
import { openFhirStore } from '../../../src/fhir-store/index.js';
import { ensureR4Definitions } from '../../../src/fhir/r4-definitions.js';
import { openDb } from '../../../src/store/db.js';

const [store, database] = process.argv.slice(2);
if (!store || !database) throw new Error('usage: crash-writer.ts <store> <database-url | pglite-dir>');
ensureR4Definitions();
const db = await openDb(database.startsWith('postgres') ? { databaseUrl: database } : { dataDir: database });
const repo = await openFhirStore(db, { store, validate: async (r) => void validateResource(r) });
const last = await repo.lastChangeSeq();
process.stdout.write('ready\n');

const identifier = (value: string) => [{ system: 'urn:test:crash', value }];
for (let n = last + 1; ; n++) {
  if (n % 2 === 1) {
    await repo.createResource<Task>({ resourceType: 'Task', status: 'requested', intent: 'order', identifier: identifier(`single-${n}`) });
  } else {
    await repo.withTransaction(async (tx) => {
      const p = await tx.createResource<Patient>({ resourceType: 'Patient', identifier: identifier(`pair-${n}`) });
      await tx.createResource<Task>({ resourceType: 'Task', status: 'requested', intent: 'order', identifier: identifier(`pair-${n}`), for: { reference: `Patient/${p.id}` } });
    });
  }
  process.stdout.write(`ack ${n}\n`);
}
