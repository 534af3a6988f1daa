import { expect } from 'chai';
import type { Communication, Observation, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM, PROFILE } from '../../../src/referral-model/codes.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { messageBackText, readMessageBack } from '../../../src/message-back/index.js';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { referralKey } from '../../../src/reports/referral-fact.js';
import { launch, request, type CookieJar } from '../../helpers/gp-launch.js';
import { sandboxFhir } from '../../helpers/http.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { referralForm } from '../../helpers/referral-form.js';
import { Browser, formFields } from '../workspace/harness.js';

const PATIENT = 'pat-08';

/**
 * Social outcomes at closing, end to end: the link worker ticks them when completing in the workspace; the reconciler
 * writes each into the GP record as an SPLinkSocialOutcomeObservation, once, lists them in the message back, and
 * the report store counts them.
 */
describe('social outcomes at closing reach the GP record, the message back and the reports (integration)', function () {
  this.timeout(240_000);
  let sys: TestSystem;
  let jar: CookieJar;
  let csrf: string;
  const { search } = sandboxFhir(() => sys);

  before(async () => {
    sys = await startTestSystem({ background: false });
    ({ jar, csrf } = await launch(sys, { patient: PATIENT, practitioner: 'gp-1' }));
  });
  after(async () => {
    await sys?.stop();
  });

  it('completed with two social outcomes: two Observations in the record (not four after a second pass), two lines for the GP, both counted', async () => {
    const res = await request(jar, `${sys.url}/app/api/referrals`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(referralForm(PATIENT)),
    });
    expect(res.status).to.equal(201);
    const { referralId, serviceRequestId } = (await res.json()) as { referralId: string; serviceRequestId: string };
    let task: Task | undefined;
    for (let i = 0; i < 20 && !task; i++) {
      [task] = await search<Task>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`);
      if (!task) await sys.reconciler!.runOnce();
    }
    expect(task, 'the referral Task reached the link-worker service').to.not.equal(undefined);

    const b = new Browser(sys.url);
    await b.signIn('sarah.whitfield');
    const casePath = `/workspace/cases/${task!.id}`;
    const act = async (action: string, form: Record<string, string | string[]>) => {
      const page = await b.get(casePath);
      return b.post(`${casePath}/${action}`, { ...formFields(page.text, `${casePath}/${action}`), ...form });
    };
    expect((await act('accept', {})).status).to.equal(200);
    const today = new Date().toISOString().slice(0, 10);
    expect((await act('session', { date: today, mode: 'telephone', durationMinutes: '30' })).status).to.equal(200);
    const confirm = await act('complete', { summary: 'Debt advice booked; joined the Tuesday lunch club.', socialOutcomes: ['debt-advice', 'group-attending'] });
    expect(confirm.text, 'no end measures: asked first, the social outcomes carried through').to.include('data-testid="confirm-social-outcomes"').and.include('Debt advice received');
    // What the confirmation page posts back (its hidden fields carry the ticks; test/unit/workspace/domain/end-measures.test.ts).
    const done = await b.post(`${casePath}/complete`, {
      ...formFields(confirm.text, `${casePath}/complete`), summary: 'Debt advice booked; joined the Tuesday lunch club.', socialOutcomes: ['debt-advice', 'group-attending'], confirm: 'yes',
    });
    expect(done.text).to.include('Case completed.');

    for (let pass = 0; pass < 2; pass++) await sys.reconciler!.runOnce();
    expect((await listDeadLetters(sys.db)).filter((d) => d.sourceRef.startsWith(`Task/${task!.id}/`))).to.deep.equal([]);

    const observations = (await search<Observation>('ehr', `Observation?based-on=ServiceRequest/${serviceRequestId}`))
      .filter((o) => o.meta?.profile?.includes(PROFILE.socialOutcomeObservation));
    expect(observations.map((o) => o.code.coding?.[0]?.code).sort()).to.deep.equal(['debt-advice', 'group-attending']);
    for (const o of observations) {
      expect(o).to.deep.include({ status: 'final', valueBoolean: true, subject: { reference: `Patient/${PATIENT}` } });
      expect(o.code.coding?.[0]?.system).to.equal(CODE_SYSTEM.socialOutcome);
      expect(() => validateForWrite(o)).to.not.throw();
    }

    const message = (await search<Communication>('ehr', `Communication?based-on=ServiceRequest/${serviceRequestId}`)).find((c) => c.topic?.coding?.[0]?.code === 'referral-completed');
    expect(messageBackText(readMessageBack(message!))).to.include('Social outcome: Debt advice received').and.include('Social outcome: Connected to a community group and still attending');

    const key = referralKey(sys.config.linkWorkerEndpoints[0]!.id, task!.id!);
    const { rows } = await sys.db.query<{ social_outcomes: string[] }>('SELECT social_outcomes FROM report_referrals WHERE referral_key = $1', [key]);
    expect(rows[0]?.social_outcomes).to.deep.equal(['debt-advice', 'group-attending']);
  });
});
