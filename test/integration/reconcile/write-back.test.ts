import { expect } from 'chai';
import type { Communication, Flag, Observation, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION } from '../../../src/referral-model/codes.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { referralKey } from '../../../src/reports/referral-fact.js';
import { ISO_DATE, RAW_ID } from '../../helpers/readable-text.js';
import { STORE_BACKENDS } from '../../helpers/postgres.js';
import { all, create, ehrCounts, ENDPOINT, fhir, plainReferral, read, startHarnessOn, taskFor, update, type Harness } from './harness.js';

const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

function swemwbs(score: number): Observation {
  return {
    resourceType: 'Observation', status: 'final',
    code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
    effectiveDateTime: '2026-03-01', valueInteger: score,
  };
}

for (const backend of STORE_BACKENDS) {
  describe(`reconcile write-back (sandbox EHR + link-worker servers over HTTP) on ${backend.name}`, function () {
    this.timeout(300_000);
    let h: Harness;
    before(async function () {
      h = await startHarnessOn(this, backend);
    });
    after(async () => h?.close());

    it('reconciles a referral made by a plain FHIR client through its whole lifecycle', async () => {
      const sr = await plainReferral(h);
      const task = await create<Task>(h.lwBase, taskFor(h, sr));
      let r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT]).to.include({ status: 'caught-up', deadLettered: 0 });
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('active');

      await update<Task>(h.lwBase, { ...task, status: 'on-hold' });
      await h.reconciler.runOnce();
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('on-hold');

      const obs = await create<Observation>(h.lwBase, swemwbs(24));
      const current = await read<Task>(h.lwBase, 'Task', task.id);
      const completed = await update<Task>(h.lwBase, {
        ...current, status: 'completed',
        output: [
          { type: out('outcome-measure'), valueReference: { reference: `Observation/${obs.id}` } },
          { type: out('summary'), valueString: 'Joined a walking group' },
          { type: out('sessions-held'), valueInteger: 3 },
        ],
      });
      r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT]).to.include({ deadLettered: 0, failed: 0 });
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
      const copies = await all<Observation>(h.ehrBase, 'Observation', `based-on=ServiceRequest/${sr.id}`);
      expect(copies).to.have.length(1);
      expect(copies[0]).to.deep.include({ valueInteger: 24, subject: { reference: 'Patient/p1' } });
      expect(copies[0]!.derivedFrom?.[0]?.reference).to.equal(`${h.lwBase}/Observation/${obs.id}`);
      const comms = await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`);
      expect(comms.map((c) => c.topic?.coding?.[0]?.code)).to.deep.equal(['referral-completed']);
      expect(comms[0]!.recipient?.[0]?.reference).to.equal('Practitioner/gp1');
      const provs = await all<Provenance>(h.ehrBase, 'Provenance', `target=ServiceRequest/${sr.id}`);
      expect(provs.length).to.be.greaterThan(0);
      const last = provs.find((p) => p.entity?.some((e) => e.what?.reference?.endsWith(`/Task/${task.id}/_history/${completed.meta?.versionId}`)));
      expect(last, 'Provenance for the completing Task version').to.not.equal(undefined);
      expect(last!.target?.map((t) => t.reference?.split('/')[0])).to.include.members(['ServiceRequest', 'Observation', 'Communication']);
      // The reports' store has the referral as it now stands, captured as the loop ran (no identifiers).
      const facts = await h.db.query<{ reach: string; sessions: number; accepted_at: unknown; closed_at: unknown; referral_key: string }>(
        `SELECT reach, sessions, accepted_at, closed_at, referral_key FROM report_referrals WHERE origin = 'live' AND referral_key = $1`, [referralKey(ENDPOINT, task.id)]);
      expect(facts.rows).to.have.length(1);
      expect(facts.rows[0]).to.deep.include({ reach: 'completed', sessions: 3 });
      expect(facts.rows[0]!.accepted_at).to.not.equal(null);
      expect(facts.rows[0]!.closed_at).to.not.equal(null);
      const measures = await h.db.query<{ measure: string; before_score: string }>('SELECT measure, before_score::text FROM report_outcomes WHERE referral_key = $1', [facts.rows[0]!.referral_key]);
      expect(measures.rows).to.deep.equal([{ measure: 'swemwbs', before_score: '24' }]);
    });

    const CASES: { status: Task['status']; expectSr: ServiceRequest['status']; reason?: string; topics: string[] }[] = [
      { status: 'received', expectSr: 'active', topics: [] },
      { status: 'accepted', expectSr: 'active', topics: [] },
      { status: 'ready', expectSr: 'active', topics: [] },
      { status: 'in-progress', expectSr: 'active', topics: [] },
      { status: 'rejected', expectSr: 'revoked', reason: 'patient-declined', topics: ['referral-declined'] },
      { status: 'cancelled', expectSr: 'revoked', reason: 'service-at-capacity', topics: ['referral-cancelled'] },
      { status: 'failed', expectSr: 'revoked', reason: 'could-not-contact', topics: ['could-not-contact'] },
      { status: 'completed', expectSr: 'completed', topics: ['referral-completed'] },
      { status: 'entered-in-error', expectSr: 'entered-in-error', topics: [] },
    ];
    for (const c of CASES) {
      it(`Task ${c.status}${c.reason ? ` (${c.reason})` : ''} → ServiceRequest ${c.expectSr}${c.topics.length ? ` + ${c.topics.join(', ')}` : ''}`, async () => {
        const sr = await plainReferral(h, 'p2');
        await create<Task>(h.lwBase, taskFor(h, sr, 1, {
          status: c.status,
          ...(c.reason ? { statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: c.reason }] } } : {}),
        }));
        const r = await h.reconciler.runOnce();
        expect(r.endpoints[ENDPOINT]).to.include({ deadLettered: 0, failed: 0 });
        expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal(c.expectSr);
        const comms = await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`);
        expect(comms.map((x) => x.topic?.coding?.[0]?.code)).to.deep.equal(c.topics);
      });
    }

    it('safeguarding concern → urgent Communication + Flag on the patient', async () => {
      const sr = await plainReferral(h, 'p3');
      await create<Task>(h.lwBase, taskFor(h, sr, 2, {
        status: 'in-progress',
        extension: [{ url: EXTENSION.safeguardingConcern, extension: [{ url: 'flag', valueBoolean: true }, { url: 'detail', valueString: 'Raised at home visit' }] }],
      }));
      await h.reconciler.runOnce();
      const comms = await all<Communication>(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`);
      expect(comms.map((c) => [c.topic?.coding?.[0]?.code, c.priority])).to.deep.equal([['safeguarding-concern', 'urgent']]);
      const flags = await all<Flag>(h.ehrBase, 'Flag', 'subject=Patient/p3');
      expect(flags).to.have.length(1);
    });

    it('a referral revoked by the GP cancels its Task at the link-worker endpoint', async () => {
      const sr = await plainReferral(h);
      const task = await create<Task>(h.lwBase, taskFor(h, sr, 0, { status: 'in-progress' }));
      await h.reconciler.runOnce();
      await update<ServiceRequest>(h.ehrBase, { ...(await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)), status: 'revoked' });
      await update<Task>(h.lwBase, { ...(await read<Task>(h.lwBase, 'Task', task.id)), businessStatus: { text: 'contact attempted' } });
      await h.reconciler.runOnce();
      const after = await read<Task>(h.lwBase, 'Task', task.id);
      expect(after.status).to.equal('cancelled');
      expect(after.statusReason?.coding?.[0]?.code).to.equal('gp-cancelled');
      await h.reconciler.runOnce();
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('revoked');
      expect(await all(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).to.have.length(0);
    });

    it('a referral revoked by the GP cancels its Task even when the link worker never touches it again', async () => {
      const sr = await plainReferral(h);
      const task = await create<Task>(h.lwBase, taskFor(h, sr, 0, { status: 'accepted' }));
      await h.reconciler.runOnce();
      await update<ServiceRequest>(h.ehrBase, { ...(await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)), status: 'entered-in-error' });
      await h.reconciler.runOnce();
      expect((await read<Task>(h.lwBase, 'Task', task.id)).status).to.equal('cancelled');
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('entered-in-error');
    });

    it('replaying every Task version again creates nothing new', async () => {
      const before = await ehrCounts(h);
      await h.reconciler.backfill('2000-01-01T00:00:00Z');
      const tasks = await all<Task>(h.lwBase, 'Task');
      for (const t of tasks) {
        for (let v = 1; v <= Number(t.meta?.versionId); v++) {
          const old = (await fhir<Task>(`${h.lwBase}/Task/${t.id}/_history/${v}`)).body;
          await h.reconciler.applyTaskVersions(ENDPOINT, [old]);
        }
      }
      expect(await ehrCounts(h)).to.deep.equal(before);
      expect(await listDeadLetters(h.db)).to.have.length(0);
    });

    it('versions delivered out of order end in the right state', async () => {
      const sr = await plainReferral(h, 'p2');
      const t1 = await create<Task>(h.lwBase, taskFor(h, sr, 1));
      const t2 = await update<Task>(h.lwBase, { ...t1, status: 'on-hold' });
      const t3 = await update<Task>(h.lwBase, { ...t2, status: 'in-progress' });
      const t4 = await update<Task>(h.lwBase, { ...t3, status: 'completed', output: [{ type: out('summary'), valueString: 'Done' }] });
      await h.reconciler.applyTaskVersions(ENDPOINT, [t4, t2, t3, t1]);
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr.id)).status).to.equal('completed');
      const sr2 = await plainReferral(h, 'p2');
      const u1 = await create<Task>(h.lwBase, taskFor(h, sr2, 1));
      const u2 = await update<Task>(h.lwBase, { ...u1, status: 'on-hold' });
      const u3 = await update<Task>(h.lwBase, { ...u2, status: 'in-progress' });
      await h.reconciler.applyTaskVersions(ENDPOINT, [u3, u1, u2]);
      expect((await read<ServiceRequest>(h.ehrBase, 'ServiceRequest', sr2.id)).status).to.equal('active');
      expect(await all(h.ehrBase, 'Communication', `based-on=ServiceRequest/${sr.id}`)).to.have.length(1);
    });
  });
}

for (const backend of STORE_BACKENDS) {
  describe(`reconcile over the sandbox demo data (SP Link referrals, Tasks and outcome Observations) on ${backend.name}`, function () {
    this.timeout(300_000);
    let h: Harness;
    before(async function () {
      h = await startHarnessOn(this, backend, { demo: true });
    });
    after(async () => h?.close());

    it('reconciles every demo Task without a dead letter, and a second pass writes nothing new', async () => {
      const r = await h.reconciler.runOnce();
      const dead = await listDeadLetters(h.db);
      expect(dead.map((d) => `${d.errorCode}: ${d.reason}`)).to.deep.equal([]);
      expect(r.endpoints[ENDPOINT]).to.include({ status: 'caught-up', deadLettered: 0, failed: 0 });
      expect(r.endpoints[ENDPOINT]!.applied).to.be.greaterThan(0);
      const after1 = await ehrCounts(h);
      expect(after1.Provenance).to.be.greaterThan(0);
      await h.reconciler.backfill('2000-01-01T00:00:00Z');
      expect(await ehrCounts(h)).to.deep.equal(after1);
    });

    it('every message to the GP reads as a GP reads it: headed sections, names and plain dates, no ids', async () => {
      await h.reconciler.runOnce();
      const comms = await all<Communication>(h.ehrBase, 'Communication');
      expect(comms).to.not.be.empty;
      for (const c of comms) {
        const lines = (c.payload ?? []).flatMap((p) => (p.contentString ? [p.contentString] : []));
        const narrative = (c.text?.div ?? '').replace(/<[^>]+>/g, '\n');
        for (const text of [lines.join('\n'), narrative]) {
          expect(text, `Communication/${c.id}`).not.to.match(RAW_ID);
          expect(text, `Communication/${c.id}`).not.to.match(ISO_DATE);
        }
        expect(c.text?.status).to.equal('generated');
        expect(c.text?.div).to.match(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"><h2>/);
      }
      const completed = comms.filter((c) => c.topic?.coding?.[0]?.code === 'referral-completed');
      expect(completed).to.not.be.empty;
      for (const c of completed) {
        expect(c.text!.div).to.contain('<h3>Referral details</h3>').and.contain('<h3>Support offered and activities connected to</h3>')
          .and.contain('<h3>Outcome measures (before and after)</h3>').and.contain('<h3>What happens next</h3>');
      }
      // The demo's carer was connected to a directory service by reference only: the GP reads its name.
      const carer = completed.map((c) => c.text!.div).find((d) => d.includes('Carers support and breaks'));
      expect(carer, 'a message naming the service the carer was connected to').to.contain('<li>Connected to: Carers support and breaks</li>');
      expect(carer).to.match(/<li>Short Warwick-Edinburgh Mental Wellbeing Scale \(SWEMWBS\): 17 → 24 \(up 7, better; scale 7–35, higher is better\), \d{1,2} \w+ \d{4} to \d{1,2} \w+ \d{4}<\/li>/);
    });
  });
}
