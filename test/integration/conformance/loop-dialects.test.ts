import { expect } from 'chai';
import type { Communication, Observation, Procedure, Provenance, Resource, ServiceRequest, Subscription, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM, SYSTEM } from '../../../src/referral-model/codes.js';
import type { DialectName } from '../../../src/config/schema.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { runDoctor } from '../../../src/doctor/index.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import type { ReferralSummary } from '../../../src/referrals/referral-view.js';
import { gravity } from '../../fixtures/gravity/index.js';
import { launch, request, type CookieJar } from '../../helpers/gp-launch.js';
import { referralForm } from '../../helpers/referral-form.js';
import { sandboxFhir } from '../../helpers/http.js';
import { startTestSystem, type RawConfig, type TestSystem } from '../../helpers/system.js';

/**
 * The conformance matrix: the whole loop (GP referral → Task → the link worker's system moves it → the GP record)
 * against each sandbox dialect (src/sandbox/dialects), i.e. against servers that behave as the ones SP Link meets in
 * the field. One system per dialect, shared by its cases. For every case: exactly one status change in the GP record
 * per step that changes it, outcome Observations once, a readable message to the GP, Provenance, nothing parked.
 * docs/INTEGRATION.md keeps the compatibility table this suite verifies.
 */

const DEV = { type: 'client-credentials', clientId: 'sandbox-dev', clientSecret: 'sandbox-dev-secret' } as const;
const GRAVITY_CODES = SYSTEM.gravityTemporaryCodes;
const gravityType = (code: string) => ({ coding: [{ system: GRAVITY_CODES, code }] });
const ownType = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });
const scopeOf = (auth: Record<string, unknown>) => String(auth.scope);

interface DialectCase {
  readonly name: string;
  /** What the servers do differently from SP Link's reference behaviour (the compatibility table's rows). */
  readonly behaviours: readonly string[];
  readonly dialects: { readonly ehr: DialectName; readonly lw: DialectName };
  readonly edit?: (c: RawConfig) => void;
  /** The rest-hook Subscription's path to `active` at the link-worker server. */
  readonly subscription: 'on-create' | 'async' | 'by-client';
}

const CASES: readonly DialectCase[] = [
  {
    name: 'sp-link (reference)',
    behaviours: ['integer version ids', 'SMART Backend Services (private_key_jwt) at both servers', 'Subscriptions active on create'],
    dialects: { ehr: 'sp-link', lw: 'sp-link' },
    subscription: 'on-create',
  },
  {
    name: 'medplum (link-worker server)',
    behaviours: [
      'UUID version ids', 'Basic credentials compared without form-decoding', 'ES256 id_token in client-credentials responses',
      'Subscriptions stay requested until the client activates them', 'profiled writes need StructureDefinition read',
    ],
    dialects: { ehr: 'sp-link', lw: 'medplum' },
    edit: (c) => {
      const lw = c.linkWorkerEndpoints[0]!;
      // Such a server validates meta.profile with the caller's own access: the scope must read StructureDefinition.
      lw.auth = { ...DEV, scope: `${scopeOf(lw.auth!)} system/StructureDefinition.rs` };
      // SP Link activates what the server leaves requested; a second is long enough to tell, and keeps the suite quick.
      lw.subscriptions = { enabled: true, activationWaitSeconds: 1 };
    },
    subscription: 'by-client',
  },
  {
    name: 'hapi (link-worker server)',
    behaviours: ['client_secret_post only (chosen from the server metadata)', 'Subscriptions activated by the server after a delay'],
    dialects: { ehr: 'sp-link', lw: 'hapi' },
    edit: (c) => {
      const lw = c.linkWorkerEndpoints[0]!;
      lw.auth = { ...DEV, scope: scopeOf(lw.auth!) };
    },
    subscription: 'async',
  },
  {
    name: 'smart-launcher (GP system)',
    behaviours: ['Basic credentials compared without form-decoding (GP launch and backend)', 'launches without fhirUser (a configured requester)'],
    dialects: { ehr: 'smart-launcher', lw: 'sp-link' },
    edit: (c) => {
      const t = c.tenants[0]!;
      t.ehr = { ...t.ehr, auth: { ...DEV, scope: scopeOf((t.ehr as { auth: Record<string, unknown> }).auth) } };
      t.smart = { ...t.smart, fallbackRequester: 'Practitioner/gp-1' };
    },
    subscription: 'on-create',
  },
];

