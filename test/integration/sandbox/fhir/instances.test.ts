import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { openDb, type Db } from '../../../../src/store/db.js';
import { PG_URL, requirePostgres } from '../../../helpers/postgres.js';
import { fhir, type Json } from './sandbox-app.js';

const INSTANCE = path.resolve('test/integration/sandbox/fhir/instance-process.ts');
const PUBLIC_BASE = 'http://sp-link.test/sandbox/lw/fhir';

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
  /** Changes this instance handed to its notifier ("Type/id/version"). */
  readonly handled: string[];
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

async function startInstance(schema: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', INSTANCE, PG_URL, schema, PUBLIC_BASE], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const handled: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^ready (\S+)$/.exec(line);
      if (ready) resolve(ready[1]!);
      const change = /^change (\S+)$/.exec(line);
      if (change) handled.push(change[1]!);
    });
    void exited.then((how) => reject(new Error(`instance exited (${String(how)}) before it was ready: ${stderr}`)));
  });
  return { child, url, handled, exited };
}

/** Resolves once `check` holds, polling; the suite's timeout bounds the wait. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

const task = (n: number): Json => ({ resourceType: 'Task', status: 'requested', intent: 'order', identifier: [{ system: 'urn:test:instances', value: `t${n}` }] });

describe('sandbox FHIR server: two instances on one PostgreSQL database', function () {
  // Two child processes booting on a loaded machine, and a lease (10 s) left to expire.
  this.timeout(300_000);
  const schema = `t_instances_${process.pid}_${randomBytes(4).toString('hex')}`;
  let db: Db;
  let a: Instance;
  let b: Instance;
  let receiver: http.Server;
  /** Notifications received: "Task/id/version" in arrival order, with when each arrived. */
  const received: { key: string; at: number }[] = [];
  let endpoint: string;

  before(async function () {
    await requirePostgres(this);
    db = await openDb({ databaseUrl: PG_URL, schema, maxConnections: 2 });
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const r = JSON.parse(body) as Json;
        received.push({ key: `${r.resourceType}/${r.id}/${r.meta.versionId}`, at: Date.now() });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    a = await startInstance(schema);
    b = await startInstance(schema);
  });
  after(async () => {
    for (const i of [a, b]) if (i && i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
    await Promise.all([a?.exited, b?.exited]);
    receiver?.close();
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db?.close();
  });

  /** The instance holding the notifier's lease now. */
  async function holder(): Promise<Instance | undefined> {
    const { rows } = await db.query<{ holder: string }>(
      `SELECT holder FROM fhir_change_consumers WHERE store = 'lw' AND consumer = 'rest-hook' AND lease_expires_at > now()`,
    );
    const h = rows[0]?.holder;
    return [a, b].find((i) => h?.includes(`:${i.child.pid}:`));
  }

  it('notifies each committed change once, whichever instance it was written through', async () => {
    const sub = await fhir('POST', `${a.url}/Subscription`, {
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'test',
      criteria: 'Task',
      channel: { type: 'rest-hook', endpoint, payload: 'application/fhir+json' },
    });
    expect(sub.status).to.equal(201);
    // Writes through both instances at once, as behind a load balancer.
    const written = await Promise.all(Array.from({ length: 20 }, (_v, n) => fhir('POST', `${n % 2 ? b.url : a.url}/Task`, task(n))));
    expect(written.map((w) => w.status)).to.deep.equal(Array(20).fill(201));
    const keys = written.map((w) => `Task/${w.body.id}/1`);
    await until(() => keys.every((k) => received.some((r) => r.key === k)));
    // The journal position has passed every change: nothing is left for anyone to send.
    await until(async () => {
      const { rows } = await db.query<{ behind: boolean }>(
        `SELECT (SELECT max(seq) FROM fhir_changes WHERE store = 'lw') > last_seq AS behind FROM fhir_change_consumers WHERE store = 'lw' AND consumer = 'rest-hook'`,
      );
      return rows[0]?.behind === false;
    });
    expect(received.map((r) => r.key).sort()).to.deep.equal([...keys].sort());
    // One instance handed the changes over; the other, sharing the store, handed over none of them.
    const handled = [...a.handled, ...b.handled].filter((k) => k.startsWith('Task/'));
    expect(handled.sort()).to.deep.equal([...keys].sort());
    expect(Math.min(a.handled.length, b.handled.length)).to.equal(0);
  });

  it('after the notifying instance is killed, the other takes its lease over when it expires and notifies what follows once', async () => {
    const dead = await holder();
    expect(dead, 'an instance holds the lease').to.not.equal(undefined);
    const survivor = dead === a ? b : a;
    dead!.child.kill('SIGKILL');
    expect(await dead!.exited).to.equal('SIGKILL');
    const killedAt = Date.now();
    const written = await Promise.all(Array.from({ length: 10 }, (_v, n) => fhir('POST', `${survivor.url}/Task`, task(100 + n))));
    const keys = written.map((w) => `Task/${w.body.id}/1`);
    await until(() => keys.every((k) => received.some((r) => r.key === k)));
    const firstAfter = Math.min(...received.filter((r) => keys.includes(r.key)).map((r) => r.at));
    if (process.env.SP_LINK_FIGURES) console.log(`      lease takeover after SIGKILL: ${((firstAfter - killedAt) / 1000).toFixed(1)} s`);
    expect(await holder()).to.equal(survivor);
    expect(received.filter((r) => keys.includes(r.key)).map((r) => r.key).sort()).to.deep.equal([...keys].sort());
    expect(survivor.handled.filter((k) => keys.some((key) => key === k))).to.have.length(keys.length);
  });
});
