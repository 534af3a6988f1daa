import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { londonDate } from '../../../src/time/london.js';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';
import { makeGpReferral } from './gp-referral.js';

const DAY = 86_400_000;

/** Follow-up after completion over HTTP, on the workspace's own clock moved on by months (config default: 3 and 6). */
describe('workspace: a follow-up falls due months after completion and its measures are recorded (HTTP, controlled clock)', function () {
  this.timeout(240_000);
  let h: WorkspaceHarness;
  let lw: FhirClient;
  let task: Task;
  let clock = new Date();
  const b = () => browser;
  let browser: Browser;

  before(async () => {
    h = await startWorkspaceHarness({ now: () => clock });
    lw = new FhirClient({ baseUrl: `${h.url}/sandbox/lw/fhir` });
    ({ task } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }));
    // The clock starts after the referral was made (a Task is never changed before it was authored).
    clock = new Date(Date.now() + 60_000);
    browser = new Browser(h.url);
    await browser.signIn('sarah.whitfield');
  });
  after(async () => {
    await h?.stop();
  });

  const casePath = () => `/workspace/cases/${task.id}`;
  async function act(action: string, form: Record<string, string | string[]> = {}) {
    const page = await b().get(casePath());
    return b().post(`${casePath()}/${action}`, { ...formFields(page.text, `${casePath()}/${action}`), ...form });
  }
  const followUps = async () => (await b().get('/workspace/caseload?view=follow-up')).text;

  it('is not due at completion; 3 months on the case is listed and offers the measures again; recording one makes it done', async () => {
    const today = () => londonDate(clock);
    const accepted = await act('accept');
    expect(accepted.text, accepted.text.slice(accepted.text.indexOf('<main'), accepted.text.indexOf('<main') + 1500)).to.include('Referral accepted.');
    await act('session', { date: today(), mode: 'telephone', durationMinutes: '30' });
    await act('outcome', { instrument: 'ucla3', date: today(), 'score-total': '8' });
    clock = new Date(clock.getTime() + 30 * DAY);
    await act('outcome', { instrument: 'ucla3', date: today(), 'score-total': '6' });
    const done = await act('complete', { summary: 'Goes to the lunch club twice a week.' });
    expect(done.text).to.include('Case completed.');
    expect((await lw.read<Task>('Task', task.id!)).executionPeriod?.end).to.equal(clock.toISOString());
    expect(await followUps()).to.not.include(`data-case-id="${task.id}"`);
    expect((await b().get(casePath())).text, 'closed: no outcome form before a follow-up is due').to.include('This case is closed').and.not.include(`action="${casePath()}/outcome"`);

    clock = new Date(clock.getTime() + 93 * DAY);
    const list = await followUps();
    expect(list).to.include(`data-case-id="${task.id}"`).and.include('Follow-up at 3 months due');
    const page = await b().get(casePath());
    expect(page.text).to.include('data-testid="follow-up-due"').and.include(`action="${casePath()}/outcome"`);

    const saved = await act('outcome', { instrument: 'ucla3', date: today(), 'score-total': '4' });
    expect(saved.status).to.equal(200);
    const t = await lw.read<Task>('Task', task.id!);
    expect(t.status).to.equal('completed');
    expect(t.note?.at(-1)?.text).to.equal('Follow-up at 3 months\nOutcome measures repeated: UCLA 3-item Loneliness Scale total');
    expect(t.output?.filter((o) => o.type.coding?.[0]?.code === 'outcome-measure')).to.have.length(3);
    expect(await followUps()).to.not.include(`data-case-id="${task.id}"`);
    // The same day, another measure joins the follow-up; the next day it is closed until the 6-month one.
    expect((await act('outcome', { instrument: 'swemwbs', date: today(), 'score-total': '25' })).status).to.equal(200);
    clock = new Date(clock.getTime() + DAY);
    expect((await b().get(casePath())).text).to.include('This case is closed').and.not.include(`action="${casePath()}/outcome"`);
  });
});
