import { expect } from 'chai';
import type { Communication, ServiceRequest, Task } from '@medplum/fhirtypes';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { applyOnwardAction, buildOnwardReferral } from '../../../src/referral-model/onward-referral.js';
import { gravity } from '../../fixtures/gravity/index.js';
import { all, create, ENDPOINT, plainReferral, read, startHarnessOn, taskFor, update, type Harness } from './harness.js';
import { STORE_BACKENDS } from '../../helpers/postgres.js';

/** The IG's sub-Task, re-pointed at the test servers: partOf the referral Task, focus its referral (absolute). */
function igSubTask(h: Harness, fixture: string, parent: { id: string }, sr: { id: string }): Task {
  const { id: _, ...task } = gravity<Task>(fixture);
  return { ...task, partOf: [{ reference: `Task/${parent.id}` }], focus: { reference: `${h.ehrBase}/ServiceRequest/${sr.id}` } };
}

for (const backend of STORE_BACKENDS) {
  describe(`reconcile: onward referrals (Gravity sub-Tasks) at a link-worker endpoint on ${backend.name}`, function () {
    this.timeout(300_000);
    let h: Harness;
    before(async function () {
      h = await startHarnessOn(this, backend);
    });
    after(async () => h?.close());

    it('a sub-Task never moves the referral it is part of, and is not dead-lettered for its other owner or relative for', async () => {
      const sr = await plainReferral(h);
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, 0, { status: 'in-progress' }));
      await h.reconciler.runOnce();
      const sub = await create<Task>(h.lwBase, igSubTask(h, 'task-subtask-accepted', parent, sr));
      let r = await h.reconciler.runOnce();
      await update<Task>(h.lwBase, { ...igSubTask(h, 'task-subtask-completed', parent, sr), id: sub.id, output: [] });
      r = await h.reconciler.runOnce();

      expect(r.endpoints[ENDPOINT], JSON.stringify(r.endpoints[ENDPOINT])).to.include({ deadLettered: 0, failed: 0 });
      expect((await listDeadLetters(h.db, { limit: 100 })).filter((d) => d.endpointId === ENDPOINT)).to.deep.equal([]);
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status, 'the group finishing is not the referral completing').to.equal('active');
      const comms = await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`);
      expect(comms.map((c) => c.topic?.coding?.[0]?.code)).not.to.include('referral-completed');
    });

    it('a referral the GP cancels withdraws its open onward referrals (the group stops contacting the person); a finished one is left as it is', async () => {
      const sr = await plainReferral(h, 'p2');
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, 1, { status: 'in-progress' }));
      const service = (id: string, name: string) => ({ id, name, provider: { reference: `Organization/org-${id}`, display: name } });
      const base = { parent, requester: { reference: 'Practitioner/lw1' }, consent: { date: '2026-11-30', recorder: { reference: 'Practitioner/lw1' } }, person: {}, now: new Date() };
      const open = await create<Task>(h.lwBase, { ...buildOnwardReferral({ ...base, service: service('walk', 'Walking group') }), status: 'accepted' });
      const done = await create<Task>(h.lwBase, { ...buildOnwardReferral({ ...base, service: service('art', 'Art group') }), status: 'completed' });
      await h.reconciler.runOnce();
      await update<ServiceRequest>(h.ehrBase, { ...(await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)), status: 'revoked' });
      await h.reconciler.runOnce();

      const withdrawn = await read<Task>(h.lwBase, 'Task', open.id);
      expect(withdrawn.status).to.equal('cancelled');
      expect(withdrawn.statusReason?.coding?.[0]?.code).to.equal('gp-cancelled');
      expect(withdrawn.statusReason?.text).to.equal('The GP cancelled the referral.');
      expect((await read<Task>(h.lwBase, 'Task', done.id)).status).to.equal('completed');
      expect((await read<Task>(h.lwBase, 'Task', parent.id)).status, 'the referral Task is cancelled as before').to.equal('cancelled');
      expect((await listDeadLetters(h.db, { limit: 100 })).filter((d) => d.endpointId === ENDPOINT)).to.deep.equal([]);
    });
  });
}

for (const backend of STORE_BACKENDS) for (const lwDialect of ['medplum', 'hapi'] as const) {
  describe(`reconcile: onward referrals reach the GP's message back (link-worker server dialect ${lwDialect}) on ${backend.name}`, function () {
    this.timeout(300_000);
    let h: Harness;
    before(async function () {
      h = await startHarnessOn(this, backend, { lwDialect });
    });
    after(async () => h?.close());

    it('at completion, each onward referral and what the group recorded (in its own system or SP Link\'s portal) is in the message', async () => {
      const sr = await plainReferral(h);
      const parent = await create<Task>(h.lwBase, taskFor(h, sr, 0, { status: 'in-progress' }));
      // SP Link's sub-Task, answered by the group: accepted, attended, finished after 4 sessions.
      const ours = buildOnwardReferral({
        parent, service: { id: 'svc-walking', name: 'Healthy Steps walking group', provider: { reference: 'Organization/org-leisure', display: 'Fernbridge Leisure Trust' } },
        requester: { reference: 'Practitioner/lw1', display: 'Sarah Whitfield' }, consent: { date: '2026-11-30', recorder: { reference: 'Practitioner/lw1', display: 'Sarah Whitfield' } },
        person: { name: [{ given: ['Jo'], family: 'Bloggs' }] }, now: new Date(),
      });
      let sub = await create<Task>(h.lwBase, ours);
      for (const input of [{ action: 'accept' }, { action: 'attended' }, { action: 'finished', sessionsAttended: 4 }] as const) {
        const r = applyOnwardAction(sub, input, { now: new Date(), author: { display: 'Gail Hughes' } });
        if (!r.ok) throw new Error(r.message);
        sub = await update<Task>(h.lwBase, r.task as Task & { id: string });
      }
      // A group's own system, as the Gravity IG writes a sub-Task: declined, its reason in words only.
      await create<Task>(h.lwBase, { ...igSubTask(h, 'task-subtask-accepted', parent, sr), status: 'rejected', statusReason: { text: 'No places this term' } });
      await h.reconciler.runOnce();
      await update<Task>(h.lwBase, { ...(await read<Task>(h.lwBase, 'Task', parent.id)), status: 'completed', output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'summary' }] }, valueString: 'Met four times; now walking weekly.' }] });
      const r = await h.reconciler.runOnce();

      expect(r.endpoints[ENDPOINT], JSON.stringify(r.endpoints[ENDPOINT])).to.include({ deadLettered: 0, failed: 0 });
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
      const done = (await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).filter((c) => c.topic?.coding?.[0]?.code === 'referral-completed');
      expect(done).to.have.length(1);
      const text = (done[0]!.payload ?? []).flatMap((p) => (p.contentString ? [p.contentString] : []));
      expect(text).to.include('Referred on to Healthy Steps walking group (Fernbridge Leisure Trust): attended and finished, 4 sessions attended');
      expect(text).to.include('Referred on to Better Health Clinic: declined (No places this term)');
      expect(done[0]!.text?.div).to.contain('Referred on to Healthy Steps walking group');
    });
  });
}
