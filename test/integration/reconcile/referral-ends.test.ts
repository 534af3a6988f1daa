import { expect } from 'chai';
import type { Communication, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM, PROFILE } from '../../../src/referral-model/codes.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { messageBackText, readMessageBack } from '../../../src/message-back/index.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import type { ReferralSummary } from '../../../src/referrals/referral-view.js';
import { launch, request, type CookieJar } from '../../helpers/gp-launch.js';
import { sandboxFhir } from '../../helpers/http.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { referralForm } from '../../helpers/referral-form.js';
import { Browser, formFields } from '../workspace/harness.js';

const GP = 'gp-1';
const PATIENT = 'pat-07';

/**
 * A referral the GP made in SP Link, ended by the link-worker service: declined in SP Link's workspace, or failed by
 * another system with a reason in its own terms. The GP record, the GP's message and the GP app all say so, and
 * nothing is parked: the revoked referral passes SP Link's own profile (a revoked referral says why, spl-sr-1).
 */
describe('an SP Link referral ended by the link-worker service reaches the GP (integration)', function () {
  this.timeout(240_000);
  let sys: TestSystem;
  let jar: CookieJar;
  let csrf: string;

  const { fhir, search } = sandboxFhir(() => sys);

  async function refer(): Promise<{ serviceRequestId: string; task: Task }> {
    const res = await request(jar, `${sys.url}/app/api/referrals`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(referralForm(PATIENT)),
    });
    expect(res.status).to.equal(201);
    const { referralId, serviceRequestId } = (await res.json()) as { referralId: string; serviceRequestId: string };
    const end = Date.now() + 60_000;
    for (;;) {
      const [task] = await search<Task>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`);
      if (task) return { serviceRequestId, task };
      if (Date.now() > end) throw new Error(`no Task for ${referralId}`);
      await sys.reconciler!.runOnce();
    }
  }

  async function gpView(serviceRequestId: string): Promise<ReferralSummary> {
    const res = await request(jar, `${sys.url}/app/api/referrals?patient=${PATIENT}`);
    expect(res.status).to.equal(200);
    const { referrals } = (await res.json()) as { referrals: ReferralSummary[] };
    return referrals.find((r) => r.id === serviceRequestId)!;
  }

  async function deadLettersFor(taskId: string) {
    return (await listDeadLetters(sys.db)).filter((d) => d.sourceRef.startsWith(`Task/${taskId}/`));
  }

  before(async () => {
    sys = await startTestSystem({ background: false });
    ({ jar, csrf } = await launch(sys, { patient: PATIENT, practitioner: GP }));
  });
  after(async () => {
    await sys?.stop();
  });

  it('declined in the workspace: the record is revoked with the reason, the GP gets a message, the GP app shows "Declined" and why', async () => {
    const { serviceRequestId, task } = await refer();
    const b = new Browser(sys.url);
    await b.signIn('sarah.whitfield');
    const casePath = `/workspace/cases/${task.id}`;
    const page = await b.get(casePath);
    const declined = await b.post(`${casePath}/decline`, { ...formFields(page.text, `${casePath}/decline`), reason: 'needs-beyond-scope', note: 'Needs specialist debt advice first' });
    expect(declined.status).to.equal(200);
    expect((await fhir<Task>('lw', `Task/${task.id}`)).status).to.equal('rejected');

    const run = await sys.reconciler!.runOnce();
    expect(run.endpoints[sys.config.linkWorkerEndpoints[0]!.id]).to.include({ deadLettered: 0, failed: 0 });
    expect(await deadLettersFor(task.id!), 'before: dead-lettered as a profile violation every time').to.deep.equal([]);

    const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${serviceRequestId}`);
    expect(sr.status).to.equal('revoked');
    expect(sr.meta?.profile).to.include(PROFILE.referral);
    const reason = sr.extension?.find((e) => e.url === EXTENSION.statusReason)?.valueCodeableConcept;
    expect(reason?.coding?.[0]).to.include({ system: CODE_SYSTEM.statusReason, code: 'needs-beyond-scope' });
    expect(reason?.text).to.equal('Needs specialist debt advice first');
    expect(sr.note?.at(-1)?.text).to.equal('Declined: Needs beyond the scope of social prescribing: Needs specialist debt advice first');
    expect(() => validateForWrite(sr), 'the revoked referral passes SP Link\'s own profile').to.not.throw();
    const provenance = await search<Provenance>('ehr', `Provenance?target=ServiceRequest/${serviceRequestId}`);
    expect(provenance.filter((p) => p.entity?.some((e) => e.what.reference?.includes(`/Task/${task.id}/_history/`)))).to.have.length(1);

    const messages = await search<Communication>('ehr', `Communication?based-on=ServiceRequest/${serviceRequestId}`);
    const declineMessages = messages.filter((c) => c.topic?.coding?.[0]?.code === 'referral-declined');
    expect(declineMessages).to.have.length(1);
    expect(messageBackText(readMessageBack(declineMessages[0]!))).to.match(/^Referral declined\n/).and.include('Reason: Needs beyond the scope of social prescribing: Needs specialist debt advice first');

    const view = await gpView(serviceRequestId);
    expect(view.status.label).to.equal('Declined');
    expect(view.detail).to.include('Needs beyond the scope of social prescribing');
    expect(view.group, 'a recently declined referral asks for the GP\'s attention').to.equal('attention');
    expect(view.timeline.map((t) => t.text).join('\n')).to.include('Referral declined');

    await sys.reconciler!.runOnce();
    expect((await fhir<ServiceRequest>('ehr', `ServiceRequest/${serviceRequestId}`)).meta?.versionId, 'nothing more to write').to.equal(sr.meta?.versionId);
  });

  it('failed by another system with a reason in its own codes: "could not complete", not "cancelled", and its code is kept', async () => {
    const { serviceRequestId, task } = await refer();
    const foreign = { system: 'https://case-system.example.org/CodeSystem/closure', code: 'NO-CAPACITY-2', display: 'Programme paused for funding review' };
    for (const status of ['accepted', 'in-progress'] as const) {
      const current = await fhir<Task>('lw', `Task/${task.id}`);
      await fhir('lw', `Task/${task.id}`, { method: 'PUT', body: JSON.stringify({ ...current, status }) });
    }
    const inProgress = await fhir<Task>('lw', `Task/${task.id}`);
    await fhir('lw', `Task/${task.id}`, {
      method: 'PUT',
      body: JSON.stringify({ ...inProgress, status: 'failed', statusReason: { coding: [foreign] }, businessStatus: { text: 'Closed: programme paused' } }),
    });
    await sys.reconciler!.runOnce();
    expect(await deadLettersFor(task.id!)).to.deep.equal([]);

    const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${serviceRequestId}`);
    expect(sr.status).to.equal('revoked');
    const reason = sr.extension?.find((e) => e.url === EXTENSION.statusReason)?.valueCodeableConcept;
    expect(reason?.coding).to.deep.equal([
      { system: CODE_SYSTEM.statusReason, code: 'not-completed', display: 'Support could not be completed' },
      foreign,
    ]);
    const topics = (await search<Communication>('ehr', `Communication?based-on=ServiceRequest/${serviceRequestId}`)).map((c) => c.topic?.coding?.[0]?.code);
    expect(topics).to.include('referral-not-completed').and.not.include('referral-cancelled');

    const view = await gpView(serviceRequestId);
    expect(view.status.label).to.equal('Could not complete');
    expect(view.detail).to.equal('Support could not be completed: Programme paused for funding review');
  });

  it('each stage the link worker records (businessStatus) reaches the record once, and the GP app timeline', async () => {
    const { serviceRequestId, task } = await refer();
    const stage = (code: string) => ({ coding: [{ system: CODE_SYSTEM.businessStatus, code }] });
    let current = await fhir<Task>('lw', `Task/${task.id}`);
    for (const [status, code] of [['accepted', 'awaiting-contact'], ['in-progress', 'first-contact-made'], ['in-progress', 'plan-agreed']] as const) {
      current = await fhir<Task>('lw', `Task/${task.id}`, { method: 'PUT', body: JSON.stringify({ ...current, status, businessStatus: stage(code) }) });
      await sys.reconciler!.runOnce();
    }
    await sys.reconciler!.runOnce();
    const progress = (await search<Communication>('ehr', `Communication?based-on=ServiceRequest/${serviceRequestId}`))
      .filter((c) => c.topic?.coding?.[0]?.code === 'referral-progress')
      .map((c) => readMessageBack(c).sections.flatMap((sec) => sec.lines).find((l) => l.startsWith('Stage: ')));
    expect(progress).to.have.members(['Stage: Awaiting first contact', 'Stage: First contact made', 'Stage: Personalised support plan agreed']);
    const view = await gpView(serviceRequestId);
    const lines = view.timeline.map((t) => t.text);
    expect(lines).to.include.members(['Accepted: Awaiting first contact', 'Working with patient: First contact made', 'Working with patient: Personalised support plan agreed']);
    expect(lines.filter((l) => l.startsWith('Progress update')), 'the Task history tells the same story once').to.deep.equal([]);
    expect((await fhir<ServiceRequest>('ehr', `ServiceRequest/${serviceRequestId}`)).status).to.equal('active');
  });
});