for (const dc of CASES) {
  describe(`conformance: the loop against the ${dc.name} dialect (${dc.behaviours.join('; ')})`, function () {
    this.timeout(240_000);
    let sys: TestSystem;
    let jar: CookieJar;
    let csrf: string;
    let ehrBase: string;
    let lwBase: string;
    let endpointId: string;
    const PATIENT = 'pat-09';

    /** The link worker's system and the test's view of the GP record: each a FHIR client with its own token. */
    const { fhir, search } = sandboxFhir(() => sys);
    /** The link worker's own system writes at its server (a FHIR client with its own credentials). */
    const put = async (task: Task, over: Partial<Task>): Promise<Task & { id: string }> =>
      fhir<Task & { id: string }>('lw', `Task/${task.id}`, { method: 'PUT', body: JSON.stringify({ ...task, ...over }) });
    const post = async <T extends Resource>(server: 'ehr' | 'lw', r: T): Promise<T & { id: string }> =>
      fhir<T & { id: string }>(server, r.resourceType, { method: 'POST', body: JSON.stringify(r) });

    /** Every status the referral has had in the GP record, oldest first (its version history). */
    async function statusHistory(srId: string): Promise<string[]> {
      const versions = await search<ServiceRequest>('ehr', `ServiceRequest/${srId}/_history`);
      return versions.sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? '')).map((v) => v.status);
    }
    async function deadLetters() {
      return (await listDeadLetters(sys.db, { limit: 1000 })).map((d) => `${d.sourceRef}: ${d.errorCode} ${d.reason}`);
    }
    /** A reconcile pass that must be clean; a second pass must write nothing more. */
    async function reconcile(): Promise<void> {
      const run = await sys.reconciler!.runOnce();
      expect(run.endpoints[endpointId], JSON.stringify(run.endpoints[endpointId])).to.include({ deadLettered: 0, failed: 0 });
    }
    /** The reconciler's Provenance of a change to the referral: its sources are versions of the Task. */
    async function writeBackProvenance(srId: string, taskId: string): Promise<Provenance[]> {
      return (await search<Provenance>('ehr', `Provenance?target=ServiceRequest/${srId}`))
        .filter((p) => p.entity?.some((e) => e.what.reference?.startsWith(`${lwBase}/Task/${taskId}/_history/`)));
    }
    async function messages(srId: string): Promise<Communication[]> {
      return search<Communication>('ehr', `Communication?based-on=ServiceRequest/${srId}`);
    }
    const textOf = (c: Communication | undefined) => (c?.payload ?? []).map((p) => p.contentString ?? '').join('\n');
    const readable = (text: string) => expect(text).to.not.match(/undefined|\[object|NaN/);
    async function gpView(srId: string): Promise<ReferralSummary> {
      const res = await request(jar, `${sys.url}/app/api/referrals?patient=${PATIENT}`);
      expect(res.status).to.equal(200);
      return ((await res.json()) as { referrals: ReferralSummary[] }).referrals.find((r) => r.id === srId)!;
    }

    async function refer(): Promise<{ srId: string; task: Task }> {
      const res = await request(jar, `${sys.url}/app/api/referrals`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(referralForm(PATIENT)),
      });
      expect(res.status, await res.clone().text()).to.equal(201);
      const { referralId, serviceRequestId } = (await res.json()) as { referralId: string; serviceRequestId: string };
      for (let i = 0; i < 20; i++) {
        const [task] = await search<Task>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`);
        if (task) return { srId: serviceRequestId, task };
        await sys.reconciler!.runOnce(); // the outbox sends the Task
      }
      throw new Error(`no Task for ${referralId}`);
    }

    before(async () => {
      sys = await startTestSystem({
        background: false,
        edit: (c) => {
          c.sandbox.dialects = dc.dialects;
          dc.edit?.(c);
        },
      });
      ehrBase = sys.config.tenants[0]!.ehr.fhirBase;
      lwBase = sys.config.linkWorkerEndpoints[0]!.fhirBase;
      endpointId = sys.config.linkWorkerEndpoints[0]!.id;
      ({ jar, csrf } = await launch(sys, { patient: PATIENT, practitioner: 'gp-1' }));
      await reconcile(); // the demo data, so that each case below sees only its own writes
    });
    after(async () => sys?.stop());

    it('the Subscription reaches active (however this server gets there) and SP Link authenticates as configured', async () => {
      const state = await sys.reconciler!.ensureSubscriptions();
      expect(state[endpointId], JSON.stringify(state)).to.be.oneOf(['created', 'updated', 'unchanged', 'active']);
      const end = Date.now() + 10_000;
      let subs = await search<Subscription>('lw', 'Subscription');
      while (subs.some((s) => s.status !== 'active') && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
        subs = await search<Subscription>('lw', 'Subscription');
      }
      expect(subs.map((s) => s.status)).to.deep.equal(['active']);
    });

    it('requested → accepted → in-progress → completed with Gravity outputs: one status change, outcomes once, a message, Provenance', async () => {
      const { srId, task } = await refer();
      let t = task;
      for (const status of ['accepted', 'in-progress'] as const) {
        t = await put(t, { status });
        await reconcile();
        expect(await statusHistory(srId), `after ${status}`).to.deep.equal(['active']);
      }
      const swemwbs = await post<Observation>('lw', {
        resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
        subject: { reference: `${ehrBase}/Patient/${PATIENT}` }, effectiveDateTime: '2026-03-01', valueInteger: 26,
      });
      const { id: _p, ...phqShape } = gravity<Observation>('observation-phq9');
      const phq9 = await post<Observation>('lw', { ...phqShape, subject: { reference: `${ehrBase}/Patient/${PATIENT}` } });
      const { id: _q, ...procShape } = gravity<Procedure>('procedure-food-pantry');
      const proc = await post<Procedure>('lw', procShape);
      const activityCode = gravity<Task>('task-completed-code').output![0]!;
      t = await put(t, {
        status: 'completed',
        output: [
          { type: ownType('outcome-measure'), valueReference: { reference: `Observation/${swemwbs.id}` } },
          { type: gravityType('additional-content'), valueReference: { reference: `Observation/${phq9.id}` } },
          { type: gravityType('resulting-activity'), valueReference: { reference: `Procedure/${proc.id}` } },
          activityCode,
          { type: ownType('summary'), valueString: 'Joined the allotment society and a walking group' },
        ],
      });
      await reconcile();
      await reconcile();

      expect(await deadLetters()).to.deep.equal([]);
      expect(await statusHistory(srId), 'exactly one status change').to.deep.equal(['active', 'completed']);
      const copies = await search<Observation>('ehr', `Observation?based-on=ServiceRequest/${srId}`);
      expect(copies.map((o) => o.code?.coding?.[0]?.code).sort(), 'each outcome once').to.deep.equal(['phq9', 'swemwbs']);
      const all = await messages(srId);
      expect(all.filter((c) => c.topic?.coding?.[0]?.code === 'referral-completed')).to.have.length(1);
      const text = textOf(all.find((c) => c.topic?.coding?.[0]?.code === 'referral-completed'));
      readable(text);
      expect(text).to.contain('Joined the allotment society').and.contain('Assistance with application for food pantry program');
      expect(await writeBackProvenance(srId, task.id!), 'the status change, with Provenance').to.have.length(1);
      expect((await gpView(srId)).status.label).to.equal('Completed');
    });

    it('declined by the link-worker service: revoked with the reason (passing SP Link\'s profile), a message, "Declined" in the GP app', async () => {
      const { srId, task } = await refer();
      await put(task, { status: 'rejected', statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: 'service-at-capacity' }], text: 'Full until April' } });
      await reconcile();
      await reconcile();
      expect(await deadLetters()).to.deep.equal([]);
      expect(await statusHistory(srId)).to.deep.equal(['active', 'revoked']);
      const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${srId}`);
      expect(sr.extension?.find((e) => e.url === EXTENSION.statusReason)?.valueCodeableConcept?.coding?.[0]?.code).to.equal('service-at-capacity');
      expect(() => validateForWrite(sr)).to.not.throw();
      const declined = (await messages(srId)).filter((c) => c.topic?.coding?.[0]?.code === 'referral-declined');
      expect(declined).to.have.length(1);
      readable(textOf(declined[0]));
      expect(textOf(declined[0])).to.contain('Service at capacity');
      const view = await gpView(srId);
      expect(view.status.label).to.equal('Declined');
      expect(view.detail).to.equal('Service at capacity: Full until April');
    });

    it('failed with a reason in the other system\'s codes: "could not complete" (not "cancelled"), its code kept', async () => {
      const { srId, task } = await refer();
      const t = await put(task, { status: 'accepted' });
      const theirs = { system: 'https://case.example.org/closure', code: 'DISENGAGED', display: 'Stopped attending' };
      await put(t, { status: 'failed', statusReason: { coding: [theirs] } });
      await reconcile();
      expect(await deadLetters()).to.deep.equal([]);
      expect(await statusHistory(srId)).to.deep.equal(['active', 'revoked']);
      const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${srId}`);
      expect(sr.extension?.find((e) => e.url === EXTENSION.statusReason)?.valueCodeableConcept?.coding?.map((c) => c.code)).to.deep.equal(['not-completed', 'DISENGAGED']);
      const topics = (await messages(srId)).map((c) => c.topic?.coding?.[0]?.code);
      expect(topics).to.include('referral-not-completed').and.not.include('referral-cancelled');
      expect((await gpView(srId)).status.label).to.equal('Could not complete');
    });

    it('a Gravity-shaped Task (relative for, IG outputs) on a referral another system made: status flows, the GP hears what was done', async () => {
      const { id: _s, ...igShape } = gravity<ServiceRequest>('servicerequest-food-pantry');
      const sr = await post<ServiceRequest>('ehr', { ...igShape, subject: { reference: `Patient/${PATIENT}` } });
      const { id: _t, ...accepted } = gravity<Task>('task-accepted');
      let t = await post<Task>('lw', { ...accepted, focus: { reference: `${ehrBase}/ServiceRequest/${sr.id}` }, for: { reference: `Patient/${PATIENT}` } });
      await reconcile();
      t = await put(t, { status: 'in-progress' });
      await reconcile();
      const { id: _q, ...procShape } = gravity<Procedure>('procedure-food-pantry');
      const proc = await post<Procedure>('lw', procShape);
      await put(t, { status: 'completed', output: [{ type: gravityType('resulting-activity'), valueReference: { reference: `Procedure/${proc.id}` } }] });
      await reconcile();
      await reconcile();
      expect(await deadLetters()).to.deep.equal([]);
      expect(await statusHistory(sr.id)).to.deep.equal(['active', 'completed']);
      const done = (await messages(sr.id)).filter((c) => c.topic?.coding?.[0]?.code === 'referral-completed');
      expect(done).to.have.length(1);
      readable(textOf(done[0]));
      expect(textOf(done[0])).to.contain('Assistance with application for food pantry program');
    });

    it('a Task whose outputs are all unknown completes the referral, and the GP is told what was not carried', async () => {
      const { srId, task } = await refer();
      await put(task, {
        status: 'completed',
        output: [
          { type: { text: 'mystery' }, valueBoolean: true },
          { type: { coding: [{ system: 'https://lw.example/output-type', code: 'attachment' }] }, valueReference: { reference: 'DocumentReference/d1' } },
        ],
      });
      await reconcile();
      expect(await deadLetters()).to.deep.equal([]);
      expect(await statusHistory(srId)).to.deep.equal(['active', 'completed']);
      const done = (await messages(srId)).filter((c) => c.topic?.coding?.[0]?.code === 'referral-completed');
      expect(done).to.have.length(1);
      readable(textOf(done[0]));
      expect(textOf(done[0]).match(/Not copied into this record/g)).to.have.length(2);
      const provenance = await writeBackProvenance(srId, task.id!);
      expect(provenance).to.have.length(1);
      expect(provenance[0]!.entity?.filter((e) => e.what.display?.startsWith('Not carried'))).to.have.length(2);
    });

    it('sp-link doctor reports no FAIL against this dialect', async () => {
      const report = await runDoctor(sys.config, { timeoutMs: 10_000 });
      const failed = report.checks.filter((c) => c.status === 'FAIL').map((c) => `${c.endpoint} ${c.check}: ${c.detail ?? ''}`);
      expect(failed).to.deep.equal([]);
      expect(report.ok).to.equal(true);
    });
  });
}
