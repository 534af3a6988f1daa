import { expect } from 'chai';
import type { Bundle, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';
import { makeGpReferral } from './gp-referral.js';

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const today = () => new Date().toISOString().slice(0, 10);

describe('workspace: access control, CSRF, sessions, conflicts and bad input (HTTP)', () => {
  let h: WorkspaceHarness;
  let lw: FhirClient;
  let task: Task;
  let sarah: Browser;
  const casePath = () => `/workspace/cases/${task.id}`;
  const current = () => lw.read<Task>('Task', task.id!);
  const count = async (type: 'Observation' | 'Provenance') => ((await lw.search(type, { _count: '1000' })) as Bundle).entry?.length ?? 0;

  async function fields(b: Browser, action: string) {
    return formFields((await b.get(casePath())).text, `${casePath()}/${action}`);
  }

  before(async () => {
    h = await startWorkspaceHarness();
    lw = new FhirClient({ baseUrl: `${h.url}/sandbox/lw/fhir` });
    ({ task } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }, 5));
    sarah = new Browser(h.url);
    await sarah.signIn('sarah.whitfield');
  });
  after(async () => {
    await h?.stop();
  });

  it('empty decline reason: field-level message, nothing written', async () => {
    const [v, obs, prov] = [(await current()).meta?.versionId, await count('Observation'), await count('Provenance')];
    const r = await sarah.post(`${casePath()}/decline`, { ...(await fields(sarah, 'decline')), reason: '', note: 'no' });
    expect(r.status).to.equal(400);
    expect(r.text).to.include('id="decline-reason-error"');
    expect(r.text).to.include('Select a reason for declining');
    expect(r.text).to.match(/<title>Error: /);
    expect((await current()).meta?.versionId).to.equal(v);
    expect([await count('Observation'), await count('Provenance')]).to.deep.equal([obs, prov]);
  });

  it('another organisation can neither list nor open nor change the Task (403)', async () => {
    const owen = new Browser(h.url);
    await owen.signIn('owen.price');
    const list = await owen.get('/workspace/caseload?view=all');
    expect(list.status).to.equal(200);
    expect(list.text).to.not.include(`data-case-id="${task.id}"`);
    expect((await owen.get('/workspace/caseload?view=all&org=Y99950')).status).to.equal(403);
    expect((await owen.get(casePath())).status).to.equal(403);
    const csrf = formFields((await owen.get('/workspace/caseload')).text, '/workspace/logout')._csrf;
    const v = (await current()).meta?.versionId;
    const r = await owen.post(`${casePath()}/accept`, { _csrf: csrf, version: v! });
    expect(r.status).to.equal(403);
    expect(r.text).to.include('another organisation');
    expect((await current()).status).to.equal('requested');
  });

  it('a missing CSRF token is refused (403) and nothing is written', async () => {
    const { version } = await fields(sarah, 'accept');
    const r = await sarah.post(`${casePath()}/accept`, { version });
    expect(r.status).to.equal(403);
    const wrong = await sarah.post(`${casePath()}/accept`, { version, _csrf: 'x'.repeat(43) });
    expect(wrong.status).to.equal(403);
    expect((await current()).status).to.equal('requested');
  });

  it('only a service manager can assign; the manager sees team capacity', async () => {
    const r = await sarah.post(`${casePath()}/assign`, { ...(await fields(sarah, 'accept')), linkWorker: 'PractitionerRole/lw-2-role' });
    expect(r.status).to.equal(403);
    expect((await sarah.get('/workspace/capacity')).status).to.equal(403);
    const nina = new Browser(h.url);
    await nina.signIn('nina.kaur');
    const ok = await nina.post(`${casePath()}/assign`, { ...(await fields(nina, 'assign')), linkWorker: 'PractitionerRole/lw-2-role' });
    expect(ok.status).to.equal(200);
    expect((await current()).owner).to.deep.include({ reference: 'PractitionerRole/lw-2-role', display: 'Daniel Osei' });
    const cap = await nina.get('/workspace/capacity');
    expect(cap.status).to.equal(200);
    expect(cap.text).to.match(/Daniel Osei<\/span><\/td>\s*<td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table__heading" aria-hidden="true">Open cases <\/span><span>\d+</);
  });

  it('a stale version gets "someone else changed this case" and writes nothing', async () => {
    const stale = await fields(sarah, 'accept');
    const t = await current();
    await lw.update({ ...t, description: 'edited elsewhere' });
    const r = await sarah.post(`${casePath()}/accept`, stale);
    expect(r.status).to.equal(409);
    expect(r.text).to.include('Someone else changed this case');
    expect(r.text).to.include(`href="${casePath()}"`);
    expect((await current()).status).to.equal('requested');
  });

  it('a colleague saving between our read and our write: the If-Match update fails (412) and the user is told', async () => {
    const [obs, prov] = [await count('Observation'), await count('Provenance')];
    h.lwClient.beforeTransaction = async () => {
      const t = await current();
      await lw.update({ ...t, description: 'saved by a colleague a moment ago' });
    };
    const r = await sarah.post(`${casePath()}/safeguarding`, { ...(await fields(sarah, 'safeguarding')), detail: 'Disclosed money being taken by a relative' });
    expect(r.status).to.equal(409);
    expect(r.text).to.include('Someone else changed this case');
    const t = await current();
    expect(t.description).to.equal('saved by a colleague a moment ago');
    expect(t.priority, 'our change not applied').to.not.equal('urgent');
    expect([await count('Observation'), await count('Provenance')]).to.deep.equal([obs, prov]);
  });

  it('future session dates and out-of-range scores: field-level messages, nothing written', async () => {
    await sarah.post(`${casePath()}/accept`, await fields(sarah, 'accept'));
    expect((await current()).status).to.equal('accepted');
    const [v, obs, prov] = [(await current()).meta?.versionId, await count('Observation'), await count('Provenance')];
    const s = await sarah.post(`${casePath()}/session`, { ...(await fields(sarah, 'session')), date: tomorrow(), mode: 'telephone', durationMinutes: '30' });
    expect(s.status).to.equal(400);
    expect(s.text).to.include('id="session-date-error"');
    expect(s.text).to.include('The session date must be today or in the past');
    expect(s.text, 'entered values kept').to.include('value="30"');
    const o = await sarah.post(`${casePath()}/outcome`, { ...(await fields(sarah, 'outcome')), instrument: 'swemwbs', date: today(), 'score-total': '36' });
    expect(o.status).to.equal(400);
    expect(o.text).to.include('id="outcome-swemwbs-score-total-error"');
    expect(o.text).to.include('The score must be from 7 to 35');
    const u = await sarah.post(`${casePath()}/outcome`, { ...(await fields(sarah, 'outcome')), instrument: 'ucla3', date: today(), 'score-total': '2' });
    expect(u.text).to.include('The score must be from 3 to 9');
    expect((await current()).meta?.versionId).to.equal(v);
    expect([await count('Observation'), await count('Provenance')]).to.deep.equal([obs, prov]);
  });

  it('an expired session goes back to sign-in and keeps the work', async () => {
    const f = await fields(sarah, 'session');
    // Idle timeout: the stored session lives sessionIdleMinutes past the last request.
    const { rows } = await h.db.query<{ minutes: number }>('SELECT max(extract(epoch FROM expires_at - now()) / 60)::float AS minutes FROM sessions');
    expect(rows[0]!.minutes).to.be.within(h.config.server.sessionIdleMinutes - 2, h.config.server.sessionIdleMinutes + 0.1);
    const v = (await current()).meta?.versionId;
    await h.db.query("UPDATE sessions SET expires_at = now() - interval '1 minute'");
    const r = await sarah.post(`${casePath()}/session`, { ...f, date: today(), mode: 'home-visit', durationMinutes: '40', notes: 'Talked about the allotment group' });
    expect(r.url).to.match(/\/workspace\/sign-in\?reason=expired$/);
    expect(r.text).to.include('What you were entering has been kept');
    expect((await current()).meta?.versionId, 'nothing written').to.equal(v);
    // The IdP's own session is still live (single sign-on), so signing in again does not ask who is signing in.
    const back = await sarah.get('/workspace/login');
    expect(back.url).to.match(new RegExp(`${casePath()}$`));
    expect(back.text).to.include('what you entered has been kept');
    expect(back.text).to.include('Talked about the allotment group');
    expect(back.text).to.include('value="40"');
    expect(back.text).to.match(/value="home-visit" checked/);
    const saved = await sarah.post(`${casePath()}/session`, { ...formFields(back.text, `${casePath()}/session`), date: today(), mode: 'home-visit', durationMinutes: '40', notes: 'Talked about the allotment group' });
    expect(saved.text).to.include('Session saved.');
  });

  it('signs out (CSRF-checked) and the session is gone', async () => {
    const csrf = formFields((await sarah.get('/workspace/caseload')).text, '/workspace/logout')._csrf;
    expect((await sarah.post('/workspace/logout', {})).status).to.equal(403);
    const out = await sarah.post('/workspace/logout', { _csrf: csrf });
    // On to the IdP to end its session too (the whole RP-initiated logout is in sign-out.test.ts).
    expect(new URL(out.url).pathname).to.equal('/sandbox/idp/session/end');
    expect(out.text).to.include('data-testid="logout-form"');
    const after = await sarah.get('/workspace/caseload');
    expect(new URL(after.url).pathname).to.equal('/workspace/sign-in');
    expect(new URL(after.url).searchParams.get('reason'), 'signed out, not timed out').to.equal(null);
  });
});
