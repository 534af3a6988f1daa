import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION } from '../../../../src/referral-model/codes.js';
import { parseAction, type ActionKind, type ActionInput } from '../../../../src/workspace/domain/schemas.js';
import { buildChange, type ChangeContext, type TaskChange } from '../../../../src/workspace/domain/task-builders.js';
import { readCase } from '../../../../src/workspace/domain/case-state.js';
import { buildChangeBundle } from '../../../../src/workspace/domain/change-bundle.js';
import { validateForWrite } from '../../../../src/fhir/validate/index.js';
import { loadBaseR4 } from '../../../../src/fhir/validate/definitions.js';
import { amira, ctx, LW_BASE, manager, NOW, PATIENT_REF, referralTask, TODAY } from '../fixtures.js';

function input<K extends ActionKind>(kind: K, body: Record<string, unknown>): ActionInput<K> {
  const r = parseAction(kind, body, TODAY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function apply<K extends ActionKind>(task: Task, kind: K, body: Record<string, unknown>, c: ChangeContext = ctx()): TaskChange {
  const r = buildChange(kind, task, input(kind, body), c);
  if (!r.ok) throw new Error(r.message);
  // Every resource the workspace writes conforms to SP Link's profiles.
  validateForWrite(r.change.task);
  for (const o of r.change.observations) validateForWrite(o.resource);
  // Simulate the server: the next version.
  r.change.task.meta = { ...r.change.task.meta, versionId: String(Number(task.meta?.versionId ?? 0) + 1) };
  return r.change;
}

const accepted = () => apply(referralTask(), 'accept', {}).task;

describe('workspace Task builders', () => {
  // validateForWrite needs the R4 definitions indexed before its first call.
  before(() => loadBaseR4());
  it('accept: requested → accepted, awaiting contact, assigned to the accepting link worker', () => {
    const before = referralTask();
    const t = apply(before, 'accept', {}).task;
    expect(t.status).to.equal('accepted');
    expect(readCase(t).businessStatus).to.equal('awaiting-contact');
    expect(readCase(t).assignee).to.deep.equal({ reference: 'PractitionerRole/lw-amira-role', display: amira.name });
    expect(t.lastModified).to.equal(NOW.toISOString());
    expect(before.status, 'input untouched').to.equal('requested');
  });

  it('accept is refused once the case is open or closed', () => {
    const r = buildChange('accept', accepted(), {}, ctx());
    expect(r.ok).to.equal(false);
  });

  it('decline: rejected with the coded reason and the note as text', () => {
    const t = apply(referralTask(), 'decline', { reason: 'service-at-capacity', note: 'Waiting list closed' }).task;
    expect(t.status).to.equal('rejected');
    expect(t.statusReason?.coding?.[0]).to.include({ system: CODE_SYSTEM.statusReason, code: 'service-at-capacity' });
    expect(t.statusReason?.text).to.equal('Waiting list closed');
    expect(buildChange('decline', accepted(), input('decline', { reason: 'not-eligible' }), ctx()).ok, 'accepted: close instead').to.equal(false);
  });

  it('assign makes the link worker\'s PractitionerRole the owner (Gravity: owner may be a person)', () => {
    const ben = { reference: 'PractitionerRole/lw-ben-role', display: 'Ben Okafor' };
    const t = apply(referralTask(), 'assign', { linkWorker: ben.reference }, ctx({ actor: manager, assignee: ben })).task;
    expect(readCase(t).assignee).to.deep.equal(ben);
    expect(t.owner).to.deep.equal(ben);
    expect(buildChange('assign', referralTask(), input('assign', { linkWorker: 'PractitionerRole/other' }), ctx({ assignee: ben })).ok, 'not the checked team member').to.equal(false);
  });

  it('contact attempts: counted; after N failures without contact the Task fails as "could not contact"', () => {
    let t = accepted();
    const fail = { date: TODAY, method: 'phone', outcome: 'unsuccessful' };
    t = apply(t, 'contact', fail).task;
    expect(readCase(t)).to.include({ failedContacts: 1, businessStatus: 'contact-attempted', status: 'accepted' });
    t = apply(t, 'contact', fail).task;
    expect(t.status).to.equal('accepted');
    t = apply(t, 'contact', fail).task;
    expect(t.status).to.equal('failed');
    expect(readCase(t)).to.include({ failedContacts: 3, businessStatus: 'could-not-contact', statusReason: 'could-not-contact' });
    expect(buildChange('contact', t, input('contact', fail), ctx()).ok, 'closed case').to.equal(false);
  });

  it('a successful contact moves the case in progress and stops the failure count mattering', () => {
    let t = accepted();
    t = apply(t, 'contact', { date: TODAY, method: 'phone', outcome: 'unsuccessful' }).task;
    t = apply(t, 'contact', { date: TODAY, method: 'sms', outcome: 'successful', note: 'Agreed to meet' }).task;
    expect(readCase(t)).to.include({ status: 'in-progress', businessStatus: 'first-contact-made', failedContacts: 1, successfulContacts: 1 });
    for (let i = 0; i < 3; i++) t = apply(t, 'contact', { date: TODAY, method: 'phone', outcome: 'unsuccessful' }).task;
    expect(t.status).to.equal('in-progress');
  });

  it('sessions: recorded in the case record, counted in output sessions-held', () => {
    let t = accepted();
    t = apply(t, 'session', { date: '2026-11-21', mode: 'face-to-face', durationMinutes: '60', notes: 'What matters: getting out' }).task;
    expect(readCase(t).businessStatus).to.equal('what-matters-conversation');
    t = apply(t, 'session', { date: TODAY, mode: 'accompanied', durationMinutes: '90' }).task;
    const c = readCase(t);
    expect(c.businessStatus).to.equal('sessions-ongoing');
    expect(c.sessions.map((s) => [s.date, s.method, s.durationMinutes])).to.deep.equal([['2026-11-21', 'face-to-face', 60], ['2026-11-24', 'accompanied', 90]]);
    const held = t.output?.filter((o) => o.type.coding?.[0]?.code === 'sessions-held');
    expect(held).to.have.length(1);
    expect(held?.[0]?.valueInteger).to.equal(2);
  });

  it('plan: goals in the record, directory services as activity-referred text', () => {
    const t = apply(accepted(), 'plan', { whatMatters: 'Seeing people', goals: 'Join a choir', services: ['hs-choir'] }, ctx({ serviceNames: { 'hs-choir': 'Riverside Community Choir' } })).task;
    expect(readCase(t).businessStatus).to.equal('connected-to-service');
    expect(readCase(t).servicesConnected).to.deep.equal([{ reference: undefined, display: 'Riverside Community Choir' }]);
    expect(buildChange('plan', accepted(), input('plan', { whatMatters: 'x', goals: 'y', services: 'hs-unknown' }), ctx({ serviceNames: {} })).ok).to.equal(false);
  });

  it('outcome: one Observation per measure, referenced from output, basedOn the referral', () => {
    const change = apply(accepted(), 'outcome', { instrument: 'swemwbs', date: TODAY, 'score-total': '19' });
    expect(change.observations).to.have.length(1);
    const obs = change.observations[0]!;
    expect(obs.resource).to.include({ resourceType: 'Observation', status: 'final', valueInteger: 19, effectiveDateTime: TODAY });
    expect(obs.resource.subject?.reference).to.equal(PATIENT_REF);
    expect(obs.resource.basedOn?.[0]?.reference).to.equal(referralTask().focus?.reference);
    expect(obs.resource.code.coding?.[0]).to.include({ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' });
    const out = change.task.output?.find((o) => o.valueReference?.reference === obs.fullUrl);
    expect(out?.type.coding?.[0]?.code).to.equal('outcome-measure');
  });

  it('outcome with items writes components', () => {
    const change = apply(accepted(), 'outcome', { instrument: 'ons4', date: TODAY, 'score-ons4-life-satisfaction': '7', 'score-ons4-worthwhile': '8', 'score-ons4-happiness': '6', 'score-ons4-anxiety': '2' });
    const obs = change.observations[0]!.resource;
    expect(obs.valueInteger).to.equal(undefined);
    expect(obs.component?.map((c) => [c.code.coding?.[0]?.code, c.valueInteger])).to.deep.equal([
      ['ons4-life-satisfaction', 7], ['ons4-worthwhile', 8], ['ons4-happiness', 6], ['ons4-anxiety', 2],
    ]);
  });

  it('safeguarding: the concern extension the reconciler reads, priority urgent', () => {
    const t = apply(accepted(), 'safeguarding', { detail: 'Disclosed financial abuse by a relative' }).task;
    const ext = t.extension?.find((e) => e.url === EXTENSION.safeguardingConcern);
    expect(ext?.extension).to.deep.equal([{ url: 'flag', valueBoolean: true }, { url: 'detail', valueString: 'Disclosed financial abuse by a relative' }]);
    expect(t.priority).to.equal('urgent');
  });

  it('complete with social outcomes: one coded social-outcome output each, replacing none of the others, and a case-record line', () => {
    const done = apply(apply(accepted(), 'session', { date: TODAY, mode: 'telephone', durationMinutes: '30' }).task, 'complete', {
      summary: 'Moved into a council flat; goes to the choir', socialOutcomes: ['housing-secured', 'group-attending', 'housing-secured'],
    }).task;
    const social = (done.output ?? []).filter((o) => o.type?.coding?.[0]?.code === 'social-outcome');
    expect(social.map((o) => o.valueCodeableConcept?.coding?.[0])).to.deep.equal([
      { system: CODE_SYSTEM.socialOutcome, code: 'housing-secured', display: 'Housing secured or improved' },
      { system: CODE_SYSTEM.socialOutcome, code: 'group-attending', display: 'Connected to a community group and still attending' },
    ]);
    expect(readCase(done).summary).to.equal('Moved into a council flat; goes to the choir');
    expect(done.note?.at(-1)?.text).to.contain('Social outcomes: Housing secured or improved; Connected to a community group and still attending');
    const none = apply(accepted(), 'complete', { summary: 'Did not want more support' }).task;
    expect((none.output ?? []).some((o) => o.type?.coding?.[0]?.code === 'social-outcome')).to.equal(false);
  });

  it('complete: completed with a summary output; close: cancelled or failed with a reason', () => {
    expect(buildChange('outcome', accepted(), input('outcome', { instrument: 'ucla3', date: TODAY, 'score-total': '5' }), ctx({ patientReference: undefined })).ok, 'no patient').to.equal(false);
    const done = apply(apply(accepted(), 'session', { date: TODAY, mode: 'telephone', durationMinutes: '30' }).task, 'complete', { summary: 'Now attends the choir weekly' }).task;
    expect(done.status).to.equal('completed');
    expect(readCase(done).summary).to.equal('Now attends the choir weekly');
    expect(buildChange('complete', referralTask(), input('complete', { summary: 'x' }), ctx()).ok, 'new referral').to.equal(false);
    expect(apply(accepted(), 'close', { reason: 'patient-withdrew' }).task.status).to.equal('cancelled');
    expect(apply(accepted(), 'close', { reason: 'could-not-contact' }).task.status).to.equal('failed');
    expect(buildChange('close', done, input('close', { reason: 'patient-moved' }), ctx()).ok).to.equal(false);
  });

  it('signpost only (triage): a new referral ends completed, signposted, with what was offered as the summary', () => {
    const names = ctx({ serviceNames: { 'hs-debt': 'Vale Debt Advice' } });
    const t = apply(referralTask(), 'signpost', { services: 'hs-debt', advice: 'Gave the number for the debt advice drop-in' }, names).task;
    expect(t.status).to.equal('completed');
    expect(readCase(t).businessStatus).to.equal('signposted');
    expect(readCase(t).summary).to.contain('Vale Debt Advice').and.contain('Gave the number for the debt advice drop-in').and.contain('not taken on');
    expect(readCase(t).servicesConnected, 'signposting is not a connection').to.deep.equal([]);
    expect(t.note?.at(-1)?.text).to.match(/^Signposted only/);
    expect(buildChange('signpost', accepted(), input('signpost', { advice: 'x' }), names).ok, 'an open case').to.equal(false);
    expect(buildChange('signpost', referralTask(), input('signpost', { services: 'hs-unknown', advice: 'x' }), names).ok, 'unknown service').to.equal(false);
    const bad = parseAction('signpost', { services: '../x', advice: '' }, TODAY);
    expect(bad.ok).to.equal(false);
    expect(!bad.ok && Object.keys(bad.errors).sort()).to.deep.equal(['advice', 'services']);
  });

  it('change bundle: Observations, conditional Task PUT and a Provenance naming the user', () => {
    const task = accepted();
    const change = apply(task, 'outcome', { instrument: 'ucla3', date: TODAY, 'score-total': '7' });
    const bundle = buildChangeBundle(change, { ifMatchVersion: '2', actor: amira, organization: 'Organization/lw-service', linkWorkerBase: LW_BASE, now: NOW });
    validateForWrite(bundle.entry![2]!.resource!);
    expect(bundle.type).to.equal('transaction');
    expect(bundle.entry?.map((e) => [e.request?.method, e.request?.url, e.request?.ifMatch])).to.deep.equal([
      ['POST', 'Observation', undefined], ['PUT', 'Task/task-1', 'W/"2"'], ['POST', 'Provenance', undefined],
    ]);
    const prov = bundle.entry?.[2]?.resource;
    if (prov?.resourceType !== 'Provenance') throw new Error('no provenance');
    expect(prov.agent[0]?.who).to.deep.equal({ reference: amira.practitioner, display: amira.name });
    expect(prov.target.map((t) => t.reference)).to.deep.equal(['Task/task-1', change.observations[0]!.fullUrl]);
    expect(prov.entity?.[0]?.what.reference).to.equal(`${LW_BASE}/Task/task-1/_history/2`);
    expect(prov.agent[0]?.onBehalfOf?.reference).to.equal('Organization/lw-service');
  });
});
