import { expect } from 'chai';
import type { Observation, ServiceRequest, Subscription, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { STORE_BACKENDS } from '../../helpers/postgres.js';
import { all, create, ENDPOINT, plainReferral, read, startHarnessOn, taskFor, type Harness } from './harness.js';

const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

/** A completed referral with one outcome measure and a summary: 1 Observation, 1 Communication, 1 Provenance in the EHR. */
async function completedReferral(h: Harness, score: number): Promise<ServiceRequest & { id: string }> {
  const sr = await plainReferral(h);
  const o = await create<Observation>(h.lwBase, {
    resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
    effectiveDateTime: '2026-03-01', valueInteger: score,
  });
  await create<Task>(h.lwBase, taskFor(h, sr, 0, {
    status: 'completed',
    output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${o.id}` } }, { type: out('summary'), valueString: 'Done' }],
  }));
  return sr;
}

/** Every referral completed exactly once: one Observation, one Communication, one status change Provenance each. */
async function expectExactlyOnce(h: Harness, srs: readonly { id: string }[]): Promise<void> {
  for (const sr of srs) {
    expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status, `ServiceRequest/${sr.id}`).to.equal('completed');
    expect(await all(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`), `Observations for ${sr.id}`).to.have.length(1);
    expect(await all(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`), `Communications for ${sr.id}`).to.have.length(1);
    expect(await all(h.ehrBase, 'Provenance', `target=ServiceRequest/${sr.id}`), `Provenance for ${sr.id}`).to.have.length(1);
  }
}

for (const backend of STORE_BACKENDS) {
  describe(`reconcile under faults: 0 lost, 0 duplicates (counted) on ${backend.name}`, function () {
    this.timeout(300_000);
    let h: Harness;
    before(async function () {
      h = await startHarnessOn(this, backend, { subscriptions: true, ctx: { tuning: { retry: { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2500, maxAttempts: 3 } } } });
    });
    after(async () => h?.close());

    it('EHR 500s and 429s: retried by the client and by later runs', async () => {
      const srs = [await completedReferral(h, 20), await completedReferral(h, 21)];
      h.inject({ server: 'ehr', method: 'POST', times: 5, status: 500 });
      h.inject({ server: 'ehr', method: 'GET', times: 1, status: 429, retryAfter: '0' });
      let r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT]!.status).to.equal('stopped-on-failure');
      r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT], JSON.stringify(r)).to.include({ status: 'caught-up', deadLettered: 0 });
      await expectExactlyOnce(h, srs);
    });

    it('link-worker endpoint 503 and timeouts: the feed backs off and catches up', async () => {
      const srs = [await completedReferral(h, 22)];
      h.inject({ server: 'lw', method: 'GET', path: /^\/Task\?/, times: 3, status: 503 });
      let r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT]!.status).to.equal('stopped-on-failure');
      h.inject({ server: 'lw', method: 'GET', path: /^\/Task\?/, times: 1, delayMs: 4000 });
      r = await h.reconciler.runOnce();
      r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT]).to.include({ status: 'caught-up' });
      await expectExactlyOnce(h, srs);
    });

    it('EHR write committed but its response lost (timeout/connection drop): re-sent, still once', async () => {
      const srs = [await completedReferral(h, 23), await completedReferral(h, 24)];
      h.inject({ server: 'ehr', method: 'POST', times: 1, dropResponse: true });
      await h.reconciler.runOnce();
      await h.reconciler.runOnce();
      await expectExactlyOnce(h, srs);
    });

    it('crash between the EHR write and the cursor save: a fresh reconciler on the same store finishes, once', async () => {
      const srs = [await completedReferral(h, 25), await completedReferral(h, 26)];
      let crash = true;
      const doomed = await h.startReconciler({
        afterEhrWrite: () => {
          if (crash) {
            crash = false;
            throw new Error('simulated crash after the EHR write');
          }
        },
      });
      // The failure is contained (never thrown out of the run) and recorded; nothing after the EHR write was saved.
      const crashed = await doomed.runOnce();
      expect(crashed.endpoints[ENDPOINT]).to.include({ status: 'stopped-on-failure' });
      expect(crashed.endpoints[ENDPOINT]!.error).to.contain('simulated crash');
      await doomed.stop();
      const fresh = await h.startReconciler();
      const r = await fresh.runOnce();
      expect(r.endpoints[ENDPOINT]).to.include({ status: 'caught-up', deadLettered: 0 });
      await expectExactlyOnce(h, srs);
    });

    it('rest-hook notifications reconcile at once; a lost one is caught by polling', async () => {
      expect(await h.reconciler.ensureSubscriptions()).to.deep.equal({ [ENDPOINT]: 'created' });
      const subs = await all<Subscription>(h.lwBase, 'Subscription');
      expect(subs.map((s) => s.status)).to.deep.equal(['active']);
      await h.reconciler.runOnce();

      const first = await completedReferral(h, 27);
      await h.lw.idle();
      await h.reconciler.idle();
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', first.id)).status, 'applied from the notification, no poll').to.equal('completed');

      h.dropNotifications = 1;
      const lost = await completedReferral(h, 28);
      await h.lw.idle();
      await h.reconciler.idle();
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', lost.id)).status).to.equal('active');
      await h.reconciler.runOnce();
      await expectExactlyOnce(h, [first, lost]);
      expect(await listDeadLetters(h.db)).to.have.length(0);
    });

    it('a Subscription the server switched to error is repaired', async () => {
      const [sub] = await all<Subscription>(h.lwBase, 'Subscription');
      const res = await fetch(`${h.lwBase}/Subscription/${sub!.id}`, {
        method: 'PUT', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ ...sub, status: 'error', error: 'deliveries failed' }),
      });
      expect(res.status).to.equal(200);
      expect(await h.reconciler.ensureSubscriptions()).to.deep.equal({ [ENDPOINT]: 'updated' });
      expect((await all<Subscription>(h.lwBase, 'Subscription')).map((s) => s.status)).to.deep.equal(['active']);
    });

    it('rejects notifications without the shared secret', async () => {
      // A notification the test above meant to lose may never have been sent (its one attempt timed out under load).
      h.dropNotifications = 0;
      const res = await fetch(`${h.base}/reconcile/webhook/${ENDPOINT}`, { method: 'POST', headers: { 'x-sp-link-webhook-secret': 'wrong' } });
      expect(res.status).to.equal(401);
    });
  });
}
