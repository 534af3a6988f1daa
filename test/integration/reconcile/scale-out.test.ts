import { expect } from 'chai';
import type { Observation, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { advanceCursor } from '../../../src/reconcile/store/cursors.js';
import { claimDeadLetters, listDeadLetters, upsertDeadLetter } from '../../../src/reconcile/store/dead-letters.js';
import { acquireLease, LeaseLostError } from '../../../src/reconcile/store/leases.js';
import { lwSeed } from '../../../src/sandbox/demo/index.js';
import type { Db } from '../../../src/store/db.js';
import { POSTGRES_BACKEND, suiteStore } from '../../helpers/postgres.js';
import { all, create, ENDPOINT, plainReferral, startHarness, taskFor, TENANT, type Harness } from './harness.js';

const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

describe('reconcile scale-out: two reconcilers sharing one PostgreSQL', function () {
  this.timeout(300_000);
  let dbA: Db;
  let dbB: Db;
  let h: Harness;
  after(async () => {
    await h?.close();
  });
  const suite = suiteStore(POSTGRES_BACKEND, 't_reconcile', { maxConnections: 5 });

  before(async () => {
    dbA = suite.db;
    dbB = await suite.open();
    h = await startHarness({ db: dbA, ctx: { instanceId: 'instance-a' } });
  });

  it('an endpoint lease has one holder; a takeover after expiry fences the old holder out', async () => {
    const a = await acquireLease(dbA, 'lease-test', 'a', 60_000);
    expect(a).to.not.equal(undefined);
    expect(await acquireLease(dbB, 'lease-test', 'b', 60_000)).to.equal(undefined);
    await dbA.query(`UPDATE reconcile_leases SET expires_at = now() - interval '1 second' WHERE endpoint_id = 'lease-test'`);
    const b = await acquireLease(dbB, 'lease-test', 'b', 60_000);
    expect(b!.token).to.equal(a!.token + 1);
    let fenced: unknown;
    await dbA.transaction((tx) => advanceCursor(tx, a!, new Date().toISOString())).catch((e: unknown) => (fenced = e));
    expect(fenced).to.be.instanceOf(LeaseLostError);
    await dbB.transaction((tx) => advanceCursor(tx, b!, new Date().toISOString()));
  });

  it('two reconcilers racing over the same changes write every effect exactly once', async () => {
    const other = await h.startReconciler({ db: dbB, instanceId: 'instance-b' });
    const srs: (ServiceRequest & { id: string })[] = [];
    for (let i = 0; i < 30; i++) {
      const sr = await plainReferral(h);
      const o = await create<Observation>(h.lwBase, {
        resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'ucla3' }] }, valueInteger: 3 + (i % 7),
      });
      await create<Task>(h.lwBase, taskFor(h, sr, 0, {
        status: 'completed', output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${o.id}` } }, { type: out('summary'), valueString: `Summary ${i}` }],
      }));
      srs.push(sr);
    }
    const ids = (await all<Task>(h.lwBase, 'Task')).map((t) => t.id!);
    // Polls and notification-style fetches from both instances at once, repeatedly.
    for (let round = 0; round < 3; round++) {
      await Promise.all([h.reconciler.runOnce(), other.runOnce(), (async () => { h.reconciler.notify(ENDPOINT, ids); other.notify(ENDPOINT, ids); await Promise.all([h.reconciler.idle(), other.idle()]); })()]);
    }
    await h.reconciler.runOnce();
    for (const sr of srs) {
      expect(await all(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`)).to.have.length(1);
      expect(await all(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).to.have.length(1);
      expect(await all(h.ehrBase, 'Provenance', `target=ServiceRequest/${sr.id}`)).to.have.length(1);
    }
    expect(await all(h.ehrBase, 'ServiceRequest', 'status=completed')).to.have.length(srs.length);
    expect(await listDeadLetters(dbA)).to.have.length(0);
  });

  it('outbox rows are claimed with SKIP LOCKED: two instances deliver each Task once', async () => {
    const other = await h.startReconciler({ db: dbB, instanceId: 'instance-b2' });
    const template = lwSeed({ ehr: h.ehrBase, lw: h.lwBase }).find((r): r is Task => r.resourceType === 'Task')!;
    const sr = await plainReferral(h);
    for (let i = 0; i < 25; i++) {
      const { id: _id, meta, ...rest } = structuredClone(template);
      const row = await h.reconciler.outbox.enqueue(dbA, {
        tenantId: TENANT, endpointId: ENDPOINT, referralIdentifier: `scale-${i}`,
        task: { ...rest, meta: { profile: meta?.profile }, status: 'requested', identifier: [{ system: IDENTIFIER_SYSTEM.referralTask, value: `scale-${i}` }] } as Task,
      });
      await h.reconciler.outbox.markReferralWritten(dbA, row, `${h.ehrBase}/ServiceRequest/${sr.id}`);
    }
    const [a, b] = await Promise.all([h.reconciler.runOutbox(), other.runOutbox()]);
    expect(a.delivered + b.delivered).to.equal(25);
    const tasks = await all<Task>(h.lwBase, 'Task', `identifier:missing=false`);
    const scale = tasks.filter((t) => t.identifier?.[0]?.value?.startsWith('scale-'));
    expect(new Set(scale.map((t) => t.identifier?.[0]?.value)).size).to.equal(25);
    expect(scale).to.have.length(25);
  });

  it('dead letters are claimed with SKIP LOCKED: concurrent replays take different rows', async () => {
    for (let i = 0; i < 10; i++) {
      await upsertDeadLetter(dbA, { kind: 'task-version', endpointId: 'claim-test', sourceRef: `Task/c${i}/_history/1`, errorCode: 'ERR_TEST', reason: 'test row', attempts: 1 });
    }
    const [x, y] = await Promise.all([claimDeadLetters(dbA, { endpointId: 'claim-test', limit: 6 }), claimDeadLetters(dbB, { endpointId: 'claim-test', limit: 6 })]);
    const ids = [...x, ...y].map((d) => d.id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.have.length(10);
  });
});
