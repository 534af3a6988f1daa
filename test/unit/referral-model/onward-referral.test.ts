import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import {
  applyOnwardAction, buildOnwardReferral, canReferOnward, forwardedOnwardReferral, lateOnwardUpdate, mirrorOnwardAnswer, withdrawOnwardReferral, withdrawByLinkWorker, isOnwardReferral, onwardActionsFrom, onwardOutcomeLine, onwardStateOf, parentTaskId,
  readOnwardReferral, ONWARD_ACTIONS, type OnwardActionInput,
} from '../../../src/referral-model/onward-referral.js';
import { TASK_STATUSES } from '../../../src/referral-model/task-status.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { loadBaseR4 } from '../../../src/fhir/validate/definitions.js';
import { NOW, referralTask } from '../workspace/fixtures.js';

const group = { reference: 'PractitionerRole/grp-walking-role', display: 'Gail Hughes' };

function onward(over: Partial<Parameters<typeof buildOnwardReferral>[0]> = {}): Task {
  return buildOnwardReferral({
    parent: referralTask({ priority: 'urgent' }),
    service: { id: 'svc-walking', name: 'Healthy Steps walking group', provider: { reference: 'Organization/org-fernbridge-leisure', display: 'Fernbridge Leisure Trust' }, providerOds: 'Y99971' },
    requester: { reference: 'PractitionerRole/lw-amira-role', display: 'Amira Shah' },
    consent: { date: '2026-11-24', recorder: { reference: 'Practitioner/lw-amira', display: 'Amira Shah' } },
    person: { name: [{ given: ['Jo'], family: 'Bloggs' }], telecom: [{ system: 'phone', value: '07700 900123' }] },
    note: 'Prefers mornings; nervous about groups.',
    now: NOW,
    ...over,
  });
}

function act(task: Task, input: OnwardActionInput): Task {
  const r = applyOnwardAction(task, input, { now: NOW, author: group });
  if (!r.ok) throw new Error(r.message);
  validateForWrite(r.task);
  return { ...r.task, meta: { ...r.task.meta, versionId: String(Number(task.meta?.versionId ?? 1) + 1) } };
}

