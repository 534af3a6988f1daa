import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { expect } from 'chai';
import type { Communication, Provenance, ServiceRequest } from '@medplum/fhirtypes';
import { runDoctor } from '../../../src/doctor/run.js';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { hasNoGpRecord } from '../../../src/referral-model/referral-source.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { patientId, patientNhsNumber } from '../../../src/sandbox/demo/patients.js';
import { sandboxFhir } from '../../helpers/http.js';
import { intakeForm } from '../../helpers/intake-forms.js';
import { startTestSystem, type RawConfig, type TestSystem } from '../../helpers/system.js';
import { Browser, formFields } from '../workspace/harness.js';

/**
 * A practice's EHR refuses the GP-record write of a self-referral (its client may not create ServiceRequest): the
 * write is dead-lettered at once with its cause, naming the tenant and the referral but not the patient; the Task
 * still reaches the link worker, who works the referral. After a restart with the scope granted, replaying the dead
 * letter writes the referral and its message into the GP record once, and points the Task there.
 */

/** Demo patient 19, Samuel Reid, refers himself and agrees that his GP is told. */
const SAM = {
  'about-you': { givenName: 'Samuel', familyName: 'Reid', dobDay: '31', dobMonth: '12', dobYear: '1952', postcode: 'FB1 2PN', nhsNumber: '' },
  contact: { phone: '01632 960 919', email: '', safeTimes: '', leaveMessage: 'yes' },
  help: { needs: ['loneliness'], otherNeed: '', whatMatters: 'Company at weekends' },
  sharing: { consentService: 'yes', consentGp: 'yes' },
  support: { access: [], language: '', accessDetail: '' },
};

/** The practice's EHR client without create on ServiceRequest (as a GP system's administrator might register it). */
const withoutCreate = (raw: RawConfig) => {
  const auth = raw.tenants[0]!.ehr!.auth as Record<string, string>;
  auth.scope = auth.scope!.replace('system/ServiceRequest.crus', 'system/ServiceRequest.rus');
};

describe('intake: the GP record refuses a self-referral’s write (403)', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let dataDir: string;
  let reference: string;
  const form = intakeForm(() => sys, '/refer');
  const { search, deliveredTask } = sandboxFhir(() => sys);
  const key = () => encodeURIComponent(`${IDENTIFIER_SYSTEM.referral}|${reference}`);

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-refused-'));
    sys = await startTestSystem({ dataDir, background: false, edit: withoutCreate });
  });
  after(async () => {
    await sys?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the doctor fails the practice before go-live, saying which scopes to add', async () => {
    const report = await runDoctor(sys.config, { readOnly: true });
    const c = report.checks.find((x) => x.endpoint === 'ehr:demo-practice' && x.check === 'intake: GP-record writes allowed by scope');
    expect(c?.status, JSON.stringify(c)).to.equal('FAIL');
    expect(c!.fix).to.contain('system/ServiceRequest.c');
  });

  it('dead-letters the write at once with its cause, naming the tenant and the referral, not the patient', async () => {
    reference = await form.refer(SAM);
    const { rows } = await sys.db.query<{ match_outcome: string; patient_id: string }>('SELECT match_outcome, patient_id FROM community_referrals WHERE referral_id = $1', [reference]);
    expect(rows[0]).to.include({ match_outcome: 'matched', patient_id: patientId(19) });

    const pass = await sys.reconciler!.runOutbox();
    expect(pass).to.include({ delivered: 1, deadLettered: 1, retried: 0 });
    const [dead, ...more] = await listDeadLetters(sys.db, { status: 'open' });
    expect(more).to.have.length(0);
    expect(dead!).to.include({ kind: 'outbox', tenantId: 'demo-practice', errorCode: 'ERR_RECONCILE_BAD_INPUT' });
    expect(dead!.reason).to.contain(`GP-record write for referral ${reference}`).and.contain('tenant demo-practice').and.match(/403/);
    for (const personal of ['Reid', 'Samuel', patientNhsNumber(19), patientId(19), '1952']) expect(dead!.reason, personal).to.not.contain(personal);
    expect(await search('ehr', `ServiceRequest?identifier=${key()}`)).to.have.length(0);
  });

  it('the link worker still has the referral and works it', async () => {
    const task = await deliveredTask(reference);
    expect(hasNoGpRecord(task), 'the Task still points at its own copy').to.equal(true);
    const sarah = new Browser(sys.url);
    await sarah.signIn('sarah.whitfield');
    const casePath = `/workspace/cases/${task.id}`;
    const page = await sarah.get(casePath);
    expect(page.text).to.contain('Matched to a registered patient');
    const accepted = await sarah.post(`${casePath}/accept`, formFields(page.text, `${casePath}/accept`));
    expect(accepted.text).to.contain('Referral accepted.');
  });

  it('after a restart with the scope, a replay writes it into the GP record exactly once and points the Task there', async () => {
    const port = Number(new URL(sys.url).port);
    await sys.stop();
    sys = await startTestSystem({ dataDir, port, background: false });
    const [dead] = await listDeadLetters(sys.db, { status: 'open' });
    const replayed = await sys.reconciler!.replay(dead!.id);
    expect(replayed, JSON.stringify(replayed)).to.include({ resolved: true });

    const task = await deliveredTask(reference, { until: (t) => !hasNoGpRecord(t) });
    expect(task.status, 'the link worker’s work is kept').to.equal('accepted');
    const written = async () => {
      const srs = await search<ServiceRequest>('ehr', `ServiceRequest?identifier=${key()}`);
      const comms = srs[0] ? (await search<Communication>('ehr', `Communication?based-on=ServiceRequest/${srs[0].id}`)).filter((c) => c.topic?.coding?.some((x) => x.code === 'referral-received')) : [];
      const provs = srs[0] ? (await search<Provenance>('ehr', `Provenance?target=ServiceRequest/${srs[0].id}`)).filter((p) => p.activity?.text === 'Self-referral recorded for the GP') : [];
      return { srs, comms, provs };
    };
    const first = await written();
    expect(first.srs).to.have.length(1);
    expect(first.srs[0]!.requester?.reference).to.equal(`Patient/${patientId(19)}`);
    expect(task.focus?.reference).to.equal(`${sys.config.tenants[0]!.ehr.fhirBase}/ServiceRequest/${first.srs[0]!.id}`);
    expect(first.comms).to.have.length(1);
    expect(first.comms[0]!.about?.[0]?.reference).to.equal(`ServiceRequest/${first.srs[0]!.id}`);
    expect(first.provs).to.have.length(1);
    expect(await listDeadLetters(sys.db, { status: 'open' })).to.have.length(0);

    // Replayed again, and another outbox pass: nothing more in the GP record.
    expect(await sys.reconciler!.replay(dead!.id)).to.equal(undefined);
    await sys.reconciler!.runOutbox();
    const again = await written();
    expect([again.srs.length, again.comms.length, again.provs.length]).to.deep.equal([1, 1, 1]);
  });
});
