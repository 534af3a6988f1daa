import { expect } from 'chai';
import { combinePractices } from '../../../src/intake/practice-match.js';
import type { MatchDecision } from '../../../src/identity/match.js';

const d = (outcome: MatchDecision['outcome'], patientId?: string): MatchDecision => ({ outcome, method: 'demographics', reason: outcome, threshold: 88, candidates: [], ...(patientId ? { patientId } : {}) });

describe('intake: combining the practices’ matches', () => {
  it('one confident match in one practice and nothing uncertain elsewhere links', () => {
    expect(combinePractices([{ tenantId: 'a', decision: d('matched', 'p1') }, { tenantId: 'b', decision: d('no-match') }])).to.include({ outcome: 'matched', tenantId: 'a', patientId: 'p1' });
  });
  it('matches in two practices, or one ambiguous anywhere, is for a person', () => {
    expect(combinePractices([{ tenantId: 'a', decision: d('matched', 'p1') }, { tenantId: 'b', decision: d('matched', 'p9') }]).outcome).to.equal('ambiguous');
    expect(combinePractices([{ tenantId: 'a', decision: d('matched', 'p1') }, { tenantId: 'b', decision: d('ambiguous') }]).outcome).to.equal('ambiguous');
  });
  it('a practice that could not be searched stops a link; none searched is not checked', () => {
    expect(combinePractices([{ tenantId: 'a', decision: d('matched', 'p1') }, { tenantId: 'b', error: 'timeout' }]).outcome).to.equal('ambiguous');
    expect(combinePractices([{ tenantId: 'a', decision: d('no-match') }, { tenantId: 'b', error: 'timeout' }]).outcome).to.equal('not-checked');
    expect(combinePractices([{ tenantId: 'a', error: 'timeout' }]).outcome).to.equal('not-checked');
    expect(combinePractices([]).outcome).to.equal('not-checked');
  });
  it('no match anywhere is no match', () => {
    const c = combinePractices([{ tenantId: 'a', decision: d('no-match') }]);
    expect(c.outcome).to.equal('no-match');
    expect(c.patientId).to.equal(undefined);
  });
});
