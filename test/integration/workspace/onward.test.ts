import { expect } from 'chai';
import type { Bundle, Provenance, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';
import { makeGpReferral } from './gp-referral.js';

describe('workspace: onward referrals to community groups, and the groups’ portal (HTTP)', function () {
  this.timeout(300_000);
  let h: WorkspaceHarness;
  let lw: FhirClient;
  let task: Task;
  let sarah: Browser;
  let gail: Browser;
  const casePath = () => `/workspace/cases/${task.id}`;
  const subTasks = async () => ((await lw.search<Task>('Task', { 'part-of': `Task/${task.id}`, _count: '50' })) as Bundle<Task>).entry?.map((e) => e.resource!) ?? [];
  const csrfOf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';

  before(async () => {
    h = await startWorkspaceHarness();
    lw = new FhirClient({ baseUrl: `${h.url}/sandbox/lw/fhir` });
    ({ task } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }, 6));
    sarah = new Browser(h.url);
    await sarah.signIn('sarah.whitfield');
    gail = new Browser(h.url);
  });
  after(async () => h?.stop());

  it('a new referral cannot be referred on before it is accepted', async () => {
    const csrf = csrfOf((await sarah.get(casePath())).text);
    const r = await sarah.post(`${casePath()}/onward`, { _csrf: csrf, services: 'svc-walking', consent: 'yes' });
    expect(r.status).to.equal(409);
    expect(await subTasks()).to.deep.equal([]);
  });

  it('without consent to share: a field-level message and nothing written', async () => {
    await sarah.post(`${casePath()}/accept`, formFields((await sarah.get(casePath())).text, `${casePath()}/accept`));
    const page = await sarah.get(casePath());
    expect(page.text).to.include('data-testid="onward-empty"');
    const r = await sarah.post(`${casePath()}/onward`, { _csrf: csrfOf(page.text), services: 'svc-walking' });
    expect(r.status).to.equal(400);
    expect(r.text).to.include('id="onward-consent-error"');
    expect(await subTasks()).to.deep.equal([]);
  });

  it('the picker searches the directory as the GP app does: the case\'s needs rank it, each with why here; a search narrows it; a full service is refused', async () => {
    let page = await sarah.get(casePath());
    expect(page.text).to.include('data-form="onward-search"');
    expect(page.text, 'ranked by the case\'s needs, each saying why').to.match(/data-testid="why-here">Why here: matches \d needs?/);
    const services = (html: string) => [...(/<form[^>]*data-form="onward">[\s\S]*?<\/form>/.exec(html)?.[0] ?? '').matchAll(/name="services" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]);
    expect(services(page.text)).to.include('svc-walking');
    page = await sarah.get(`${casePath()}?find=1&q=walking`);
    expect(page.text, 'the picker opens on a search').to.include('id="form-onward" open');
    expect(services(page.text)).to.deep.equal(['svc-walking']);
    expect(page.text).to.match(/Why here: taking referrals/);
    page = await sarah.get(`${casePath()}?find=1&q=zzzz-no-such-service`);
    expect(page.text).to.include('data-testid="onward-no-results"');
    page = await sarah.get(`${casePath()}?find=1&q=exercise&need=physical-activity`);
    expect(page.text, 'not taking referrals: shown, not selectable').to.match(/value="svc-exercise-referral" disabled/);
    expect(page.text).to.include('Not taking new referrals at the moment');
    const r = await sarah.post(`${casePath()}/onward`, { _csrf: csrfOf(page.text), services: 'svc-exercise-referral', consent: 'yes' });
    expect(r.status).to.equal(400);
    expect(r.text).to.include('Exercise on referral is not taking referrals at the moment');
    expect(r.text, 'the service ticked stays ticked').to.match(/value="svc-exercise-referral" checked disabled/);
    expect(await subTasks()).to.deep.equal([]);
  });

  it('the link worker refers to two groups: one sub-Task each, partOf the case, owned by each group, with Provenance; a repeat does not duplicate', async () => {
    const csrf = csrfOf((await sarah.get(casePath())).text);
    const form = { _csrf: csrf, services: ['svc-walking', 'svc-gardening'], consent: 'yes', note: 'Mornings are best.' };
    const r = await sarah.post(`${casePath()}/onward`, form);
    expect(r.status).to.equal(200);
    expect(r.url).to.contain(casePath());
    expect(r.text).to.include('data-testid="onward-referrals"');
    expect(r.text).to.match(/data-onward-service="Healthy Steps walking group"[\s\S]*?Sent/);
    await sarah.post(`${casePath()}/onward`, { ...form, services: 'svc-walking' });
    const subs = await subTasks();
    expect(subs.map((s) => s.owner?.reference).sort()).to.deep.equal(['Organization/org-fernbridge-leisure', 'Organization/org-green-roots']);
    for (const s of subs) {
      expect(s.partOf?.[0]?.reference).to.equal(`Task/${task.id}`);
      expect(s.focus?.reference).to.equal(task.focus?.reference);
      expect(s.status).to.equal('requested');
      expect(s.identifier?.[0]?.system).to.equal(IDENTIFIER_SYSTEM.onwardReferral);
    }
    const prov = ((await lw.search<Provenance>('Provenance', { target: `Task/${subs[0]!.id}` })) as Bundle<Provenance>).entry ?? [];
    expect(prov, 'Provenance naming the link worker').to.have.length(1);
    expect((await sarah.get(`/workspace/cases/${subs[0]!.id}`)).status, 'a sub-Task is not a case').to.equal(404);
    const audit = await h.db.query<{ action: string }>("SELECT action FROM audit_events WHERE action = 'workspace.onward-referral'");
    expect(audit.rows.length).to.be.greaterThan(0);
  });

  it('the group’s staff (role provider) land on their referrals and see only their organisation’s; cases are not theirs', async () => {
    const landed = await gail.signIn('gail.hughes');
    expect(landed.url).to.match(/\/workspace\/referrals$/);
    expect(landed.text).to.include('Healthy Steps walking group');
    expect(landed.text).not.to.include('Green Roots');
    expect((await gail.get('/workspace/caseload')).url, 'caseload → their own home').to.match(/\/workspace\/referrals$/);
    expect((await gail.get(casePath())).url).to.match(/\/workspace\/referrals$/);
    const csrf = csrfOf(landed.text);
    expect((await gail.post(`${casePath()}/close`, { _csrf: csrf, reason: 'patient-withdrew', version: '1' })).status).to.equal(403);
    const other = (await subTasks()).find((s) => s.owner?.reference === 'Organization/org-green-roots')!;
    expect((await gail.get(`/workspace/referrals/${other.id}`)).status).to.equal(403);
    expect((await gail.post(`/workspace/referrals/${other.id}/accept`, { _csrf: csrf, version: other.meta!.versionId! })).status).to.equal(403);
    expect((await lw.read<Task>('Task', other.id!)).status).to.equal('requested');
    // The link worker is not a provider: the portal is not theirs.
    expect((await sarah.get('/workspace/referrals')).url).to.match(/\/workspace\/caseload$/);
  });

  it('the group accepts, records attendance and finishing (CSRF checked, If-Match, audit); the case shows each answer live', async () => {
    const walking = (await subTasks()).find((s) => s.owner?.reference === 'Organization/org-fernbridge-leisure')!;
    const path = `/workspace/referrals/${walking.id}`;
    let page = await gail.get(path);
    expect(page.text).to.include('Mornings are best.');
    expect(page.text, 'no clinical content of the referral').not.to.include('reasonCode');
    expect((await gail.post(`${path}/accept`, { version: walking.meta!.versionId! })).status, 'no CSRF token').to.equal(403);
    page = await gail.post(`${path}/accept`, formFields(page.text, `${path}/accept`));
    expect(page.text).to.include('Referral accepted.');
    const stale = walking.meta!.versionId!;
    expect((await gail.post(`${path}/attended`, { _csrf: csrfOf(page.text), version: stale })).status, 'a stale version').to.equal(409);
    page = await gail.post(`${path}/attended`, formFields(page.text, `${path}/attended`));
    let bad = await gail.post(`${path}/finished`, { ...formFields(page.text, `${path}/finished`), sessionsAttended: 'four' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('id="finished-sessionsAttended-error"');
    bad = await gail.post(`${path}/decline`, { ...formFields(page.text, `${path}/finished`), reason: 'not-eligible' });
    expect(bad.status, 'an attended referral cannot be declined').to.equal(409);
    page = await gail.post(`${path}/finished`, { ...formFields(page.text, `${path}/finished`), sessionsAttended: '4' });
    expect((await lw.read<Task>('Task', walking.id!)).status).to.equal('completed');

    const c = await sarah.get(casePath());
    expect(c.text).to.match(/data-onward-service="Healthy Steps walking group"[\s\S]*?Finished[\s\S]*?4 sessions attended/);
    const audit = await h.db.query<{ action: string }>("SELECT action FROM audit_events WHERE action LIKE 'portal.%' ORDER BY id");
    expect(audit.rows.map((r) => r.action)).to.deep.equal(['portal.accept', 'portal.attended', 'portal.finished']);
  });

  it('the link worker withdraws an onward referral with a reason (CSRF, If-Match, Provenance, audit): the case and the group’s portal show it withdrawn; a closed one cannot be', async () => {
    const { task: other } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }, 7);
    const path = `/workspace/cases/${other.id}`;
    await sarah.post(`${path}/accept`, formFields((await sarah.get(path)).text, `${path}/accept`));
    await sarah.post(`${path}/onward`, { _csrf: csrfOf((await sarah.get(path)).text), services: ['svc-walking', 'svc-gardening'], consent: 'yes' });
    const subs = ((await lw.search<Task>('Task', { 'part-of': `Task/${other.id}`, _count: '50' })) as Bundle<Task>).entry?.map((e) => e.resource!) ?? [];
    const walking = subs.find((s) => s.owner?.reference === 'Organization/org-fernbridge-leisure')!;
    const action = `${path}/onward/${walking.id}/withdraw`;
    let page = await sarah.get(path);
    expect(page.text.match(/data-testid="onward-withdraw"/g), 'one withdraw form per open onward referral').to.have.length(2);

    expect((await sarah.post(action, { version: walking.meta!.versionId!, reason: 'patient-moved' })).status, 'no CSRF token').to.equal(403);
    let r = await sarah.post(action, formFields(page.text, action));
    expect(r.status, 'a reason is required').to.equal(400);
    expect(r.text).to.include(`id="withdraw-${walking.id}-reason-error"`);
    expect(r.text).to.include(`id="form-withdraw-${walking.id}" open`);
    r = await sarah.post(action, { ...formFields(page.text, action), version: '999', reason: 'patient-moved' });
    expect(r.status, 'a version the link worker did not see').to.equal(409);
    expect((await lw.read<Task>('Task', walking.id!)).status).to.equal('requested');
    expect((await sarah.post(`/workspace/cases/${task.id}/onward/${walking.id}/withdraw`, { ...formFields(page.text, action), reason: 'patient-moved' })).status, 'not this case’s onward referral').to.equal(404);

    page = await sarah.post(action, { ...formFields(page.text, action), reason: 'patient-moved', note: 'Moved to Leeds last week.' });
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Withdrew the referral to Healthy Steps walking group.');
    expect(page.text).to.match(/data-onward-service="Healthy Steps walking group"[\s\S]*?Withdrawn[\s\S]*?Person moved out of area: Moved to Leeds last week\./);
    expect(page.text.match(/data-testid="onward-withdraw"/g), 'a withdrawn referral offers no withdrawal').to.have.length(1);
    const stored = await lw.read<Task>('Task', walking.id!);
    expect(stored.status).to.equal('cancelled');
    expect(stored.statusReason?.coding?.[0]).to.include({ system: 'https://fhir.sp-link.example.org/CodeSystem/status-reason', code: 'patient-moved' });
    expect(stored.note?.at(-1)?.authorReference?.display).to.equal('Sarah Whitfield');
    const prov = ((await lw.search<Provenance>('Provenance', { target: `Task/${walking.id}` })) as Bundle<Provenance>).entry?.map((e) => e.resource!) ?? [];
    expect(prov.map((p) => p.activity?.text)).to.include('Onward referral: withdrawn by the link worker');
    const audit = await h.db.query<{ resource_ref: string }>("SELECT resource_ref FROM audit_events WHERE action = 'workspace.onward-withdraw'");
    expect(audit.rows.map((x) => x.resource_ref)).to.deep.equal([`Task/${walking.id}`]);
    expect((await sarah.post(action, { _csrf: csrfOf(page.text), version: stored.meta!.versionId!, reason: 'service-closed' })).status, 'already withdrawn').to.equal(409);

    // The group sees it withdrawn, with nothing left to record.
    const list = await gail.get('/workspace/referrals');
    expect(list.text).to.match(new RegExp(`data-testid="portal-closed"[\\s\\S]*data-referral-id="${walking.id}"[\\s\\S]*?Withdrawn`));
    const theirs = await gail.get(`/workspace/referrals/${walking.id}`);
    expect(theirs.text).to.include('data-testid="portal-withdrawn"');
    expect(theirs.text).to.include('Person moved out of area: Moved to Leeds last week.');
    expect(theirs.text).not.to.include('data-form="accept"');
  });
});
