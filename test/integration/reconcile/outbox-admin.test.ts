import { expect } from 'chai';
import type { Observation, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { lwSeed } from '../../../src/sandbox/demo/index.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { ADMIN_TOKEN, all, create, ENDPOINT, fhir, plainReferral, read, startHarness, taskFor, TENANT, type Harness } from './harness.js';

/** An SP Link referral Task (from the demo data) to queue, re-identified. */
function queuedTask(h: Harness, referralId: string): Task {
  const demo = lwSeed({ ehr: h.ehrBase, lw: h.lwBase }).find((r): r is Task => r.resourceType === 'Task')!;
  const { id: _id, meta, ...rest } = structuredClone(demo);
  return {
    ...rest,
    meta: { profile: meta?.profile },
    status: 'requested',
    identifier: [{ system: IDENTIFIER_SYSTEM.referralTask, value: referralId }],
    focus: { ...rest.focus, reference: `${h.ehrBase}/ServiceRequest/pending`, identifier: { system: IDENTIFIER_SYSTEM.referral, value: referralId } },
  } as Task;
}

const admin = (h: Harness, method: string, path: string, token = ADMIN_TOKEN) =>
  fetch(`${h.base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('reconcile outbox, dead letters and admin API', function () {
  this.timeout(300_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ ctx: { tuning: { outboxGraceMs: 0, retry: { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 3000, maxAttempts: 1 } } } });
  });
  after(async () => h?.close());

  const tasksWith = async (referralId: string) => all<Task>(h.lwBase, 'Task', `identifier=${IDENTIFIER_SYSTEM.referralTask}|${referralId}`);

  it('delivers a queued Task once the referral is written, with a conditional create', async () => {
    const o = h.reconciler.outbox;
    const row = await o.enqueue(h.db, { tenantId: TENANT, endpointId: ENDPOINT, referralIdentifier: 'ref-1', task: queuedTask(h, 'ref-1') });
    expect((await o.get(h.db, row))!.state).to.equal('awaiting-referral');
    const sr = await plainReferral(h);
    await o.markReferralWritten(h.db, row, `${h.ehrBase}/ServiceRequest/${sr.id}`);
    const r = await h.reconciler.runOutbox();
    expect(r.delivered).to.equal(1);
    const tasks = await tasksWith('ref-1');
    expect(tasks).to.have.length(1);
    expect(tasks[0]!.focus?.reference).to.equal(`${h.ehrBase}/ServiceRequest/${sr.id}`);
    // A redelivery (crash after delivering, before recording it) finds the Task instead of duplicating it.
    await h.db.query(`UPDATE reconcile_outbox SET state = 'ready', next_attempt_at = now() WHERE id = $1`, [row]);
    await h.reconciler.runOutbox();
    expect(await tasksWith('ref-1')).to.have.length(1);
    expect((await o.get(h.db, row))!.state).to.equal('delivered');
  });

  it('resolves rows stuck awaiting their referral: found in the EHR → delivered; absent → discarded and audited', async () => {
    const o = h.reconciler.outbox;
    const found = await o.enqueue(h.db, { tenantId: TENANT, endpointId: ENDPOINT, referralIdentifier: 'ref-2', task: queuedTask(h, 'ref-2') });
    const sr = await create<ServiceRequest>(h.ehrBase, {
      resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' },
      identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: 'ref-2' }],
    });
    const lost = await o.enqueue(h.db, { tenantId: TENANT, endpointId: ENDPOINT, referralIdentifier: 'ref-3', task: queuedTask(h, 'ref-3') });
    const r = await h.reconciler.runOutbox();
    expect(r).to.include({ resolvedFromEhr: 1, delivered: 1, discarded: 1 });
    expect((await tasksWith('ref-2'))[0]!.focus?.reference).to.equal(`${h.ehrBase}/ServiceRequest/${sr.id}`);
    expect(await tasksWith('ref-3')).to.have.length(0);
    expect((await o.get(h.db, found))!.state).to.equal('delivered');
    expect((await o.get(h.db, lost))!.state).to.equal('discarded');
    const { rows } = await h.db.query<{ action: string }>(`SELECT action FROM audit_events WHERE resource_ref = $1`, [`outbox/${lost}`]);
    expect(rows.map((x) => x.action)).to.deep.equal(['outbox-discard']);
  });

  it('dead-letters a delivery after N failures; replay through the admin API delivers it once', async () => {
    const o = h.reconciler.outbox;
    const sr = await plainReferral(h);
    const row = await o.enqueue(h.db, { tenantId: TENANT, endpointId: ENDPOINT, referralIdentifier: 'ref-4', task: queuedTask(h, 'ref-4') });
    await o.markReferralWritten(h.db, row, `${h.ehrBase}/ServiceRequest/${sr.id}`);
    h.inject({ server: 'lw', method: 'POST', path: /^\/Task/, times: 3, status: 503 });
    for (let i = 0; i < 3; i++) {
      await h.db.query(`UPDATE reconcile_outbox SET next_attempt_at = now() WHERE id = $1`, [row]);
      await h.reconciler.runOutbox();
    }
    expect((await o.get(h.db, row))!.state).to.equal('dead');
    const [dead] = (await listDeadLetters(h.db)).filter((d) => d.sourceRef === `outbox/${row}`);
    expect(dead).to.include({ kind: 'outbox', attempts: 3 });
    const res = await admin(h, 'POST', `/admin/api/dead-letters/${dead!.id}/replay`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.include({ resolved: true });
    expect(await tasksWith('ref-4')).to.have.length(1);
  });

  it('admin API: Bearer token required; list, show, and replay a fixed Task version', async () => {
    expect((await admin(h, 'GET', '/admin/api/dead-letters', '')).status).to.equal(401);
    expect((await admin(h, 'GET', '/admin/api/dead-letters', 'wrong')).status).to.equal(401);
    // A Task that reaches the endpoint before its referral is readable in the EHR: parked (focus-not-found).
    const srId = `later-${Date.now()}`;
    const obs = await create<Observation>(h.lwBase, {
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] }, valueInteger: 25,
    });
    const task = await create<Task>(h.lwBase, {
      ...taskFor(h, { id: srId }, 0, { status: 'completed' }),
      output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'outcome-measure' }] }, valueReference: { reference: `Observation/${obs.id}` } }],
    });
    await h.reconciler.runOnce();
    const list = (await (await admin(h, 'GET', '/admin/api/dead-letters')).json()) as { items: { id: number; sourceRef: string; errorCode: string }[] };
    const item = list.items.find((d) => d.sourceRef === `Task/${task.id}/_history/1`)!;
    expect(item.errorCode).to.equal('ERR_RECONCILE_BAD_INPUT:focus-not-found');
    const shown = (await (await admin(h, 'GET', `/admin/api/dead-letters/${item.id}`)).json()) as { payload: Task; reason: string };
    expect(shown.payload.id).to.equal(task.id);
    expect((await admin(h, 'GET', '/admin/api/dead-letters/999999')).status).to.equal(404);
    // Still bad: replay keeps it open.
    expect(await (await admin(h, 'POST', `/admin/api/dead-letters/${item.id}/replay`)).json()).to.include({ resolved: false });
    // The referral becomes readable; the replay then applies the Task version, once.
    const put = await fhir(`${h.ehrBase}/ServiceRequest/${srId}`, 'PUT', {
      resourceType: 'ServiceRequest', id: srId, status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/gp1' }, code: { text: 'Social prescribing' },
    });
    expect(put.status).to.be.oneOf([200, 201]);
    expect(await (await admin(h, 'POST', `/admin/api/dead-letters/${item.id}/replay`)).json()).to.include({ resolved: true });
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', srId)).status).to.equal('completed');
    expect(await all(h.ehrBase, 'Observation', `based-on=ServiceRequest/${srId}`)).to.have.length(1);
    expect((await admin(h, 'POST', `/admin/api/dead-letters/${item.id}/replay`)).status).to.equal(409);
    const status = (await (await admin(h, 'GET', '/admin/api/reconcile/status')).json()) as { endpoints: { endpointId: string }[] };
    expect(status.endpoints.map((e) => e.endpointId)).to.deep.equal([ENDPOINT]);
  });
});
