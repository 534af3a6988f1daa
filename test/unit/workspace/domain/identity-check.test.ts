import { expect } from 'chai';
import { identityCheck, reviewCandidates } from '../../../../src/workspace/domain/identity-check.js';
import type { CommunityReferralRow } from '../../../../src/store/community-referrals.js';

const ambiguous: CommunityReferralRow = {
  referralId: 'SPL-AAAA-BBBB', endpointId: 'lw', source: 'self', submittedAt: '2026-11-24T10:00:00Z', matchOutcome: 'ambiguous',
  shareWithGp: true, contactHashes: [], taskIdentifier: 'SPL-AAAA-BBBB',
  match: {
    outcome: 'ambiguous', reason: '2 patients match the details given',
    practices: [
      { tenantId: 'p1', decision: { outcome: 'ambiguous', method: 'demographics', reason: '2 patients match', threshold: 88, candidates: [
        { patientId: 'pat-a', score: 80, confident: false, fields: [{ field: 'family', result: 'exact', points: 30 }, { field: 'given', result: 'known-as', points: 20 }, { field: 'birthDate', result: 'exact', points: 30 }, { field: 'postcode', result: 'different', points: 0 }] },
        { patientId: 'pat-b', score: 100, confident: true, fields: [{ field: 'family', result: 'exact', points: 30 }] },
      ] } },
      { tenantId: 'p2', error: 'timeout' },
    ],
  },
};

describe('workspace: the identity check of a referral from the person or an agency', () => {
  it('reads the stored decision as words, with each field’s result and points, and knows it waits for review', () => {
    const c = identityCheck(ambiguous);
    expect(c.outcomeLabel).to.equal('More than one patient could be this person');
    expect(c.reason).to.equal('2 patients match the details given');
    expect(c.threshold).to.equal(88);
    expect(c.awaitingReview).to.equal(true);
    expect(c.practices[1]).to.include({ tenantId: 'p2' }).and.have.property('error');
    const a = c.practices[0]!.candidates[0]!;
    expect(a.fields.map((f) => [f.field, f.result, f.agrees, f.points])).to.deep.equal([
      ['Family name', 'Same', true, 30], ['Given name', 'Known as (a short form or middle name)', true, 20], ['Date of birth', 'Same', true, 30], ['Postcode', 'Different', false, 0],
    ]);
    expect(reviewCandidates(c).map((x) => x.patientId), 'best first').to.deep.equal(['pat-b', 'pat-a']);
  });

  it('a reviewed or a matched referral no longer waits; the linked patient is known', () => {
    const reviewed = identityCheck({ ...ambiguous, tenantId: 'p1', patientId: 'pat-a', review: { decision: 'linked', tenantId: 'p1', patientId: 'pat-a', by: 'mo', byName: 'Mo Reyes', at: '2026-11-25T10:00:00Z' } });
    expect(reviewed.awaitingReview).to.equal(false);
    expect(reviewed.linkedPatient).to.deep.equal({ tenantId: 'p1', patientId: 'pat-a' });
    expect(identityCheck({ ...ambiguous, matchOutcome: 'matched' }).awaitingReview).to.equal(false);
    expect(identityCheck({ ...ambiguous, matchOutcome: 'not-checked' }).awaitingReview).to.equal(true);
    expect(identityCheck({ ...ambiguous, matchOutcome: 'no-match' }).outcomeLabel).to.equal('No registered patient found');
  });
});
