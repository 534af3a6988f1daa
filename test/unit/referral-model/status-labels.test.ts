import { expect } from 'chai';
import { linkWorkerStatusLabel, referralStatus, statusLabel, taskStatusKey } from '../../../src/referral-model/status-labels.js';
import { TASK_STATUSES } from '../../../src/referral-model/task-status.js';

describe('referral-model/status-labels: what the GP and the link worker see', () => {
  it('gives every Task status one GP label', () => {
    const seen = Object.fromEntries(TASK_STATUSES.map((s) => [s, statusLabel(taskStatusKey(s)).label]));
    expect(seen).to.deep.equal({
      draft: 'Sent',
      requested: 'Sent',
      received: 'Received',
      accepted: 'Accepted',
      ready: 'Accepted',
      'in-progress': 'Working with patient',
      'on-hold': 'Paused',
      rejected: 'Declined',
      cancelled: 'Cancelled',
      failed: 'Could not complete',
      completed: 'Completed',
      'entered-in-error': 'Withdrawn',
    });
  });

  it('shows a ready Task as Accepted: taken on, no work with the patient yet (FHIR R4 task-status "ready")', () => {
    expect(taskStatusKey('ready')).to.equal('accepted');
    expect(referralStatus('active', 'ready')).to.deep.equal({ key: 'accepted', label: 'Accepted', tone: 'green' });
    expect(referralStatus('active', 'in-progress').label).to.equal('Working with patient');
  });

  it('lets a terminal ServiceRequest win over a stale Task, and explains a revoke', () => {
    expect(referralStatus('revoked', 'requested').label).to.equal('Cancelled');
    expect(referralStatus('revoked', undefined, 'declined').label).to.equal('Declined');
    expect(referralStatus('revoked', undefined, 'could-not-contact').label).to.equal('Could not complete');
    expect(referralStatus('revoked', 'rejected').label).to.equal('Declined');
    expect(referralStatus('completed', 'in-progress').label).to.equal('Completed');
    expect(referralStatus('active', undefined).label).to.equal('Sent');
    expect(referralStatus('unknown', 'received').label).to.equal('Received');
    expect(referralStatus('on-hold', 'in-progress').label).to.equal('Paused');
    expect(referralStatus('entered-in-error', 'completed').label).to.equal('Withdrawn');
    expect(referralStatus('draft', undefined).label).to.equal('Draft');
  });

  it('gives every Task status one link-worker label', () => {
    const seen = TASK_STATUSES.map(linkWorkerStatusLabel);
    expect(seen.every((l) => typeof l === 'string' && l.length > 0)).to.equal(true);
    expect(linkWorkerStatusLabel('requested')).to.equal('New');
    expect(linkWorkerStatusLabel('cancelled')).to.equal('Closed');
    expect(linkWorkerStatusLabel('failed')).to.equal('Could not contact');
  });
});
