import { expect } from 'chai';
import { isReferralId, newReferralId, referralIdForSubmission } from '../../../src/referrals/referral-id.js';

describe('referral ids', () => {
  it('are SPL- and two groups of four Crockford base32 characters', () => {
    expect(newReferralId(() => new Uint8Array(5))).to.equal('SPL-0000-0000');
    expect(newReferralId(() => new Uint8Array([255, 255, 255, 255, 255]))).to.equal('SPL-ZZZZ-ZZZZ');
    for (let i = 0; i < 200; i++) expect(isReferralId(newReferralId())).to.equal(true);
    expect(isReferralId('SPL-ILOU-0000'), 'no I, L, O or U').to.equal(false);
  });

  it('give one form submission one id, and never share it across patients or practices', () => {
    const id = referralIdForSubmission('practice-a', 'pat-01', 'f3a1c2d4e5f60718293a4b5c6d7e8f90');
    expect(isReferralId(id)).to.equal(true);
    expect(referralIdForSubmission('practice-a', 'pat-01', 'f3a1c2d4e5f60718293a4b5c6d7e8f90')).to.equal(id);
    expect(referralIdForSubmission('practice-a', 'pat-02', 'f3a1c2d4e5f60718293a4b5c6d7e8f90')).to.not.equal(id);
    expect(referralIdForSubmission('practice-b', 'pat-01', 'f3a1c2d4e5f60718293a4b5c6d7e8f90')).to.not.equal(id);
    expect(referralIdForSubmission('practice-a', 'pat-01', 'f3a1c2d4e5f60718293a4b5c6d7e8f91')).to.not.equal(id);
  });
});
