import { expect } from 'chai';
import { CODE_SYSTEM } from '../../../../src/referral-model/codes.js';
import { messageBackText, readMessageBack } from '../../../../src/message-back/index.js';
import { parseTask, planTaskVersion, type Effect, type Plan } from '../../../../src/reconcile/rules/index.js';
import { TASK_STATUSES, type SrStatus, type TaskStatus } from '../../../../src/referral-model/task-status.js';
import { plan } from './plan-helper.js';
import { makeTask, orderOf, patient, serviceRequest, swemwbs, topology, uuidVersionId } from '../../../helpers/task-fixtures.js';

const effects = (p: Plan): readonly Effect[] => {
  if (p.kind !== 'apply') throw new Error(`expected apply, got ${p.bad.kind}: ${p.bad.reason}`);
  return p.effects;
};
const kinds = (p: Plan) => effects(p).map((e) => e.kind);
const topics = (p: Plan) =>
  effects(p).flatMap((e) => (e.kind === 'create-communication' ? [e.resource.topic?.coding?.[0]?.code] : []));

const EXPECTED: Record<TaskStatus, SrStatus> = {
  draft: 'active', requested: 'active', received: 'active', accepted: 'active', ready: 'active', 'in-progress': 'active',
  'on-hold': 'on-hold', rejected: 'revoked', cancelled: 'revoked', failed: 'revoked', completed: 'completed', 'entered-in-error': 'entered-in-error',
};

