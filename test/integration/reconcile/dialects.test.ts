import { expect } from 'chai';
import type { Observation, ServiceRequest, Subscription, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { reconcileMetrics } from '../../../src/reconcile/metrics.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { STORE_BACKENDS } from '../../helpers/postgres.js';
import { ADMIN_TOKEN, all, create, ENDPOINT, fhir, plainReferral, read, startHarnessOn, taskFor, update, type Harness } from './harness.js';

const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function metric(c: { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> }, labels: Record<string, string>): Promise<number> {
  const { values } = await c.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
}

async function admin(h: Harness, method: string, path: string): Promise<Response> {
  return fetch(`${h.base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

interface StatusEndpoint {
  endpointId: string;
  lastError?: string;
  consecutiveFailures: number;
  alert: boolean;
  notifications: { mode: string; activatedByClient?: boolean; serverStatus?: string };
}

for (const backend of STORE_BACKENDS) {
  describe(`reconcile against a link-worker server with opaque (UUID) version ids, next to a broken endpoint, on ${backend.name}`, function () {
    this.timeout(300_000);
    let h: Harness;
    before(async function () {
      h = await startHarnessOn(this, backend, {
        lwDialect: 'medplum',
        subscriptions: true,
        second: { unreachable: true },
        reconcile: { alertAfterFailedRuns: 2 },
        endpoint: { subscriptions: { enabled: true, activationWaitSeconds: 0, notificationTimeoutSeconds: 10 } },
        ctx: { tuning: { retry: { baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 1000, maxAttempts: 1 } } },
      });
    });
    after(async () => h?.close());

    it('the server hands out UUID version ids and honours them in If-Match (412 when stale)', async () => {
      const sr = await plainReferral(h);
      const t = await create<Task>(h.lwBase, taskFor(h, sr));
      expect(t.meta?.versionId).to.match(UUID);
      const t2 = await update<Task>(h.lwBase, { ...t, status: 'accepted' });
      expect(t2.meta?.versionId).to.match(UUID).and.not.equal(t.meta?.versionId);
      const stale = await fhir(`${h.lwBase}/Task/${t.id}`, 'PUT', { ...t2, status: 'in-progress' }, { 'if-match': `W/"${t.meta!.versionId}"` });
      expect(stale.status).to.equal(412);
      const vread = await fhir<Task>(`${h.lwBase}/Task/${t.id}/_history/${t.meta!.versionId}`);
      expect(vread.body.meta?.versionId).to.equal(t.meta?.versionId);
    });

    it('reconciles a whole lifecycle: one status change per step, outcomes once, the admin run answers for every endpoint', async () => {
      // Before: Number(versionId) was NaN, every poll of this endpoint threw, the admin run answered 500 and no counter moved.
      const failuresBefore = await metric(reconcileMetrics.failures, { endpoint: 'lw2' });
      const sr = await plainReferral(h, 'p2');
      let task = await create<Task>(h.lwBase, taskFor(h, sr, 1));
      const run = async () => {
        const res = await admin(h, 'POST', '/admin/api/reconcile/run');
        expect(res.status).to.equal(200);
        const body = (await res.json()) as { endpoints: Record<string, { status: string; deadLettered: number; failed: number; error?: string }> };
        expect(body.endpoints[ENDPOINT], JSON.stringify(body.endpoints[ENDPOINT])).to.include({ status: 'caught-up', deadLettered: 0, failed: 0 });
        expect(body.endpoints.lw2!.status, 'the unreachable endpoint fails on its own').to.equal('stopped-on-failure');
        return body;
      };
      await run();
      for (const status of ['accepted', 'on-hold', 'in-progress'] as const) {
        task = await update<Task>(h.lwBase, { ...task, status });
        await run();
        expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal(status === 'on-hold' ? 'on-hold' : 'active');
      }
      const obs = await create<Observation>(h.lwBase, {
        resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] }, effectiveDateTime: '2026-03-01', valueInteger: 25,
      });
      expect(obs.meta?.versionId).to.match(UUID);
      task = await update<Task>(h.lwBase, {
        ...task, status: 'completed',
        output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${obs.id}` } }, { type: out('summary'), valueString: 'Joined a choir' }],
      });
      await run();
      await run(); // nothing new: de-duplicated by the opaque version id
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
      expect(await all(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`)).to.have.length(1);
      expect(await all(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).to.have.length(1);
      const statusChanges = (await all(h.ehrBase, 'Provenance', `target=ServiceRequest/${sr.id}`)).length;
      expect(statusChanges, 'active→on-hold, on-hold→active, active→completed').to.equal(3);
      expect((await listDeadLetters(h.db)).filter((d) => d.endpointId === ENDPOINT)).to.have.length(0);
      expect(await metric(reconcileMetrics.failures, { endpoint: 'lw2' }), 'every failed run counted').to.be.greaterThan(failuresBefore);
    });

    it('shows the failing endpoint in the status with its cause, and raises its alert after N failed runs', async () => {
      await h.reconciler.runOnce();
      await h.reconciler.runOnce();
      const res = await admin(h, 'GET', '/admin/api/reconcile/status');
      const { endpoints } = (await res.json()) as { endpoints: StatusEndpoint[] };
      const broken = endpoints.find((e) => e.endpointId === 'lw2')!;
      expect(broken.lastError).to.match(/ECONNREFUSED|failed/);
      expect(broken.consecutiveFailures).to.be.greaterThanOrEqual(2);
      expect(broken.alert).to.equal(true);
      expect(await metric(reconcileMetrics.endpointAlert, { endpoint: 'lw2' })).to.equal(1);
      expect(endpoints.find((e) => e.endpointId === ENDPOINT)!.alert).to.equal(false);
    });

    it('activates a Subscription the server leaves requested, then reconciles from its notifications', async () => {
      // Before: a `requested` Subscription counted as healthy, and a server that notifies only active ones never did.
      expect(await h.reconciler.ensureSubscriptions()).to.deep.include({ [ENDPOINT]: 'created' });
      expect((await all<Subscription>(h.lwBase, 'Subscription')).map((s) => s.status)).to.deep.equal(['active']);
      const { endpoints } = (await (await admin(h, 'GET', '/admin/api/reconcile/status')).json()) as { endpoints: StatusEndpoint[] };
      expect(endpoints.find((e) => e.endpointId === ENDPOINT)!.notifications).to.include({ mode: 'active', activatedByClient: true });

      const sr = await plainReferral(h, 'p3');
      await create<Task>(h.lwBase, taskFor(h, sr, 2, { status: 'rejected', statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: 'patient-declined' }] } }));
      await h.lw.idle();
      await h.reconciler.idle();
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status, 'applied from the notification').to.not.equal('active');
    });

    it('falls back to polling, with a metric, when notifications stop arriving; re-requests the Subscription', async () => {
      const fallbacks = await metric(reconcileMetrics.subscriptionFallbacks, { endpoint: ENDPOINT });
      h.dropNotifications = 1_000;
      const sr = await plainReferral(h, 'p1');
      // A change that happened well before the notification timeout and that no notification announced.
      await create<Task>(h.lwBase, taskFor(h, sr, 0, { status: 'accepted' }));
      await h.lw.idle();
      const past = new Date(Date.now() + 11_000);
      const realNow = Date.now;
      Date.now = () => past.getTime();
      try {
        await h.reconciler.runOnce();
      } finally {
        Date.now = realNow;
      }
      expect(await metric(reconcileMetrics.subscriptionFallbacks, { endpoint: ENDPOINT })).to.equal(fallbacks + 1);
      const { endpoints } = (await (await admin(h, 'GET', '/admin/api/reconcile/status')).json()) as { endpoints: StatusEndpoint[] };
      expect(endpoints.find((e) => e.endpointId === ENDPOINT)!.notifications.mode).to.equal('polling-fallback');
      expect(await h.reconciler.ensureSubscriptions()).to.deep.include({ [ENDPOINT]: 'updated' });
      h.dropNotifications = 0;
    });

    it('a Task version SP Link cannot process is parked with its cause; the others in its batch are applied', async () => {
      h.dropNotifications = 1_000; // this batch alone applies these versions
      const good = await plainReferral(h, 'p2');
      const broken = await plainReferral(h, 'p3');
      const goodTask = await create<Task>(h.lwBase, taskFor(h, good, 1, { status: 'on-hold' }));
      const brokenTask = await create<Task>(h.lwBase, taskFor(h, broken, 2, { status: 'on-hold' }));
      // A shape no server should send (output is not a list), as read from some system's history.
      const malformed = { ...brokenTask, output: { type: out('summary'), valueString: 'x' } } as unknown as Task;
      const r = await h.reconciler.applyTaskVersions(ENDPOINT, [malformed, goodTask]);
      expect(r).to.include({ applied: 1, deadLettered: 1 });
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', good.id)).status).to.equal('on-hold');
      const parked = (await listDeadLetters(h.db)).find((d) => d.sourceRef === `Task/${brokenTask.id}/_history/${brokenTask.meta!.versionId}`);
      expect(parked?.errorCode).to.match(/^(ERR_INTERNAL|ERR_RECONCILE_BAD_INPUT:.+)$/);
      expect(parked?.reason).to.contain(`Task/${brokenTask.id}`);
      h.dropNotifications = 0;
    });
  });
}
