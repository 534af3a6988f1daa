import { expect } from 'chai';
import {
  isNewTaskStatus, isSrStatus, isTaskStatus, isTerminalSrStatus, isTerminalTaskStatus, NEW_TASK_STATUSES, OPEN_TASK_STATUSES,
  referralStatusFor, SR_STATUSES, TASK_STATUSES, TERMINAL_TASK_STATUSES, taskPhase,
} from '../../../src/referral-model/task-status.js';

describe('referral-model/task-status: the Task lifecycle', () => {
  it('puts every Task status in exactly one phase', () => {
    const all = [...NEW_TASK_STATUSES, ...OPEN_TASK_STATUSES, ...TERMINAL_TASK_STATUSES];
    expect([...all].sort()).to.deep.equal([...TASK_STATUSES].sort());
    expect(TERMINAL_TASK_STATUSES).to.have.members(['rejected', 'cancelled', 'failed', 'completed', 'entered-in-error']);
    expect(NEW_TASK_STATUSES).to.have.members(['draft', 'requested', 'received']);
    for (const s of TASK_STATUSES) {
      expect(isTerminalTaskStatus(s)).to.equal(taskPhase(s) === 'terminal');
      expect(isNewTaskStatus(s)).to.equal(taskPhase(s) === 'new');
    }
  });

  it('maps every Task status to the referral status the reconciler writes', () => {
    const table = Object.fromEntries(TASK_STATUSES.map((s) => [s, [referralStatusFor(s, true), referralStatusFor(s, false)]]));
    expect(table).to.deep.equal({
      draft: ['active', 'active'],
      requested: ['active', 'active'],
      received: ['active', 'active'],
      accepted: ['active', 'active'],
      ready: ['active', 'active'],
      'in-progress': ['active', 'active'],
      'on-hold': ['on-hold', 'on-hold'],
      rejected: ['revoked', 'revoked'],
      cancelled: ['revoked', 'revoked'],
      // A failed Task revokes the referral only where the deployment chose so; otherwise it is left as it is.
      failed: ['revoked', undefined],
      completed: ['completed', 'completed'],
      'entered-in-error': ['entered-in-error', 'entered-in-error'],
    });
  });

  it('knows the final ServiceRequest statuses and recognises only FHIR R4 codes', () => {
    expect(SR_STATUSES.filter(isTerminalSrStatus)).to.have.members(['revoked', 'completed', 'entered-in-error']);
    expect(isTaskStatus('in-progress')).to.equal(true);
    expect(isTaskStatus('done')).to.equal(false);
    expect(isTaskStatus(undefined)).to.equal(false);
    expect(isSrStatus('active')).to.equal(true);
    expect(isSrStatus('Active')).to.equal(false);
  });
});
