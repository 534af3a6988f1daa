import { expect } from 'chai';
import type { Observation, Provenance, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';
import { makeGpReferral } from './gp-referral.js';

const today = () => new Date().toISOString().slice(0, 10);

/** Hidden fields of the case page form with `data-form="key"` (one correction form per recorded measure). */
function fixFields(html: string, key: string): Record<string, string> {
  const i = html.indexOf(`data-form="${key}"`);
  if (i < 0) throw new Error(`no form ${key}`);
  const chunk = html.slice(i, i + 800);
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(chunk)?.[1] ?? '';
  return { _csrf: field('_csrf'), version: field('version'), observation: field('observation'), observationVersion: field('observationVersion') };
}

describe('workspace: correcting a recorded outcome measure (HTTP)', () => {
  let h: WorkspaceHarness;
  let lw: FhirClient;
  let task: Task;
  let sarah: Browser;
  let obsId: string;
  const casePath = () => `/workspace/cases/${task.id}`;
  const current = () => lw.read<Task>('Task', task.id!);
  const observation = () => lw.read<Observation>('Observation', obsId);
  const page = async () => (await sarah.get(casePath())).text;
  async function act(action: string, form: Record<string, string> = {}) {
    return sarah.post(`${casePath()}/${action}`, { ...formFields(await page(), `${casePath()}/${action}`), ...form });
  }
  const correct = async (form: Record<string, string>, fields?: Record<string, string>) =>
    sarah.post(`${casePath()}/correct-outcome`, { ...(fields ?? fixFields(await page(), `correct-${obsId}`)), ...form });
  const inError = async (form: Record<string, string>) =>
    sarah.post(`${casePath()}/outcome-error`, { ...fixFields(await page(), `in-error-${obsId}`), ...form });

  before(async () => {
    h = await startWorkspaceHarness();
    lw = new FhirClient({ baseUrl: `${h.url}/sandbox/lw/fhir` });
    ({ task } = await makeGpReferral({ ehr: `${h.url}/sandbox/ehr/fhir`, lw: `${h.url}/sandbox/lw/fhir` }, 7));
    sarah = new Browser(h.url);
    await sarah.signIn('sarah.whitfield');
    await act('accept');
    await act('contact', { date: today(), method: 'phone', outcome: 'successful' });
    await act('outcome', { instrument: 'swemwbs', date: today(), 'score-total': '18' });
    const ref = (await current()).output?.find((o) => o.type.coding?.[0]?.code === 'outcome-measure')?.valueReference?.reference;
    obsId = ref!.split('/')[1]!;
  });
  after(async () => {
    await h?.stop();
  });

  it('bad input: reason required and scores in range, field by field; nothing written', async () => {
    const [t, o] = [await current(), await observation()];
    const r = await correct({ 'score-total': '99', reason: '' });
    expect(r.status).to.equal(400);
    expect(r.text).to.include(`id="correct-${obsId}-reason-error"`);
    expect(r.text).to.include('Enter why the score is being corrected');
    expect(r.text).to.include(`id="correct-${obsId}-score-total-error"`);
    expect(r.text).to.include('The score must be from 7 to 35');
    const e = await inError({ reason: '  ' });
    expect(e.status).to.equal(400);
    expect(e.text).to.include('Enter why this measure was recorded in error');
    expect((await current()).meta?.versionId).to.equal(t.meta?.versionId);
    expect((await observation()).meta?.versionId).to.equal(o.meta?.versionId);
  });

  it('refuses a measure that is not part of this case, and a post without the CSRF token', async () => {
    const fields = fixFields(await page(), `correct-${obsId}`);
    const other = await correct({ 'score-total': '20', reason: 'typo' }, { ...fields, observation: 'not-this-case' });
    expect(other.status).to.equal(404);
    const noCsrf = await correct({ 'score-total': '20', reason: 'typo' }, { ...fields, _csrf: '' });
    expect(noCsrf.status).to.equal(403);
    expect((await observation()).valueInteger).to.equal(18);
  });

  it('a measure changed since it was read: "someone else changed this case", nothing written', async () => {
    const stale = fixFields(await page(), `correct-${obsId}`);
    const o = await observation();
    await lw.update({ ...o, issued: new Date().toISOString() });
    const r = await correct({ 'score-total': '20', reason: 'typo' }, stale);
    expect(r.status).to.equal(409);
    expect(r.text).to.include('Someone else changed this case');
    expect((await observation()).valueInteger).to.equal(18);

    // And a change between our read and our write fails the If-Match update (412) as a whole.
    const t = await current();
    h.lwClient.beforeTransaction = async () => {
      const now = await observation();
      await lw.update({ ...now, issued: new Date(Date.now() + 1000).toISOString() });
    };
    const r2 = await correct({ 'score-total': '20', reason: 'typo' });
    h.lwClient.beforeTransaction = undefined;
    expect(r2.status).to.equal(409);
    expect((await observation()).valueInteger).to.equal(18);
    expect((await current()).meta?.versionId, 'Task unchanged').to.equal(t.meta?.versionId);
  });

  it('corrects a mistyped score: Observation corrected with the reason, Task touched, Provenance names the link worker', async () => {
    const before = await current();
    const r = await correct({ 'score-total': '24', reason: 'Typed 18 instead of 24' });
    expect(r.status).to.equal(200);
    expect(r.text).to.include('Outcome measure corrected.');
    expect(r.text).to.include('data-testid="corrected"');
    const o = await observation();
    expect(o).to.deep.include({ status: 'corrected', valueInteger: 24 });
    expect(o.note?.at(-1)?.text).to.equal('Corrected (was 18): Typed 18 instead of 24');
    expect(o.note?.at(-1)?.authorReference?.reference).to.equal('Practitioner/lw-1');
    const t = await current();
    expect(Number(t.meta?.versionId)).to.equal(Number(before.meta?.versionId) + 1);
    expect(t.note?.at(-1)?.text).to.match(/^Outcome measure corrected: .*\nWas 18, now 24\. Reason: Typed 18 instead of 24$/);
    const provs = await lw.search<Provenance>('Provenance', { target: `Observation/${obsId}` });
    const p = provs.entry?.map((e) => e.resource!).find((x) => x.entity?.[0]?.what.reference?.endsWith(`/Task/${task.id}/_history/${before.meta?.versionId}`));
    expect(p?.agent[0]?.who?.reference).to.equal('Practitioner/lw-1');
    expect(p?.target.map((x) => x.reference)).to.include.members([`Task/${task.id}`, `Observation/${obsId}`]);
  });

  it('after completion, marks a measure recorded in error: struck out, never deleted, no further changes', async () => {
    // One SWEMWBS, at the start only: completing asks first, and writes nothing until the link worker confirms.
    const before = await current();
    const ask = await act('complete', { summary: 'Walks weekly.' });
    expect(ask.status).to.equal(200);
    expect(ask.text).to.include('data-testid="confirm-complete"').and.include('Short Warwick-Edinburgh').and.include('Walks weekly.');
    expect((await current()).meta?.versionId, 'nothing written yet').to.equal(before.meta?.versionId);
    await act('complete', { summary: 'Walks weekly.', confirm: 'yes' });
    expect((await current()).status).to.equal('completed');
    const r = await inError({ reason: 'Recorded against the wrong person' });
    expect(r.status).to.equal(200);
    expect(r.text).to.include('Outcome measure marked as recorded in error.');
    expect(r.text).to.include('data-testid="in-error"');
    expect(r.text).to.not.include(`data-form="correct-${obsId}"`);
    const o = await observation();
    expect(o).to.deep.include({ status: 'entered-in-error', valueInteger: 24 });
    expect(o.note?.at(-1)?.text).to.equal('Recorded in error: Recorded against the wrong person');
    expect((await current()).status, 'the case stays completed').to.equal('completed');

    // A stale form for the retracted measure is refused.
    const again = await correct({ 'score-total': '25', reason: 'x' }, {
      ...formFields(await page(), '/workspace/logout'), version: (await current()).meta!.versionId!, observation: obsId, observationVersion: o.meta!.versionId!,
    });
    expect(again.status).to.equal(409);
    expect(again.text).to.include('recorded in error and can no longer be changed');
    expect((await observation()).status).to.equal('entered-in-error');
  });
});
