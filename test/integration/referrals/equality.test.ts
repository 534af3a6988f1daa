import { expect } from 'chai';
import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { EXTENSION, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { equalityAnswersOf } from '../../../src/referral-model/equality.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { referralKey } from '../../../src/reports/referral-fact.js';
import { launch, request, type CookieJar } from '../../helpers/gp-launch.js';
import { sandboxFhir } from '../../helpers/http.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { referralForm } from '../../helpers/referral-form.js';

// Agnieszka Nowak: the demo record holds her first language (Polish), not her ethnicity nor an interpreter need.
const PATIENT = 'pat-06';

/**
 * Equality monitoring through the real loop: the GP app asks only what the record lacks, the answers reach the GP
 * record on the referral (valid against SPLinkReferral, never on the link worker's copy), and the report fact the
 * reconciler captures has them, with the record's own data first.
 */
describe('equality monitoring asked by the GP reaches the GP record and the reports (integration)', function () {
  this.timeout(240_000);
  let sys: TestSystem;
  let jar: CookieJar;
  let csrf: string;
  let context: Record<string, unknown>;
  const { search } = sandboxFhir(() => sys);
  const post = (body: unknown) =>
    request(jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });

  before(async () => {
    sys = await startTestSystem({ background: false });
    ({ jar, csrf, context } = await launch(sys, { patient: PATIENT, practitioner: 'gp-1' }));
  });
  after(async () => {
    await sys?.stop();
  });

  it('asks only what the record lacks: not the first language the record holds', () => {
    expect(context.equalityToAsk).to.deep.equal(['ethnicity', 'disability', 'interpreter']);
  });

  it('refuses an answer outside the lists, naming the question', async () => {
    const res = await post(referralForm(PATIENT, { equality: { ethnicity: 'white' } }));
    expect(res.status).to.equal(422);
    const body = (await res.json()) as { error: { fields: { path: string }[] } };
    expect(body.error.fields.map((f) => f.path)).to.deep.equal(['equality.ethnicity']);
  });

  it('writes the answers on the GP record referral, keeps them off the Task, and the report fact gets them (record first)', async () => {
    const equality = { ethnicity: 'prefer-not-to-say', disability: 'yes', firstLanguage: 'en', interpreter: 'yes' };
    const res = await post(referralForm(PATIENT, { equality }));
    expect(res.status).to.equal(201);
    const { referralId, serviceRequestId } = (await res.json()) as { referralId: string; serviceRequestId: string };

    const [sr] = await search<ServiceRequest>('ehr', `ServiceRequest?_id=${serviceRequestId}`);
    expect(equalityAnswersOf(sr)).to.deep.equal(equality);
    expect(() => validateForWrite(sr!)).to.not.throw();

    let task: Task | undefined;
    for (let i = 0; i < 20 && !task; i++) {
      [task] = await search<Task>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`);
      if (!task) await sys.reconciler!.runOnce();
    }
    expect(task, 'the referral Task reached the link-worker service').to.not.equal(undefined);
    const copy = task!.contained?.find((r): r is ServiceRequest => r.resourceType === 'ServiceRequest');
    expect(copy, 'the Task carries a copy of the referral').to.not.equal(undefined);
    expect(copy!.extension?.some((e) => e.url === EXTENSION.equalityMonitoring)).to.equal(false);

    await sys.reconciler!.runOnce();
    const key = referralKey(sys.config.linkWorkerEndpoints[0]!.id, task!.id!);
    const { rows } = await sys.db.query<Record<string, unknown>>('SELECT ethnicity, disability, first_language, interpreter FROM report_referrals WHERE referral_key = $1', [key]);
    // Z: asked and preferred not to say; the record's Polish wins over the answer; the rest from the answers.
    expect(rows).to.deep.equal([{ ethnicity: 'Z', disability: 'yes', first_language: 'pl', interpreter: true }]);
  });
});
