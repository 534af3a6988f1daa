import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { openDb, type Db } from '../../../src/store/db.js';
import { PG_URL, requirePostgres } from '../../helpers/postgres.js';

const WRITER = path.resolve('test/integration/fhir-store/crash-writer.ts');

/** Starts the writer, lets it acknowledge writes for a while, kills it with SIGKILL; returns what it acknowledged. */
async function writeThenKill(store: string, database: string, runMs: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, store, database], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') resolve();
      const m = /^ack (\d+)$/.exec(line);
      if (m) acked.push(Number(m[1]));
    });
    void exited.then((how) => reject(new Error(`writer exited (${String(how)}) before it was ready: ${stderr}`)));
  });
  await ready;
  // Killed at a point in the load no one chose: some writes acknowledged, one usually in flight.
  await new Promise((resolve) => setTimeout(resolve, runMs));
  child.kill('SIGKILL');
  expect(await exited).to.equal('SIGKILL');
  return acked;
}

interface Row {
  resource_type: string;
  value: string;
  for_ref: string | null;
  id: string;
}

/** Every resource the writer stored, by its identifier value. */
async function stored(db: Db, store: string): Promise<Row[]> {
  const { rows } = await db.query<Row>(
    `SELECT resource_type, id, content->'identifier'->0->>'value' AS value, content->'for'->>'reference' AS for_ref
     FROM fhir_resources WHERE store = $1`,
    [store],
  );
  return rows;
}

const BACKENDS = [
  { name: 'PGlite (files)', postgres: false },
  { name: 'PostgreSQL', postgres: true },
];

for (const backend of BACKENDS) {
  describe(`FHIR store under kill -9 on ${backend.name}`, function () {
    // Each round boots a fresh process (and, for PGlite, recovers its files): minutes on a loaded machine.
    this.timeout(300_000);
    let dir: string;
    const store = `crash_${process.pid}_${randomBytes(3).toString('hex')}`;

    before(async function () {
      if (backend.postgres) await requirePostgres(this);
      dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-crash-'));
    });
    after(async () => {
      if (backend.postgres) {
        const db = await openDb({ databaseUrl: PG_URL });
        await db.query('DELETE FROM fhir_stores WHERE store = $1', [store]).finally(() => db.close());
      }
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('loses no acknowledged write and leaves no half transaction, kill after kill', async () => {
      const database = backend.postgres ? PG_URL : dir;
      const acked: number[] = [];
      for (let round = 0; round < 2; round++) {
        acked.push(...(await writeThenKill(store, database, 300 + Math.floor(Math.random() * 1500))));
      }
      expect(acked.length, 'the writer got writes acknowledged before each kill').to.be.greaterThan(2);

      const db = await openDb(backend.postgres ? { databaseUrl: PG_URL } : { dataDir: dir });
      try {
        const rows = await stored(db, store);
        const values = new Set(rows.map((r) => r.value));
        for (const n of acked) expect(values.has(n % 2 === 1 ? `single-${n}` : `pair-${n}`), `write ${n} was acknowledged`).to.equal(true);

        // A transaction is both its resources or neither, and its Task names its own Patient.
        const pairs = new Map<string, Row[]>();
        for (const r of rows.filter((x) => x.value.startsWith('pair-'))) pairs.set(r.value, [...(pairs.get(r.value) ?? []), r]);
        for (const [value, members] of pairs) {
          expect(members.map((m) => m.resource_type).sort(), value).to.deep.equal(['Patient', 'Task']);
          const patient = members.find((m) => m.resource_type === 'Patient')!;
          expect(members.find((m) => m.resource_type === 'Task')!.for_ref, value).to.equal(`Patient/${patient.id}`);
        }
        // Every stored version has its journal entry and its index rows (written in the same transaction).
        const { rows: orphans } = await db.query(
          `SELECT v.rid FROM fhir_versions v JOIN fhir_resources r ON r.rid = v.rid
           WHERE r.store = $1 AND NOT EXISTS (SELECT 1 FROM fhir_changes c WHERE c.rid = v.rid AND c.version = v.version)`,
          [store],
        );
        expect(orphans, 'versions without a journal entry').to.deep.equal([]);
        const { rows: unindexed } = await db.query(
          `SELECT r.rid FROM fhir_resources r WHERE r.store = $1
           AND NOT EXISTS (SELECT 1 FROM fhir_search_index i WHERE i.rid = r.rid AND i.code = 'identifier')`,
          [store],
        );
        expect(unindexed, 'resources without their index rows').to.deep.equal([]);
      } finally {
        await db.close();
      }
    });
  });
}
