import { expect } from 'chai';
import type { Communication, ServiceRequest, Task } from '@medplum/fhirtypes';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { gravity } from '../../fixtures/gravity/index.js';
import { all, create, ENDPOINT, plainReferral, read, startHarness, taskFor, update, type Harness } from './harness.js';

/** The IG's sub-Task, re-pointed at the test servers: partOf the referral Task, focus its referral (absolute). */
function igSubTask(h: Harness, fixture: string, parent: { id: string }, sr: { id: string }): Task {
  const { id: _, ...task } = gravity<Task>(fixture);
  return { ...task, partOf: [{ reference: `Task/${parent.id}` }], focus: { reference: `${h.ehrBase}/ServiceRequest/${sr.id}` } };
}

describe('reconcile: onward referrals (Gravity sub-Tasks) at a link-worker endpoint', function () {
  this.timeout(300_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
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
});
