import { expect } from 'chai';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { endReasonText, referralEndReason } from '../../../src/referral-model/status-reason.js';

describe('referral model: why a referral ended (status-reason)', () => {
  const own = (code: string) => ({ system: CODE_SYSTEM.statusReason, code });

  it('keeps the Task\'s SP Link reason, with its words', () => {
    const r = referralEndReason('rejected', { coding: [own('not-eligible')], text: 'Lives outside the area we cover' });
    expect(r).to.deep.equal({ coding: [{ ...own('not-eligible'), display: 'Does not meet service criteria' }], text: 'Lives outside the area we cover' });
    expect(endReasonText(r)).to.equal('Does not meet service criteria: Lives outside the area we cover');
  });

  it('says what the service did when its system gave no SP Link reason, keeping its codes and words', () => {
    const foreign = { system: 'urn:oid:1.2.3', code: 'X9', display: 'Client disengaged' };
    for (const [status, code] of [['rejected', 'declined-by-service'], ['cancelled', 'cancelled-by-service'], ['failed', 'not-completed']] as const) {
      const r = referralEndReason(status, { coding: [foreign] });
      expect(r.coding?.map((c) => c.code)).to.deep.equal([code, 'X9']);
      expect(r.text).to.equal('Client disengaged');
    }
    expect(endReasonText(referralEndReason('failed', { coding: [foreign] }))).to.equal('Support could not be completed: Client disengaged');
    expect(endReasonText(referralEndReason('rejected', undefined))).to.equal('Declined by the link-worker service');
  });

  it('drops an unknown code claimed to be SP Link\'s (it would fail the binding) but keeps its words', () => {
    const r = referralEndReason('rejected', { coding: [{ ...own('made-up'), display: 'Full until spring' }] });
    expect(r.coding?.map((c) => c.code)).to.deep.equal(['declined-by-service']);
    expect(r.text).to.equal('Full until spring');
  });
});
