import { expect } from 'chai';
import type { Bundle, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { REFERRAL_ID_PATTERN } from '../../../src/referrals/referral-id.js';
import { launch, request, type CookieJar } from '../../helpers/gp-launch.js';
import { sandboxFhir } from '../../helpers/http.js';
import { devAuthHeader } from '../../helpers/sandbox-tokens.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { launchRows } from '../../helpers/launches.js';
import { referralForm } from '../../helpers/referral-form.js';
import { pino } from 'pino';
import { bearerAuth } from '../../../src/fhir/auth/types.js';
import { FhirClient } from '../../../src/fhir/client.js';
import { listReferrals } from '../../../src/referrals/list-referrals.js';
import { TaskHistoryCache } from '../../../src/referrals/task-history-cache.js';

const GP = 'gp-2';
const PATIENT = 'pat-05';
const OTHER_PATIENT = 'pat-06';

const valid = (over: Record<string, unknown> = {}) => referralForm(PATIENT, over);

describe('GP app: referral API (integration)', function () {
  this.timeout(180_000);
  let sys: TestSystem;
  let jar: CookieJar;
  let csrf: string;
  let ehrBase: string;
  let lwBase: string;

  const { fhir } = sandboxFhir(() => sys);
  const count = async (server: 'ehr' | 'lw', type: string, filter = '') => ((await fhir<Bundle>(server, `${type}?${filter}_count=1000&_elements=id`)).entry ?? []).length;
  // Provenance authored by this GP only: the reconciler writes its own Provenance for the demo
  // referrals in the background while these tests run.
  const counts = async () => ({
    sr: await count('ehr', 'ServiceRequest'),
    prov: await count('ehr', 'Provenance', `agent=Practitioner/${GP}&`),
    task: await count('lw', 'Task'),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-csrf-token': csrf }) =>
    request(jar, `${sys.url}/app/api${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  async function taskFor(referralId: string, timeoutMs = 60_000): Promise<Task> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const b = await fhir<Bundle<Task>>('lw', `Task?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referralTask}|${referralId}`)}`);
      const t = b.entry?.[0]?.resource;
      if (t) return t;
      if (Date.now() > end) throw new Error(`no Task for ${referralId}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  before(async () => {
    sys = await startTestSystem();
    ehrBase = sys.config.tenants[0]!.ehr.fhirBase;
    lwBase = sys.config.linkWorkerEndpoints[0]!.fhirBase;
    ({ jar, csrf } = await launch(sys, { patient: PATIENT, practitioner: GP }));
  });
  after(async () => {
    await sys?.stop();
  });

  it('creates a referral: ServiceRequest + Provenance in the EHR, Task at the link-worker endpoint, listed as Sent', async () => {
    const res = await post('/referrals', valid({ service: { kind: 'directory', healthcareServiceId: 'svc-walking' } }));
    expect(res.status).to.equal(201);
    const { referralId, serviceRequestId, contact } = (await res.json()) as { referralId: string; serviceRequestId: string; contact: string };
    expect(referralId).to.match(REFERRAL_ID_PATTERN);
    expect(contact).to.equal('Fernbridge Community Connect');

    const sr = await fhir<ServiceRequest>('ehr', `ServiceRequest/${serviceRequestId}`);
    expect(sr.subject?.reference).to.equal(`Patient/${PATIENT}`);
    expect(sr.requester).to.deep.equal({ reference: `Practitioner/${GP}`, display: 'Dr Thomas Hughes' });
    expect(sr.identifier?.[0]).to.deep.equal({ system: IDENTIFIER_SYSTEM.referral, value: referralId });
    // Via the link-worker service (no direct route configured): it will contact the person; the walking group is
    // the GP's suggestion.
    expect(sr.performer?.[0]).to.deep.include({ reference: `${lwBase}/Organization/lw-service`, display: 'Fernbridge Community Connect' });
    expect(sr.supportingInfo?.[0]).to.deep.include({ reference: `${lwBase}/HealthcareService/svc-walking`, display: 'Healthy Steps walking group' });
    expect(sr.code?.coding?.[0]?.code).to.equal('physical-activity');
    const provs = await fhir<Bundle<Provenance>>('ehr', `Provenance?target=ServiceRequest/${serviceRequestId}`);
    expect(provs.entry?.length).to.equal(1);

    const task = await taskFor(referralId);
    expect(task.focus?.reference).to.equal(`${ehrBase}/ServiceRequest/${serviceRequestId}`);
    expect(task.for?.identifier?.system).to.equal(IDENTIFIER_SYSTEM.nhsNumber);
    expect(task.status).to.equal('requested');
    expect(task.owner?.reference).to.match(/Organization\//);

    const list = await request(jar, `${sys.url}/app/api/referrals?patient=${PATIENT}`);
    expect(list.status).to.equal(200);
    const { referrals } = (await list.json()) as { referrals: { referralId?: string; status: { label: string }; service: string }[] };
    const mine = referrals.find((r) => r.referralId === referralId);
    expect(mine?.status.label).to.equal('Sent');
    expect(mine?.service).to.equal('Healthy Steps walking group');
  });

  it('shows the link worker’s progress, and lets the GP cancel (ServiceRequest revoked, Task cancelled)', async () => {
    const res = await post('/referrals', valid());
    const { referralId, serviceRequestId } = (await res.json()) as { referralId: string; serviceRequestId: string };
    const task = await taskFor(referralId);
    const accepted = { ...task, status: 'accepted', lastModified: new Date().toISOString() };
    const put = await fetch(`${lwBase}/Task/${task.id}`, {
      method: 'PUT',
      headers: { ...(await devAuthHeader(sys.url, 'lw')), 'content-type': 'application/fhir+json', 'if-match': `W/"${task.meta?.versionId}"` },
      body: JSON.stringify(accepted),
    });
    expect(put.status).to.equal(200);
    const listed = async () =>
      ((await (await request(jar, `${sys.url}/app/api/referrals?patient=${PATIENT}`)).json()) as { referrals: { id: string; referralId?: string; version?: string; status: { label: string } }[] }).referrals.find(
        (r) => r.referralId === referralId,
      )!;
    expect((await listed()).status.label).to.equal('Accepted');

    const mine = await listed();
    const cancel = await post(`/referrals/${serviceRequestId}/cancel`, { patientId: PATIENT, version: mine.version, reason: 'gp-cancelled' });
    expect(cancel.status).to.equal(200);
    expect(((await cancel.json()) as { taskCancelled: boolean }).taskCancelled).to.equal(true);
    expect((await fhir<ServiceRequest>('ehr', `ServiceRequest/${serviceRequestId}`)).status).to.equal('revoked');
    expect((await taskFor(referralId)).status).to.equal('cancelled');
    expect((await listed()).status.label).to.equal('Cancelled');
    const again = await post(`/referrals/${serviceRequestId}/cancel`, { patientId: PATIENT, reason: 'gp-cancelled' });
    expect(again.status).to.equal(409);
  });

  it('lists a patient’s referrals with four FHIR searches, reading a Task’s history again only after the Task changed: the timeline stays complete', async () => {
    const made = (await (await post('/referrals', valid())).json()) as { referralId: string };
    const task = await taskFor(made.referralId);
    // FHIR requests the listing makes, by kind, through clients holding developer tokens.
    const calls: string[] = [];
    const counted = (c: FhirClient, server: string) =>
      new Proxy(c, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== 'search' && prop !== 'request') return v;
          return (...args: unknown[]) => {
            calls.push(`${server} ${prop === 'search' ? `search ${String(args[0])}` : String(args[1]).replace(/Task\/[^/]+\//, 'Task/{id}/').replace(/\?.*/, '')}`);
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const client = async (server: 'ehr' | 'lw', base: string) => counted(new FhirClient({ baseUrl: base, auth: bearerAuth((await devAuthHeader(sys.url, server)).authorization.replace(/^Bearer /, '')) }), server);
    const ehr = await client('ehr', ehrBase);
    const lw = await client('lw', lwBase);
    const log = pino({ level: 'silent' });
    const now = new Date();
    const history = new TaskHistoryCache();
    const list = async (cache?: TaskHistoryCache) => {
      calls.length = 0;
      const out = await listReferrals(ehr, lw, PATIENT, log, { now, ...(cache ? { history: cache } : {}) });
      return { out, calls: [...calls].sort() };
    };
    const searches = ['ehr search Communication', 'ehr search Observation', 'ehr search ServiceRequest', 'lw search Task'];

    const first = await list(history);
    expect(first.calls.filter((c) => c === 'lw Task/{id}/_history'), 'the new Task’s history is read').to.have.length.greaterThan(0);
    const again = await list(history);
    expect(again.calls, 'nothing changed: no history read').to.deep.equal(searches);
    expect(again.out).to.deep.equal(first.out);

    // The link worker accepts, then starts working: the next listing reads that one Task's history again.
    let current = task;
    for (const status of ['accepted', 'in-progress'] as const) {
      const put = await fetch(`${lwBase}/Task/${current.id}`, {
        method: 'PUT',
        headers: { ...(await devAuthHeader(sys.url, 'lw')), 'content-type': 'application/fhir+json', 'if-match': `W/"${current.meta?.versionId}"` },
        body: JSON.stringify({ ...current, status, lastModified: new Date().toISOString() }),
      });
      expect(put.status).to.equal(200);
      current = (await put.json()) as Task;
    }
    const changed = await list(history);
    expect(changed.calls.filter((c) => c === 'lw Task/{id}/_history'), 'one Task changed: one history read').to.have.length(1);
    const mine = changed.out.find((r) => r.referralId === made.referralId)!;
    expect(mine.timeline.map((e) => e.text.split(':')[0]).slice(-2), 'every status, not only the latest').to.deep.equal(['Accepted', 'Working with patient']);
    // The same listing as one that reads every history.
    expect(changed.out).to.deep.equal((await list()).out);
  });

  it('sends a form once however often it is sent: a resend answers 200 with the same referral and writes nothing', async () => {
    const form = valid({ submissionId: 'c0ffee00c0ffee00c0ffee00c0ffee00' });
    const first = await post('/referrals', form);
    expect(first.status).to.equal(201);
    const made = (await first.json()) as { referralId: string; serviceRequestId: string };
    await taskFor(made.referralId);
    const before = await counts();
    const again = await post('/referrals', form);
    expect(again.status).to.equal(200);
    expect(await again.json()).to.deep.equal({ ...made, alreadySent: true });
    expect(await counts()).to.deep.equal(before);
    const bad = await post('/referrals', valid({ submissionId: 'x' }));
    expect(bad.status).to.equal(422);
  });

  it('raises a safeguarding referral to urgent', async () => {
    const res = await post('/referrals', valid({ urgency: 'routine', safeguarding: { concern: true, detail: 'Bruising, lives with son who controls money' } }));
    expect(res.status).to.equal(201);
    const { serviceRequestId } = (await res.json()) as { serviceRequestId: string };
    expect((await fhir<ServiceRequest>('ehr', `ServiceRequest/${serviceRequestId}`)).priority).to.equal('asap');
  });

  it('refuses a state-changing call without the CSRF token (403) and writes nothing', async () => {
    const before = await counts();
    for (const headers of [{}, { 'x-csrf-token': 'wrong-token-wrong-token-wrong-token-wrong-t' }] as Record<string, string>[]) {
      const res = await post('/referrals', valid(), headers);
      expect(res.status).to.equal(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('ERR_CSRF');
    }
    const cancel = await post('/referrals/whatever/cancel', { patientId: PATIENT }, {});
    expect(cancel.status).to.equal(403);
    expect(await counts()).to.deep.equal(before);
  });

  it('refuses a patient other than the launch patient (403 ERR_PATIENT_MISMATCH) and writes nothing', async () => {
    const before = await counts();
    const res = await post('/referrals', valid({ patientId: OTHER_PATIENT }));
    expect(res.status).to.equal(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('ERR_PATIENT_MISMATCH');
    const list = await request(jar, `${sys.url}/app/api/referrals?patient=${OTHER_PATIENT}`);
    expect(list.status).to.equal(403);
    const cancel = await post('/referrals/ref-01/cancel', { patientId: OTHER_PATIENT });
    expect(cancel.status).to.equal(403);
    // A referral of another patient, addressed with the launch patient's id: refused by the subject check.
    const foreign = await post('/referrals/ref-01/cancel', { patientId: PATIENT });
    expect(foreign.status).to.equal(403);
    expect(await counts()).to.deep.equal(before);
  });

  it('guards every action on a referral the same way (cancel, acknowledge a safeguarding concern): CSRF, patient, body, id', async () => {
    const before = await counts();
    const code = async (res: Response) => ((await res.json()) as { error: { code: string; fields?: { path: string }[] } }).error;
    for (const action of ['cancel', 'safeguarding/acknowledge']) {
      const noCsrf = await post(`/referrals/ref-01/${action}`, { patientId: PATIENT }, {});
      expect([noCsrf.status, (await code(noCsrf)).code], `${action} without CSRF`).to.deep.equal([403, 'ERR_CSRF']);
      // Another patient is refused before anything else about the request is looked at.
      const other = await post(`/referrals/not%20an%20id/${action}`, { patientId: OTHER_PATIENT, concern: 42, reason: 42 });
      expect([other.status, (await code(other)).code], `${action} for another patient`).to.deep.equal([403, 'ERR_PATIENT_MISMATCH']);
      const badId = await post(`/referrals/not%20an%20id/${action}`, { patientId: PATIENT, concern: 'ServiceRequest/ref-01', reason: 'gp-cancelled' });
      expect([badId.status, (await code(badId)).code], `${action} of an ill-formed id`).to.deep.equal([404, 'ERR_NOT_FOUND']);
    }
    const noConcern = await post('/referrals/ref-01/safeguarding/acknowledge', { patientId: PATIENT, concern: 'Patient/x' });
    const err = await code(noConcern);
    expect([noConcern.status, err.code, err.fields?.map((f) => f.path)]).to.deep.equal([422, 'ERR_VALIDATION', ['concern']]);
    expect(await counts()).to.deep.equal(before);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['no needs', { needs: [] }, 'needs'],
    ['unknown need', { needs: ['astrology'] }, 'needs'],
    ['other need without detail', { needs: ['other'] }, 'otherNeed'],
    ['what matters too long', { whatMatters: 'x'.repeat(2001) }, 'whatMatters'],
    ['unknown urgency', { urgency: 'whenever' }, 'urgency'],
    ['consent not given', { consent: { given: false, date: '2026-01-01' } }, 'consent.given'],
    ['consent date in the future', { consent: { given: true, date: '2999-01-01' } }, 'consent.date'],
    ['consent date not a date', { consent: { given: true, date: 'yesterday' } }, 'consent.date'],
    ['no contact method', { contact: { methods: [] } }, 'contact.methods'],
    ['unknown contact method', { contact: { methods: ['carrier-pigeon'] } }, 'contact.methods'],
    ['safe times too long', { contact: { methods: ['sms'], safeTimes: 'y'.repeat(201) } }, 'contact.safeTimes'],
    ['unknown accessibility need', { accessibility: { needs: ['telepathy'] } }, 'accessibility.needs'],
    ['interpreter without language', { accessibility: { needs: ['interpreter'] } }, 'accessibility.language'],
    ['safeguarding not answered', { safeguarding: {} }, 'safeguarding.concern'],
    ['safeguarding without detail', { safeguarding: { concern: true } }, 'safeguarding.detail'],
    ['no service choice', { service: { kind: 'somewhere' } }, 'service'],
    ['service not in the directory', { service: { kind: 'directory', healthcareServiceId: 'svc-nonexistent' } }, 'service.healthcareServiceId'],
  ];
  it('answers each invalid field with a field-level message and writes nothing', async () => {
    const before = await counts();
    expect(before.prov, 'the referrals above have GP-authored Provenance').to.be.greaterThan(0);
    for (const [name, over, path] of bad) {
      const res = await post('/referrals', valid(over));
      expect(res.status, name).to.equal(422);
      const body = (await res.json()) as { error: { code: string; fields?: { path: string; message: string }[] } };
      expect(body.error.code, name).to.equal('ERR_VALIDATION');
      const field = body.error.fields?.find((f) => f.path === path);
      expect(field, `${name}: ${JSON.stringify(body.error.fields)}`).to.not.equal(undefined);
      expect(field!.message, name).to.match(/^[A-Z]/);
    }
    const malformed = await request(jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{not json' });
    expect(malformed.status).to.equal(400);
    expect(await counts()).to.deep.equal(before);
  });

  it('searches the directory by need, locality and text, with capacity and wait', async () => {
    const get = async (q: string) => ((await (await request(jar, `${sys.url}/app/api/directory?${q}`)).json()) as { services: { id: string; acceptingReferrals?: boolean; waitDays?: number; needs: string[]; locality?: string }[] }).services;
    const debt = await get('need=debt-money');
    expect(debt.length).to.be.greaterThan(0);
    expect(debt.every((s) => s.needs.includes('debt-money'))).to.equal(true);
    expect(debt.some((s) => typeof s.waitDays === 'number' && typeof s.acceptingReferrals === 'boolean')).to.equal(true);
    const text = await get('q=allotment');
    expect(text.map((s) => s.id)).to.include('svc-gardening');
    const none = await get('need=bereavement&q=zzzz');
    expect(none).to.deep.equal([]);
  });

  it('refreshes the GP’s access token before it expires', async () => {
    const { jar: j2 } = await launch(sys, { patient: PATIENT, practitioner: GP });
    const launches = launchRows(sys.db, sys.config.server.sessionSecret);
    const handle = j2.launchContext!;
    const read = async () => (await launches.read(handle))!;
    const old = await read();
    await launches.write(handle, { ...old, expiresAt: 0 });
    const ctx = await request(j2, `${sys.url}/app/api/context`);
    expect(ctx.status).to.equal(200);
    const now = await read();
    expect(now.accessToken).to.not.equal(old.accessToken);
    expect(now.expiresAt).to.be.greaterThan(Date.now());
  });
});
