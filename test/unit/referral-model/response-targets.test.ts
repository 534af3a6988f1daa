import { expect } from 'chai';
import { awaitsResponse, describeTarget, isResponseOverdue, isUnansweredPastTarget, responseDueAt, responseTargetHours, RESPONSE_TARGET_HOURS } from '../../../src/referral-model/response-targets.js';

describe('response targets per urgency', () => {
  it('routine 120 h, soon 72 h, urgent 24 h, read from the FHIR priority the referral carries', () => {
    expect(RESPONSE_TARGET_HOURS).to.deep.equal({ routine: 120, soon: 72, urgent: 24 });
    expect(responseTargetHours('routine')).to.equal(120);
    expect(responseTargetHours('urgent')).to.equal(72); // "soon" travels as priority urgent
    expect(responseTargetHours('asap')).to.equal(24); // "urgent" travels as priority asap
    expect(responseTargetHours(undefined)).to.equal(120);
  });

  it('is overdue only once the target has passed', () => {
    const authored = '2026-12-01T09:00:00Z';
    expect(responseDueAt(authored, 'asap')?.toISOString()).to.equal('2026-12-02T09:00:00.000Z');
    expect(isResponseOverdue(authored, 'asap', new Date('2026-12-02T08:59:00Z'))).to.equal(false);
    expect(isResponseOverdue(authored, 'asap', new Date('2026-12-02T09:01:00Z'))).to.equal(true);
    expect(isResponseOverdue(authored, 'urgent', new Date('2026-12-04T08:59:00Z'))).to.equal(false);
    expect(isResponseOverdue(authored, 'urgent', new Date('2026-12-04T09:01:00Z'))).to.equal(true);
    expect(isResponseOverdue(undefined, 'asap', new Date())).to.equal(false);
  });

  it('counts only a Task still waiting for its first response as unanswered', () => {
    const r = (taskStatus: 'requested' | 'received' | 'accepted' | 'in-progress' | 'rejected' | 'completed') => ({ authoredOn: '2026-12-01T09:00:00Z', priority: 'asap', taskStatus });
    const late = new Date('2026-12-09T00:00:00Z');
    expect(isUnansweredPastTarget(r('requested'), late)).to.equal(true);
    expect(isUnansweredPastTarget(r('received'), late)).to.equal(true);
    for (const s of ['accepted', 'in-progress', 'rejected', 'completed'] as const) expect(isUnansweredPastTarget(r(s), late), s).to.equal(false);
    expect(isUnansweredPastTarget(r('requested'), new Date('2026-12-02T08:00:00Z'))).to.equal(false);
    expect(awaitsResponse('accepted')).to.equal(false);
  });

  it('describes targets as people say them', () => {
    expect(describeTarget(24)).to.equal('1 day');
    expect(describeTarget(120)).to.equal('5 days');
    expect(describeTarget(12)).to.equal('12 hours');
  });
});
