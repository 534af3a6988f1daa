import { expect } from 'chai';
import type { Observation, Provenance, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { londonDate } from '../../../src/time/london.js';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';
import { makeGpReferral } from './gp-referral.js';

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe('workspace: a case from referral to completion (HTTP)', () => {
  let h: WorkspaceHarness;
  let lw: FhirClient;
  let task: Task;
  const sarah = () => new Browser(h.url);
  let b: Browser;

  before(async () => {
    h = await startWorkspaceHarness();
    lw = new FhirClient({ baseUrl: `${h.url}/sandbox/lw/fhir` });
    ({ task } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }));
    b = sarah();
    const landed = await b.signIn('sarah.whitfield');
    expect(landed.url).to.match(/\/workspace\/caseload$/);
  });
  after(async () => {
    await h?.stop();
  });

  const casePath = () => `/workspace/cases/${task.id}`;
  async function act(action: string, form: Record<string, string | string[]> = {}) {
    const page = await b.get(casePath());
    return b.post(`${casePath()}/${action}`, { ...formFields(page.text, `${casePath()}/${action}`), ...form });
  }
  const current = () => lw.read<Task>('Task', task.id!);

  it('lists the new referral for the organisation, findable by name and NHS number', async () => {
    const list = await b.get('/workspace/caseload?view=new');
    expect(list.status).to.equal(200);
    expect(list.text).to.include(`data-case-id="${task.id}"`);
    const nhs = task.for!.identifier!.value!;
    const byNhs = await b.get(`/workspace/caseload?view=new&q=${nhs.slice(0, 3)}%20${nhs.slice(3, 6)}%20${nhs.slice(6)}`);
    expect(byNhs.text).to.include(`data-case-id="${task.id}"`);
    const name = new RegExp(`data-case-id="${task.id}">\\s*<td class="nhsuk-table__cell"[^>]*><span[^>]*>Person </span><span><a [^>]+>([^<]+)<`).exec(byNhs.text)?.[1];
    expect(name).to.be.a('string').and.not.equal('Name not given');
    const byName = await b.get(`/workspace/caseload?view=new&q=${encodeURIComponent(name!.split(' ').at(-1)!.toLowerCase())}`);
    expect(byName.text).to.include(`data-case-id="${task.id}"`);
    // Demo Tasks carry no demographics, only Task.for → the EHR Patient: their names come from the GP record.
    const all = await b.get('/workspace/caseload?view=all');
    expect(all.text).to.include('data-case-id="task-ref-06"');
    expect(all.text).to.not.include('Name not given');
    const none = await b.get('/workspace/caseload?view=new&q=zzzzqqq');
    expect(none.text).to.include('No cases match your search');
  });

  it('shows the referral: needs, what matters, consent, contact preference and safe times, accessibility, safeguarding', async () => {
    const page = await b.get(casePath());
    expect(page.status).to.equal(200);
    for (const s of ['Loneliness', 'Getting out of the house and meeting people again', 'Weekday mornings before 11', 'Large print', 'No concern flagged', 'Telephone call', 'Given on']) {
      expect(page.text).to.include(s);
    }
    expect(page.text).to.include('Accept referral');
  });

  it('accepts: Task accepted and owned by the link worker, with a Provenance naming her', async () => {
    const before = await current();
    const r = await act('accept');
    expect(r.status).to.equal(200);
    expect(r.text).to.include('Referral accepted.');
    // Back on the case, scrolled to what changed, with the confirmation there; shown once.
    expect(new URL(r.url).hash).to.equal('#case-summary');
    expect(r.text).to.match(/id="case-summary"[^>]*>\s*<div class="nhsuk-notification-banner nhsuk-notification-banner--success"[^]*?Saved<\/h2>[^]*?Referral accepted\./);
    expect((await b.get(casePath())).text).to.not.include('data-testid="saved"');
    const t = await current();
    expect(t.status).to.equal('accepted');
    expect(t.owner?.reference).to.equal('PractitionerRole/lw-1-role');
    expect(Number(t.meta?.versionId)).to.equal(Number(before.meta?.versionId) + 1);
    const prov = await lw.search<Provenance>('Provenance', { target: `Task/${task.id}` });
    const p = prov.entry?.map((e) => e.resource!).find((x) => x.entity?.[0]?.what.reference?.endsWith(`/Task/${task.id}/_history/${before.meta?.versionId}`));
    expect(p?.agent[0]?.who?.display).to.equal('Sarah Whitfield');
    expect(p?.agent[0]?.who?.reference).to.equal('Practitioner/lw-1');
    const mine = await b.get('/workspace/caseload?view=mine');
    expect(mine.text).to.include(`data-case-id="${task.id}"`);
  });

  it('records a failed and a successful contact attempt; date fields start at today in England', async () => {
    const page = await b.get(casePath());
    for (const form of ['contact', 'session', 'outcome-swemwbs']) {
      expect(page.text).to.include(`id="${form}-date" name="date" type="date" value="${londonDate(new Date())}"`);
    }
    const saved = await act('contact', { date: daysAgo(2), method: 'phone', outcome: 'unsuccessful' });
    expect(new URL(saved.url).hash).to.equal('#case-record');
    expect(saved.text).to.match(/id="case-record"[^>]*>\s*<div class="nhsuk-notification-banner[^]*?Contact attempt saved\./);
    let t = await current();
    expect(t.businessStatus?.coding?.[0]?.code).to.equal('contact-attempted');
    const r = await act('contact', { date: daysAgo(1), method: 'sms', outcome: 'successful', note: 'Agreed to meet on Friday' });
    expect(r.text).to.include('data-testid="contact-counts">1 successful, 1 failed');
    t = await current();
    expect(t.status).to.equal('in-progress');
    expect(t.businessStatus?.coding?.[0]?.code).to.equal('first-contact-made');
  });

  it('records two sessions, start and end SWEMWBS, and a plan from the directory', async () => {
    await act('session', { date: daysAgo(1), mode: 'face-to-face', durationMinutes: '60', notes: 'What matters conversation' });
    await act('outcome', { instrument: 'swemwbs', date: daysAgo(1), 'score-total': '18' });
    await act('plan', { whatMatters: 'Meeting people', goals: 'Join a walking group\nVisit the library', services: ['svc-walking', 'svc-digital'] });
    await act('session', { date: today(), mode: 'accompanied', durationMinutes: '90' });
    const r = await act('outcome', { instrument: 'swemwbs', date: today(), 'score-total': '24' });
    expect(new URL(r.url).hash).to.equal('#outcomes');
    expect(r.text).to.match(/id="outcomes"[^>]*>\s*<div class="nhsuk-notification-banner[^]*?Outcome measure saved\./);
    expect(r.text).to.include('data-testid="sessions-held">2<');
    expect(r.text).to.include('data-testid="outcomes"');
    const t = await current();
    const held = t.output?.find((o) => o.type.coding?.[0]?.code === 'sessions-held');
    expect(held?.valueInteger).to.equal(2);
    expect(t.output?.filter((o) => o.type.coding?.[0]?.code === 'activity-referred').map((o) => o.valueString)).to.deep.equal(['Healthy Steps walking group', 'Get Online Fernbridge']);
    const refs = t.output?.filter((o) => o.type.coding?.[0]?.code === 'outcome-measure').map((o) => o.valueReference?.reference) ?? [];
    expect(refs).to.have.length(2);
    const scores = await Promise.all(refs.map((ref) => lw.read<Observation>('Observation', ref!.split('/')[1]!)));
    expect(scores.map((o) => o.valueInteger)).to.deep.equal([18, 24]);
    expect(scores[0]!.basedOn?.[0]?.reference).to.equal(t.focus?.reference);
    expect(scores[0]!.subject?.reference).to.match(/\/sandbox\/ehr\/fhir\/Patient\/pat-03$/);
  });

  it("changes the person's needs with a reason: the Task carries them, the case page shows them and why", async () => {
    const bad = await act('needs', { reason: ' ' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('Select at least one need').and.include('Enter why the needs have changed');
    const r = await act('needs', { needs: ['housing', 'debt-money'], reason: 'Rent arrears came up at the second session' });
    expect(new URL(r.url).hash).to.equal('#case-summary');
    expect(r.text).to.include('Needs updated.').and.include('data-testid="needs-now"').and.include('Rent arrears came up at the second session');
    const t = await current();
    expect(t.output?.filter((o) => o.type.coding?.[0]?.code === 'needs-identified').map((o) => o.valueCodeableConcept?.coding?.[0]?.code)).to.deep.equal(['housing', 'debt-money']);
    expect(t.note?.at(-1)?.text).to.match(/^Needs changed\nNow: Housing problem, Debt or money worries\n[^]*Reason: Rent arrears came up at the second session$/);
  });

  it('completes with a summary for the GP and the social outcomes ticked', async () => {
    const form = await b.get(casePath());
    expect(form.text).to.include('What changed in the person’s life (optional)').and.include('value="group-attending"');
    const bad = await act('complete', { summary: 'Done', socialOutcomes: ['won-the-lottery'] });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.include('Select social outcomes from the list');
    const r = await act('complete', { summary: 'Now walks weekly and uses the library tablet loan.', socialOutcomes: ['group-attending', 'digital-skills'] });
    expect(r.text).to.include('Case completed.');
    const t = await current();
    expect(t.status).to.equal('completed');
    expect(t.output?.find((o) => o.type.coding?.[0]?.code === 'summary')?.valueString).to.equal('Now walks weekly and uses the library tablet loan.');
    expect(t.output?.filter((o) => o.type.coding?.[0]?.code === 'social-outcome').map((o) => o.valueCodeableConcept?.coding?.[0]?.code)).to.deep.equal(['group-attending', 'digital-skills']);
    const closed = await b.get(casePath());
    expect(closed.text).to.include('This case is closed');
  });
});