describe('onward referrals (Gravity sub-Tasks)', () => {
  before(() => loadBaseR4());

  it('is a sub-Task of the referral: partOf the Task, focus and for as the parent, owned by the group, and conforms to the Task profile', () => {
    const t = onward();
    validateForWrite(t);
    expect(t.partOf).to.deep.equal([{ reference: 'Task/task-1' }]);
    expect(t.focus?.reference).to.equal('http://localhost:3000/sandbox/ehr/fhir/ServiceRequest/sr-1');
    expect(t.for?.identifier?.value).to.equal('9434765919');
    expect(t.owner).to.deep.equal({ reference: 'Organization/org-fernbridge-leisure', identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: 'Y99971' }, display: 'Fernbridge Leisure Trust' });
    expect(t.status).to.equal('requested');
    expect(t.priority).to.equal('urgent');
    expect(t.identifier).to.deep.equal([{ system: IDENTIFIER_SYSTEM.onwardReferral, value: 'task-1:svc-walking' }]);
    expect(isOnwardReferral(t)).to.equal(true);
    expect(isOnwardReferral(referralTask())).to.equal(false);
  });

  it('carries consent to share and only what the group needs to make contact, never the referral’s clinical content', () => {
    const t = onward();
    const consent = t.extension?.find((e) => e.url === EXTENSION.consentGiven);
    expect(consent?.extension?.map((e) => e.url)).to.deep.equal(['date', 'recorder']);
    expect(t.contained).to.have.length(1);
    expect(t.contained?.[0]).to.deep.equal({ resourceType: 'Patient', id: 'person', name: [{ given: ['Jo'], family: 'Bloggs' }], telecom: [{ system: 'phone', value: '07700 900123' }] });
    expect(JSON.stringify(t)).not.to.contain('reasonCode');
    expect(t.note?.[0]?.text).to.equal('Prefers mornings; nervous about groups.');
  });

  it('a self-referral’s contained person becomes the sub-Task’s own; a referral only held as a contained copy cannot be referred on', () => {
    const t = onward({ parent: referralTask({ for: { reference: '#patient', display: 'Jo Bloggs' } }) });
    validateForWrite(t);
    expect(t.for).to.deep.equal({ reference: '#person', display: 'Jo Bloggs' });
    const selfOnly = referralTask({ focus: { reference: '#referral' } });
    expect(canReferOnward(selfOnly)).to.equal(false);
    expect(canReferOnward(referralTask())).to.equal(true);
    expect(() => onward({ parent: selfOnly })).to.throw(TypeError);
  });

  it('reads a parent reference however a server writes it', () => {
    for (const reference of ['Task/p1', 'https://group.example.org/fhir/Task/p1', 'Task/p1/_history/3']) {
      expect(parentTaskId({ partOf: [{ reference }] }), reference).to.equal('p1');
      expect(isOnwardReferral({ partOf: [{ reference }] }), reference).to.equal(true);
    }
    expect(isOnwardReferral({ partOf: [{ reference: 'Procedure/x' }] })).to.equal(false);
  });

  it('every Task status has one onward state, and every state a label (one table)', () => {
    for (const s of TASK_STATUSES) {
      const v = readOnwardReferral({ ...onward(), status: s, ...(s === 'rejected' || s === 'failed' || s === 'cancelled' ? { statusReason: { text: 'x' } } : {}) });
      expect(v.state, s).to.equal(onwardStateOf(s));
      expect(v.label, s).to.be.a('string').and.not.equal('');
    }
  });

  it('the group accepts, records the first session attended, then finished with sessions attended', () => {
    let t = onward();
    expect(onwardActionsFrom('sent')).to.deep.equal(['accept', 'decline', 'attended', 'did-not-attend']);
    t = act(t, { action: 'accept' });
    expect(t.status).to.equal('accepted');
    t = act(t, { action: 'attended' });
    expect(readOnwardReferral(t)).to.include({ state: 'attended', label: 'Attended' });
    t = act(t, { action: 'finished', sessionsAttended: 4 });
    const v = readOnwardReferral(t);
    expect(v).to.include({ state: 'finished', sessionsAttended: 4 });
    expect(onwardOutcomeLine(v)).to.equal('Healthy Steps walking group (Fernbridge Leisure Trust): attended and finished, 4 sessions attended');
    expect(t.note?.map((n) => n.text.split('\n')[0])).to.deep.equal(['Prefers mornings; nervous about groups.', 'Accept', 'Attended first session', 'Finished']);
  });

  it('decline carries the coded reason and the group’s words; did not attend has its own reason', () => {
    const declined = act(onward(), { action: 'decline', reason: 'service-at-capacity', note: 'Full until March' });
    expect(declined.status).to.equal('rejected');
    expect(declined.statusReason?.coding?.[0]).to.include({ system: CODE_SYSTEM.statusReason, code: 'service-at-capacity' });
    expect(onwardOutcomeLine(readOnwardReferral(declined))).to.equal('Healthy Steps walking group (Fernbridge Leisure Trust): declined (Service at capacity: Full until March)');
    const dna = act(act(onward(), { action: 'accept' }), { action: 'did-not-attend' });
    expect(dna.status).to.equal('failed');
    expect(dna.statusReason?.coding?.[0]?.code).to.equal('did-not-attend');
    expect(readOnwardReferral(dna)).to.include({ state: 'did-not-attend', label: 'Did not attend' });
  });

  it('refuses an action the state does not allow, and never changes its input', () => {
    const t = onward();
    const r = applyOnwardAction(t, { action: 'finished' }, { now: NOW, author: group });
    expect(r.ok).to.equal(false);
    const declined = act(t, { action: 'decline', reason: 'not-eligible' });
    for (const a of Object.keys(ONWARD_ACTIONS) as (keyof typeof ONWARD_ACTIONS)[]) {
      const input = (a === 'decline' ? { action: a, reason: 'not-eligible' } : { action: a }) as OnwardActionInput;
      expect(applyOnwardAction(declined, input, { now: NOW, author: group }).ok, a).to.equal(false);
    }
    expect(t.status).to.equal('requested');
  });

  it('withdrawn when the GP ends the referral: cancelled with the referrer’s reason, unless the group has already closed it', () => {
    const t = withdrawOnwardReferral(act(onward(), { action: 'accept' }), { now: NOW, why: 'The GP cancelled the referral.' })!;
    validateForWrite(t);
    expect(readOnwardReferral(t)).to.include({ state: 'withdrawn', reason: 'Cancelled by the referrer: The GP cancelled the referral.' });
    expect(withdrawOnwardReferral(act(onward(), { action: 'decline', reason: 'not-eligible' }), { now: NOW, why: 'x' })).to.equal(undefined);
  });

  it('the link worker withdraws it with a reason and their words, named as the note’s author; a closed one cannot be withdrawn', () => {
    const lw = { reference: 'PractitionerRole/lw-amira-role', display: 'Amira Shah' };
    const r = withdrawByLinkWorker(act(onward(), { action: 'accept' }), { reason: 'service-closed', note: 'The group stopped meeting.' }, { now: NOW, author: lw });
    if (!r.ok) throw new Error(r.message);
    validateForWrite(r.task);
    expect(r.task.status).to.equal('cancelled');
    expect(r.task.statusReason?.coding?.[0]).to.include({ system: CODE_SYSTEM.statusReason, code: 'service-closed' });
    expect(r.task.note?.at(-1)).to.deep.include({ authorReference: lw, text: 'Withdrawn: The service closed or stopped running\nThe group stopped meeting.' });
    expect(readOnwardReferral(r.task)).to.include({ state: 'withdrawn', reason: 'The service closed or stopped running: The group stopped meeting.' });
    expect(onwardOutcomeLine(readOnwardReferral(r.task))).to.equal('Healthy Steps walking group (Fernbridge Leisure Trust): withdrawn (The service closed or stopped running: The group stopped meeting.)');
    const finished = withdrawByLinkWorker(act(act(onward(), { action: 'accept' }), { action: 'finished' }), { reason: 'patient-withdrew' }, { now: NOW, author: lw });
    expect(finished).to.deep.equal({ ok: false, message: 'This referral is finished, so it cannot be withdrawn.' });
  });

  it('reads another system’s sub-Task liberally: unknown status as sent, service from the owner, sessions as unsignedInt', () => {
    const foreign = { resourceType: 'Task', status: 'bogus', intent: 'order', partOf: [{ reference: 'https://lw.example.org/fhir/Task/p9' }], owner: { display: 'Canal Rowing Club' }, output: [{ type: { coding: [{ system: 'urn:other', code: 'sessions-held' }] }, valueUnsignedInt: 2 }] } as unknown as Task;
    expect(readOnwardReferral(foreign)).to.include({ state: 'sent', service: 'Canal Rowing Club', parentTaskId: 'p9', sessionsAttended: 2 });
  });

  describe('relayed to and from a group\'s own FHIR server', () => {
    const LW = 'https://lw.example/fhir';
    const sent = () => ({ ...onward(), id: 'sub1', meta: { versionId: '1' } });

    it('the copy for the group\'s server: every reference absolute on the link-worker endpoint, contained ones kept, no id or version; it conforms', () => {
      const copy = forwardedOnwardReferral(sent(), LW);
      validateForWrite(copy);
      expect(copy.id).to.equal(undefined);
      expect(copy.meta?.versionId).to.equal(undefined);
      expect(copy.partOf?.[0]?.reference).to.match(new RegExp(`^${LW}/Task/`));
      expect(copy.owner?.reference).to.equal(`${LW}/Organization/org-fernbridge-leisure`);
      expect(copy.requester?.reference).to.equal(`${LW}/PractitionerRole/lw-amira-role`);
      expect(copy.input?.[0]?.valueReference?.reference, 'the contained person').to.equal('#person');
      expect(copy.identifier).to.deep.equal(sent().identifier);
    });

    it('takes the group\'s answer only when it has got further: status, reason, sessions (any integer type) and its notes, once', () => {
      const ours = sent();
      const theirs = { ...forwardedOnwardReferral(ours, LW), status: 'completed' as const, output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'sessions-held' }] }, valueUnsignedInt: 5 }], note: [...(ours.note ?? []), { time: '2026-11-30T10:00:00Z', text: 'Loved it.' }] };
      const next = mirrorOnwardAnswer(ours, theirs, NOW)!;
      expect(readOnwardReferral(next)).to.include({ state: 'finished', sessionsAttended: 5 });
      expect(next.note?.map((n) => n.text)).to.deep.equal(['Prefers mornings; nervous about groups.', 'Loved it.']);
      validateForWrite(next);
      expect(mirrorOnwardAnswer(next, theirs, NOW), 'the same answer again').to.equal(undefined);
      expect(mirrorOnwardAnswer(next, { ...theirs, status: 'accepted' }, NOW), 'never backwards').to.equal(undefined);
      const withdrawn = withdrawOnwardReferral(ours, { now: NOW, why: 'The GP cancelled the referral.' })!;
      expect(mirrorOnwardAnswer(withdrawn, theirs, NOW), 'a withdrawn referral stays withdrawn').to.equal(undefined);
      expect(mirrorOnwardAnswer(ours, { ...theirs, status: 'weird' as Task['status'] }, NOW), 'an unknown status moves nothing').to.equal(undefined);
    });

    it('a withdrawal relayed keeps the reason it was given where it was made', () => {
      const reason = { coding: [{ system: CODE_SYSTEM.statusReason, code: 'patient-withdrew' }], text: 'The person no longer wants it.' };
      expect(withdrawOnwardReferral(sent(), { now: NOW, why: reason.text, reason })?.statusReason).to.deep.equal(reason);
    });

    it('tells the GP after support ended only of attendance and endings, and never what the message back said', () => {
      const attended = { ...sent(), status: 'in-progress' as const };
      const line = 'Healthy Steps walking group (Fernbridge Leisure Trust): attended';
      expect(lateOnwardUpdate(attended, [])).to.equal(line);
      expect(lateOnwardUpdate(attended, [`Referred on to ${line}`])).to.equal(undefined);
      expect(lateOnwardUpdate({ ...sent(), status: 'accepted' }, [])).to.equal(undefined);
      expect(lateOnwardUpdate({ ...sent(), status: 'cancelled' }, [])).to.equal(undefined);
      expect(lateOnwardUpdate({ ...sent(), status: 'rejected', statusReason: { text: 'Full' } }, [])).to.equal('Healthy Steps walking group (Fernbridge Leisure Trust): declined (Full)');
    });
  });
});
