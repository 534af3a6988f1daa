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
});