describe('reconcile rules: Task version → effects (the status table)', () => {
  for (const status of TASK_STATUSES) {
    it(`maps Task.status ${status} to ServiceRequest.status ${EXPECTED[status]}`, () => {
      const from: SrStatus = EXPECTED[status] === 'on-hold' ? 'active' : 'on-hold';
      const set = effects(plan(makeTask({ version: 2, status }), from)).find((e) => e.kind === 'set-referral-status');
      expect(set).to.deep.include({ kind: 'set-referral-status', from, to: EXPECTED[status] });
    });
  }

  it('writes no status change when the referral already has the mapped status', () => {
    expect(kinds(plan(makeTask({ version: 2, status: 'in-progress' }), 'active'))).to.deep.equal([]);
  });

  it('leaves the referral alone for a failed Task when configured not to revoke', () => {
    const t = { ...topology, failedTaskRevokesReferral: false };
    const parsed = parseTask(makeTask({ version: 3, status: 'failed', reason: 'could-not-contact' }), t);
    if (!parsed.ok) throw new Error(parsed.bad.reason);
    const p = planTaskVersion({ task: parsed.task, topology: t, serviceRequest: serviceRequest(), patient, observations: new Map(), track: undefined });
    expect(kinds(p)).to.deep.equal(['create-communication']);
  });

  it('declined: revoked + Communication to the requester with the reason', () => {
    const p = plan(makeTask({ version: 3, status: 'rejected', reason: 'patient-declined' }));
    expect(topics(p)).to.deep.equal(['referral-declined']);
    const comm = effects(p).find((e) => e.kind === 'create-communication');
    if (comm?.kind !== 'create-communication') throw new Error('no communication');
    expect(comm.resource.recipient?.[0]?.reference).to.equal('Practitioner/gp1');
    expect((comm.resource.payload ?? []).map((x) => x.contentString)).to.include('Reason: Person declined social prescribing');
    expect(comm.resource.text?.div).to.contain('<li>Reason: Person declined social prescribing</li>');
  });

  it('cancelled by the link worker tells the GP; cancelled by the GP does not', () => {
    expect(topics(plan(makeTask({ version: 3, status: 'cancelled', reason: 'service-at-capacity' })))).to.deep.equal(['referral-cancelled']);
    expect(topics(plan(makeTask({ version: 3, status: 'cancelled', reason: 'gp-cancelled' })))).to.deep.equal([]);
  });

  it('a referral the service ends says why: status-reason extension (its code kept) and a note for the record', () => {
    const set = (p: Plan) => effects(p).find((e): e is Extract<Effect, { kind: 'set-referral-status' }> => e.kind === 'set-referral-status');
    // Before: no reason was added, so a revoked SP Link referral failed SP Link's own profile and was dead-lettered.
    const declined = set(plan(makeTask({ version: 3, status: 'rejected', reason: 'patient-declined' })));
    expect(declined?.reason?.coding).to.deep.equal([{ system: CODE_SYSTEM.statusReason, code: 'patient-declined', display: 'Person declined social prescribing' }]);
    expect(declined?.note?.text).to.equal('Declined: Person declined social prescribing');
    const foreign = { system: 'https://case.example.org/closure', code: 'NC-7', display: 'Moved to a partner programme' };
    const failed = set(plan(makeTask({ version: 3, status: 'failed' }, { statusReason: { coding: [foreign] } })));
    expect(failed?.reason).to.deep.equal({
      coding: [{ system: CODE_SYSTEM.statusReason, code: 'not-completed', display: 'Support could not be completed' }, foreign],
      text: 'Moved to a partner programme',
    });
    expect(failed?.note?.text).to.equal('Could not complete: Support could not be completed: Moved to a partner programme');
    const bare = set(plan(makeTask({ version: 3, status: 'cancelled' })));
    expect(bare?.reason?.coding?.map((c) => c.code)).to.deep.equal(['cancelled-by-service']);
    expect(set(plan(makeTask({ version: 3, status: 'completed' })))?.reason).to.equal(undefined);
  });

  it('failed for another reason than no contact is "could not be completed", not "cancelled"', () => {
    expect(topics(plan(makeTask({ version: 3, status: 'failed', reason: 'needs-beyond-scope' })))).to.deep.equal(['referral-not-completed']);
    const p = plan(makeTask({ version: 3, status: 'failed' }, { statusReason: { text: 'Service closed for the summer' } }));
    const comm = effects(p).find((e) => e.kind === 'create-communication');
    if (comm?.kind !== 'create-communication') throw new Error('no communication');
    const message = messageBackText(readMessageBack(comm.resource));
    expect(message).to.match(/^Support could not be completed\n/).and.contain('Reason: Service closed for the summer').and.not.contain('cancel');
  });

  it('each stage (businessStatus, SP Link or another system\'s words) is one progress message for the GP', () => {
    const a = effects(plan(makeTask({ version: 2, status: 'accepted', businessStatus: 'awaiting-contact' })));
    const b = effects(plan(makeTask({ version: 3, status: 'in-progress', businessStatus: 'plan-agreed' })));
    const c = effects(plan(makeTask({ version: 4, status: 'in-progress' }, { businessStatus: { text: 'Attending the Tuesday group' } })));
    const msgs = [a, b, c].map((e) => e.find((x) => x.kind === 'create-communication')).map((x) => {
      if (x?.kind !== 'create-communication') throw new Error('no progress message');
      const m = readMessageBack(x.resource);
      return { id: x.identifier, title: m.title, stage: m.sections.flatMap((sec) => sec.lines).find((l) => l.startsWith('Stage: ')) };
    });
    expect(msgs.map((m) => m.title)).to.deep.equal(Array(3).fill('Progress update from the link-worker service'));
    expect(msgs.map((m) => m.stage)).to.deep.equal(['Stage: Awaiting first contact', 'Stage: Personalised support plan agreed', 'Stage: Attending the Tuesday group']);
    expect(new Set(msgs.map((m) => m.id)).size, 'one identifier per stage').to.equal(3);
    const again = effects(plan(makeTask({ version: 5, status: 'in-progress', businessStatus: 'plan-agreed' }))).find((x) => x.kind === 'create-communication');
    expect(again?.kind === 'create-communication' && again.identifier).to.equal(msgs[1]!.id);
  });

  it('could not contact (failed or business status) → could-not-contact Communication', () => {
    expect(topics(plan(makeTask({ version: 3, status: 'failed', reason: 'could-not-contact' })))).to.deep.equal(['could-not-contact']);
    expect(topics(plan(makeTask({ version: 3, status: 'in-progress', businessStatus: 'could-not-contact' })))).to.deep.equal(['could-not-contact']);
  });

  it('completed with a summary → message back; completed without a summary → still a message back', () => {
    const p = plan(makeTask({ version: 4, status: 'completed', summary: 'Joined a walking group', sessions: 4 }));
    expect(topics(p)).to.deep.equal(['referral-completed']);
    const comm = effects(p).find((e) => e.kind === 'create-communication');
    if (comm?.kind !== 'create-communication') throw new Error('no communication');
    const text = (comm.resource.payload ?? []).map((x) => x.contentString).join('\n');
    expect(text).to.contain('Joined a walking group').and.contain('Sessions held: 4');
    const sections = new Set((comm.resource.payload ?? []).map((x) => x.extension?.[0]?.valueCoding?.code));
    expect([...sections]).to.have.members(['person-demographics', 'referral-details', 'support-offered', 'outcomes', 'plan-and-requested-actions']);
    expect(comm.resource.text?.div).to.match(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"><h2>Social prescribing completed: message back to GP<\/h2>/);
    // Before: no summary, no message; the GP never heard the support had ended.
    const bare = effects(plan(makeTask({ version: 4, status: 'completed' }))).find((e) => e.kind === 'create-communication');
    if (bare?.kind !== 'create-communication') throw new Error('no communication for a completion without a summary');
    expect(bare.resource.payload?.map((x) => x.contentString).join('\n')).to.contain('Social prescribing link worker support').and.contain('No outcome measures');
  });

  it('social outcomes at closing: one Observation each in the GP record (once, by identifier) and a line each in the message back', () => {
    const social = (code: string) => ({ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'social-outcome' }] }, valueCodeableConcept: { coding: [{ system: CODE_SYSTEM.socialOutcome, code }] } });
    const task = makeTask({ version: 4, status: 'completed', summary: 'Housed' });
    task.output = [...(task.output ?? []), social('housing-secured'), social('debt-advice'), social('housing-secured'), { type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'social-outcome' }] }, valueCodeableConcept: { text: 'Got a dog' } }];
    const p = plan(task);
    const obs = effects(p).filter((e): e is Extract<Effect, { kind: 'create-observation' }> => e.kind === 'create-observation');
    expect(obs.map((o) => o.identifier)).to.deep.equal(['lw1:Task:t1:social-outcome:housing-secured', 'lw1:Task:t1:social-outcome:debt-advice']);
    expect(obs[0]!.resource).to.deep.include({ subject: { reference: 'Patient/p1' }, basedOn: [{ reference: 'ServiceRequest/sr1' }], valueBoolean: true, status: 'final' });
    expect(obs[0]!.resource.meta?.source).to.equal('http://lw.test/fhir/Task/t1/_history/4');
    const comm = effects(p).find((e) => e.kind === 'create-communication');
    if (comm?.kind !== 'create-communication') throw new Error('no communication');
    const outcomes = readMessageBack(comm.resource).sections.find((s) => s.code === 'outcomes')!.lines;
    expect(outcomes).to.include.members(['Social outcome: Housing secured or improved', 'Social outcome: Debt advice received', 'Also reported (social-outcome): Got a dog']);
    // Before completion nothing is written: an open case's ticks are not yet outcomes.
    const open = makeTask({ version: 3, status: 'in-progress' });
    open.output = [social('housing-secured')];
    expect(kinds(plan(open))).to.not.include('create-observation');
  });

  it('safeguarding concern → urgent Communication + Flag, whatever the status', () => {
    const p = plan(makeTask({ version: 2, status: 'in-progress', safeguarding: true }));
    expect(kinds(p)).to.deep.equal(['create-communication', 'create-flag']);
    const comm = effects(p)[0];
    if (comm?.kind !== 'create-communication') throw new Error('no communication');
    expect(comm.resource.priority).to.equal('urgent');
  });

  it('outcome Observations are copied with subject, basedOn, deterministic identifier and a pointer back', () => {
    const p = plan(makeTask({ version: 4, status: 'completed', observations: ['o1'] }), 'active', undefined, [swemwbs('o1', 21)]);
    const obs = effects(p).find((e) => e.kind === 'create-observation');
    if (obs?.kind !== 'create-observation') throw new Error('no observation');
    expect(obs.identifier).to.equal('lw1:Observation:o1');
    expect(obs.resource).to.deep.include({ subject: { reference: 'Patient/p1' }, basedOn: [{ reference: 'ServiceRequest/sr1' }], valueInteger: 21 });
    expect(obs.resource.derivedFrom?.[0]?.reference).to.equal('http://lw.test/fhir/Observation/o1');
    expect(obs.resource.meta?.source).to.equal('http://lw.test/fhir/Observation/o1/_history/1');
    expect(obs.resource.code?.coding?.[0]).to.deep.include({ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' });
  });

  it('never moves a referral backwards out of a terminal state', () => {
    expect(kinds(plan(makeTask({ version: 9, status: 'in-progress' }), 'completed', { maxVersion: orderOf(5), terminalVersion: orderOf(5) }))).to.deep.equal([]);
  });

  it('an older version arriving late does not move the status', () => {
    expect(kinds(plan(makeTask({ version: 2, status: 'on-hold' }), 'active', { maxVersion: orderOf(5) }))).to.deep.equal([]);
  });

  it('a referral revoked by the GP cancels the Task at the link-worker endpoint', () => {
    expect(kinds(plan(makeTask({ version: 2, status: 'in-progress' }), 'revoked'))).to.deep.equal(['cancel-task']);
    expect(kinds(plan(makeTask({ version: 3, status: 'cancelled', reason: 'gp-cancelled' }), 'revoked'))).to.deep.equal([]);
  });

  it('takes any FHIR id as a version: UUID version ids are ordered by lastUpdated, not by their text', () => {
    // Before: Number(versionId) was NaN and every Task version from such a server failed.
    const late = makeTask({ version: 2, versionId: uuidVersionId(2), status: 'on-hold' });
    const parsed = parseTask(late, topology);
    if (!parsed.ok) throw new Error(parsed.bad.reason);
    expect(parsed.task.version).to.equal(uuidVersionId(2));
    // Version 5's id sorts before version 2's as text; lastUpdated still says 5 is newer, so 2 is late.
    expect(uuidVersionId(5) < uuidVersionId(2), 'fixture: ids do not sort like versions').to.equal(true);
    expect(kinds(plan(late, 'active', { maxVersion: orderOf(5, uuidVersionId(5)) }))).to.deep.equal([]);
    expect(kinds(plan(makeTask({ version: 6, versionId: uuidVersionId(6), status: 'on-hold' }), 'active', { maxVersion: orderOf(5, uuidVersionId(5)) }))).to.deep.equal(['set-referral-status']);
    const bad = parseTask(makeTask({ version: 1, versionId: 'not/an-id', status: 'requested' }), topology);
    expect(bad.ok ? 'ok' : bad.bad.kind).to.equal('missing-version');
  });

  it('entered-in-error absorbs everything after it', () => {
    // Messages depend on the Task version alone (so delivery order cannot change them); the status stays withdrawn.
    expect(kinds(plan(makeTask({ version: 9, status: 'completed' }), 'entered-in-error', { maxVersion: orderOf(5), terminalVersion: orderOf(5) }))).to.deep.equal(['create-communication']);
  });
});
