import { expect } from 'chai';
import type { Bundle, HealthcareService, Provenance, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { verificationOf } from '../../../src/directory/verification.js';
import { capacityOf } from '../../../src/directory/search.js';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';
import { makeGpReferral } from './gp-referral.js';

/**
 * Keeping the directory true from the workspace, over real HTTP: a link worker's one-click report, the service
 * manager's "to check" list and actions (If-Match, Provenance, audit), a provider's own capacity and waits, and the
 * workload per service for managers and commissioners.
 */
describe('workspace: a directory that stays true, and workload per service (HTTP)', function () {
  this.timeout(300_000);
  let h: WorkspaceHarness;
  let lw: FhirClient;
  let task: Task;
  let sarah: Browser;
  let nina: Browser;
  let gail: Browser;
  let carol: Browser;
  /** The workspace's clock runs this far ahead of real time (days move on for overdue reports). */
  let ahead = 0;
  const csrfOf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
  const service = (id: string) => lw.read<HealthcareService>('HealthcareService', id);
  const openReports = async () => (await h.db.query<{ service_id: string; kind: string; note: string | null; reporter_name: string }>('SELECT service_id, kind, note, reporter_name FROM directory_reports WHERE resolved_at IS NULL ORDER BY id')).rows;
  const provenanceOf = async (id: string) => ((await lw.search<Provenance>('Provenance', { target: `HealthcareService/${id}` })) as Bundle<Provenance>).entry?.map((e) => e.resource!) ?? [];

  before(async () => {
    h = await startWorkspaceHarness({ now: () => new Date(Date.now() + ahead) });
    lw = new FhirClient({ baseUrl: `${h.url}/sandbox/lw/fhir` });
    ({ task } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }, 7));
    sarah = new Browser(h.url);
    await sarah.signIn('sarah.whitfield');
    nina = new Browser(h.url);
    await nina.signIn('nina.kaur');
    gail = new Browser(h.url);
    await gail.signIn('gail.hughes');
    carol = new Browser(h.url);
    await carol.signIn('carol.evans');
  });
  after(async () => h?.stop());

  it('the onward picker says who last checked each service, and offers to report it closed or changed', async () => {
    const casePath = `/workspace/cases/${task.id}`;
    await sarah.post(`${casePath}/accept`, formFields((await sarah.get(casePath)).text, `${casePath}/accept`));
    const page = await sarah.get(`${casePath}?find=1&q=walking`);
    expect(page.text).to.include('data-testid="service-verified">Not checked yet');
    expect(page.text).to.include(`href="/workspace/directory/services/svc-walking?case=${task.id}#report"`);
  });

  it('a link worker reports a service closed in one click (CSRF checked): it reaches the manager, the service is not changed', async () => {
    const before = await service('svc-arts');
    const page = await sarah.get(`/workspace/directory/services/svc-arts?case=${task.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include('data-testid="report-closed"');
    expect(page.text, 'a link worker is not offered the manager\'s actions').not.to.include('data-testid="steward-actions"');
    const csrf = csrfOf(page.text);
    expect((await sarah.post('/workspace/directory/services/svc-arts/report', { kind: 'closed' })).status, 'no CSRF token').to.equal(403);
    expect((await sarah.post('/workspace/directory/services/svc-arts/report', { _csrf: csrf, kind: 'gone-fishing' })).status, 'an unknown kind').to.equal(400);
    expect(await openReports()).to.deep.equal([]);
    const r = await sarah.post('/workspace/directory/services/svc-arts/report', { _csrf: csrf, kind: 'closed', note: 'The studio closed in the summer.', case: task.id! });
    expect(r.status).to.equal(200);
    expect(r.url, 'back to the case').to.contain(`/workspace/cases/${task.id}`);
    expect(r.text).to.include('your service manager will check Arts on prescription');
    expect(await openReports()).to.deep.equal([{ service_id: 'svc-arts', kind: 'closed', note: 'The studio closed in the summer.', reporter_name: 'Sarah Whitfield' }]);
    const after = await service('svc-arts');
    expect(after.meta?.versionId, 'nothing else changes until the manager acts').to.equal(before.meta?.versionId);
    const audit = await h.db.query<{ action: string }>("SELECT action FROM audit_events WHERE action = 'workspace.directory-report'");
    expect(audit.rows).to.have.length(1);
    // A provider's staff cannot file reports, nor see the manager's list.
    expect((await gail.post('/workspace/directory/services/svc-arts/report', { _csrf: csrfOf((await gail.get('/workspace/referrals')).text), kind: 'changed' })).status).to.equal(403);
    expect((await sarah.get('/workspace/directory/to-check')).url, 'a link worker is sent home').to.match(/\/workspace\/caseload$/);
  });

  it('the manager\'s list: the report with what, who and when, and stale services; an unacted report becomes overdue', async () => {
    let list = await nina.get('/workspace/directory/to-check');
    expect(list.status).to.equal(200);
    const arts = /<tr[^>]*data-service="svc-arts"[\s\S]*?<\/tr>/.exec(list.text)?.[0] ?? '';
    expect(arts).to.include('Closed</strong>: reported by Sarah Whitfield on');
    expect(arts).to.include('The studio closed in the summer.');
    expect(arts).not.to.include('data-testid="overdue"');
    expect(list.text, 'services never checked are listed as stale').to.match(/data-service="svc-walking"[\s\S]*?data-testid="stale"/);
    ahead = 8 * 86_400_000;
    list = await nina.get('/workspace/directory/to-check');
    expect(list.text).to.include('data-testid="overdue-callout"');
    expect(list.text.indexOf('data-service="svc-arts"'), 'overdue first').to.be.lessThan(list.text.indexOf('data-service="svc-walking"'));
    ahead = 0;
  });

  it('mark checked: If-Match (a concurrent change → "someone else changed this service", nothing written), then verified by the manager with Provenance, report settled, audited', async () => {
    const page = await nina.get('/workspace/directory/services/svc-arts');
    const fields = formFields(page.text, '/workspace/directory/services/svc-arts/checked');
    // A colleague's change lands between the manager's read and write: the server refuses with 412.
    h.lwClient.beforeTransaction = async () => {
      const now = await service('svc-arts');
      await lw.update<HealthcareService>({ ...now, comment: 'Changed by a colleague' });
    };
    let r = await nina.post('/workspace/directory/services/svc-arts/checked', fields);
    expect(r.status).to.equal(409);
    expect(r.text).to.include('Someone else changed this service');
    expect(verificationOf(await service('svc-arts')), 'nothing written').to.equal(undefined);
    expect(await openReports()).to.have.length(1);
    r = await nina.post('/workspace/directory/services/svc-arts/checked', fields);
    expect(r.status, 'the version shown is stale now').to.equal(409);
    r = await nina.post('/workspace/directory/services/svc-arts/checked', { ...fields, _csrf: '' });
    expect(r.status, 'no CSRF token').to.equal(403);
    const fresh = formFields((await nina.get('/workspace/directory/services/svc-arts')).text, '/workspace/directory/services/svc-arts/checked');
    r = await nina.post('/workspace/directory/services/svc-arts/checked', fresh);
    expect(r.status).to.equal(200);
    expect(r.text).to.include('Arts on prescription: marked as checked.');
    const hs = await service('svc-arts');
    expect(verificationOf(hs)).to.deep.include({ by: 'manager', who: 'Nina Kaur' });
    expect(hs.comment, 'the colleague\'s change kept').to.equal('Changed by a colleague');
    const prov = await provenanceOf('svc-arts');
    expect(prov).to.have.length(1);
    expect(prov[0]!.agent?.[0]?.who?.display).to.equal('Nina Kaur');
    expect(await openReports()).to.deep.equal([]);
    expect(r.text, 'no longer on the list').not.to.include('data-service="svc-arts"');
    const audit = await h.db.query<{ details: { reportsSettled: number } }>("SELECT details FROM audit_events WHERE action = 'workspace.directory-checked'");
    expect(audit.rows.map((x) => x.details.reportsSettled)).to.deep.equal([1]);
    // The label every surface shows.
    expect((await sarah.get('/workspace/directory/services/svc-arts')).text).to.match(/data-testid="service-verified">Last checked \d{1,2} \w{3} \d{4} by the service manager \(Nina Kaur\)/);
  });

  it('only managers act: a link worker\'s mark-checked is refused and nothing is written', async () => {
    const before = await service('svc-housing');
    const r = await sarah.post('/workspace/directory/services/svc-housing/checked', { _csrf: csrfOf((await sarah.get('/workspace/caseload')).text), version: before.meta!.versionId! });
    expect(r.status).to.equal(403);
    expect((await service('svc-housing')).meta?.versionId).to.equal(before.meta?.versionId);
  });

  it('record the change: validated field by field; then written with the manager as verifier', async () => {
    const page = await nina.get('/workspace/directory/services/svc-housing');
    const fields = formFields(page.text, '/workspace/directory/services/svc-housing/change');
    let r = await nina.post('/workspace/directory/services/svc-housing/change', { ...fields, phone: 'call us', email: 'not-an-email', accepting: 'yes', waitDays: '-3' });
    expect(r.status).to.equal(400);
    expect(r.text).to.include('id="change-phone-error"');
    expect(r.text).to.include('id="change-email-error"');
    expect(r.text).to.include('id="change-waitDays-error"');
    expect((await service('svc-housing')).meta?.versionId, 'nothing written').to.equal(fields.version);
    r = await nina.post('/workspace/directory/services/svc-housing/change', { ...fields, phone: '01632 960 999', email: 'housing@vale.example.org', website: '', description: 'Advice on disrepair and eviction; now Tuesdays only.', accepting: 'no', waitDays: '21' });
    expect(r.status).to.equal(200);
    const hs = await service('svc-housing');
    expect(hs.telecom?.find((t) => t.system === 'phone')?.value).to.equal('01632 960 999');
    expect(hs.telecom?.some((t) => t.system === 'url'), 'a route left empty is removed').to.equal(false);
    expect(hs.comment).to.equal('Advice on disrepair and eviction; now Tuesdays only.');
    expect(capacityOf(hs)).to.deep.include({ acceptingReferrals: false, waitDays: 21 });
    expect(verificationOf(hs)?.by).to.equal('manager');
  });

  it('mark inactive: the service leaves the pickers, is never deleted, and open referrals to it are not touched', async () => {
    const casePath = `/workspace/cases/${task.id}`;
    const csrf = csrfOf((await sarah.get(casePath)).text);
    await sarah.post(`${casePath}/onward`, { _csrf: csrf, services: 'svc-gardening', consent: 'yes' });
    const sub = ((await lw.search<Task>('Task', { 'part-of': `Task/${task.id}` })) as Bundle<Task>).entry!.map((e) => e.resource!).find((t) => t.description?.includes('Green Roots'))!;
    const fields = formFields((await nina.get('/workspace/directory/services/svc-gardening')).text, '/workspace/directory/services/svc-gardening/inactive');
    const r = await nina.post('/workspace/directory/services/svc-gardening/inactive', fields);
    expect(r.status).to.equal(200);
    expect((await service('svc-gardening')).active).to.equal(false);
    const after = await lw.read<Task>('Task', sub.id!);
    expect(after.meta?.versionId, 'the open onward referral is untouched').to.equal(sub.meta?.versionId);
    expect(after.status).to.equal('requested');
    expect((await sarah.get(`${casePath}?find=1&q=gardening`)).text).to.include('data-testid="onward-no-results"');
  });

  it('a provider updates its own capacity and waits (validated, CSRF, If-Match, Provenance): verified by the provider', async () => {
    const page = await gail.get('/workspace/our-services');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('data-service="svc-walking"');
    expect(page.text).to.include('data-service="svc-exercise-referral"');
    expect(page.text, 'only their organisation\'s services').not.to.include('data-service="svc-arts"');
    const fields = formFields(page.text, '/workspace/our-services/svc-exercise-referral/capacity');
    let r = await gail.post('/workspace/our-services/svc-exercise-referral/capacity', { ...fields, accepting: 'yes', waitDays: 'soon' });
    expect(r.status).to.equal(400);
    expect(r.text).to.include('id="capacity-svc-exercise-referral-waitDays-error"');
    expect((await gail.post('/workspace/our-services/svc-exercise-referral/capacity', { version: fields.version, accepting: 'yes' })).status, 'no CSRF token').to.equal(403);
    expect((await gail.post('/workspace/our-services/svc-exercise-referral/capacity', { ...fields, version: '0', accepting: 'yes' })).status, 'a stale version').to.equal(409);
    r = await gail.post('/workspace/our-services/svc-exercise-referral/capacity', { ...fields, accepting: 'yes', waitDays: '14' });
    expect(r.status).to.equal(200);
    const hs = await service('svc-exercise-referral');
    expect(capacityOf(hs)).to.deep.include({ acceptingReferrals: true, waitDays: 14 });
    expect(verificationOf(hs)).to.deep.include({ by: 'provider', who: 'Gail Hughes' });
    expect((await provenanceOf('svc-exercise-referral'))[0]?.agent?.[0]?.who?.display).to.equal('Gail Hughes');
    expect(r.text).to.match(/Last checked \d{1,2} \w{3} \d{4} by the provider \(Gail Hughes\)/);
    // The link worker's picker now offers it, with the same label.
    const picker = await sarah.get(`/workspace/cases/${task.id}?find=1&q=exercise`);
    expect(picker.text).not.to.match(/value="svc-exercise-referral" disabled/);
    expect(picker.text).to.include('by the provider (Gail Hughes)');
  });

  it('a provider cannot change another organisation\'s service; link workers cannot use the portal', async () => {
    const other = await service('svc-debt-advice');
    const csrf = csrfOf((await gail.get('/workspace/our-services')).text);
    const r = await gail.post('/workspace/our-services/svc-debt-advice/capacity', { _csrf: csrf, version: other.meta!.versionId!, accepting: 'no' });
    expect(r.status).to.equal(403);
    expect((await service('svc-debt-advice')).meta?.versionId).to.equal(other.meta?.versionId);
    expect((await sarah.get('/workspace/our-services')).url).to.match(/\/workspace\/caseload$/);
    expect((await sarah.post('/workspace/our-services/svc-walking/capacity', { _csrf: csrfOf((await sarah.get('/workspace/caseload')).text), version: '1', accepting: 'no' })).status).to.equal(403);
  });

  it('workload per service: exact for the manager, small numbers suppressed for the commissioner; not for link workers', async () => {
    const casePath = `/workspace/cases/${task.id}`;
    await sarah.post(`${casePath}/onward`, { _csrf: csrfOf((await sarah.get(casePath)).text), services: 'svc-walking', consent: 'yes' });
    const walking = ((await lw.search<Task>('Task', { 'part-of': `Task/${task.id}` })) as Bundle<Task>).entry!.map((e) => e.resource!).find((t) => t.description?.includes('Healthy Steps'))!;
    const path = `/workspace/referrals/${walking.id}`;
    const accepted = await gail.post(`${path}/accept`, formFields((await gail.get(path)).text, `${path}/accept`));
    expect((await gail.post(`${path}/attended`, formFields(accepted.text, `${path}/attended`))).status).to.equal(200);
    const w = await nina.get('/workspace/directory/workload');
    expect(w.status).to.equal(200);
    const row = /<tr[^>]*data-service-name="Healthy Steps walking group"[\s\S]*?<\/tr>/.exec(w.text)?.[0] ?? '';
    const count = (c: string) => new RegExp(`data-count="${c}">([^<]*)<`).exec(row)?.[1];
    expect([count('received'), count('accepted'), count('attended'), count('declined')]).to.deep.equal(['1', '1', '1', '0']);
    const c = await carol.get('/workspace/directory/workload');
    expect(c.status).to.equal(200);
    expect(c.text).to.include('data-testid="suppression-note"');
    const crow = /<tr[^>]*data-service-name="Healthy Steps walking group"[\s\S]*?<\/tr>/.exec(c.text)?.[0] ?? '';
    expect(crow).to.include('data-count="received">&lt;8<');
    expect((await sarah.get('/workspace/directory/workload')).url).to.match(/\/workspace\/caseload$/);
  });

  it('a provider sees its own services\' workload in the portal, and no other organisation\'s figures', async () => {
    // Another organisation's service has a referral too: it must not reach the walking group's organiser.
    const casePath = `/workspace/cases/${task.id}`;
    await sarah.post(`${casePath}/onward`, { _csrf: csrfOf((await sarah.get(casePath)).text), services: 'svc-arts', consent: 'yes' });
    const page = await gail.get('/workspace/our-services');
    expect(page.status).to.equal(200);
    const section = (id: string) => new RegExp(`data-service="${id}"[\\s\\S]*?</form></div>`).exec(page.text)?.[0] ?? '';
    const count = (html: string, c: string) => new RegExp(`data-count="${c}">([^<]*)<`).exec(html)?.[1];
    const walking = section('svc-walking');
    expect(walking).to.include('data-testid="own-workload"');
    expect(['received', 'accepted', 'attended', 'declined'].map((c) => count(walking, c)), 'exact, as for the manager').to.deep.equal(['1', '1', '1', '0']);
    expect(['received', 'accepted', 'attended', 'declined'].map((c) => count(section('svc-exercise-referral'), c))).to.deep.equal(['0', '0', '0', '0']);
    expect(page.text, 'no other organisation\'s service or figures').not.to.match(/svc-arts|Arts on prescription/);
    // The workload of every service is for managers and commissioners: the provider is sent to its own referrals.
    expect((await gail.get('/workspace/directory/workload')).url).to.match(/\/workspace\/referrals$/);
    expect((await gail.post('/workspace/our-services/svc-arts/capacity', { _csrf: csrfOf(page.text), version: (await service('svc-arts')).meta!.versionId!, accepting: 'no' })).status).to.equal(403);
  });
});
