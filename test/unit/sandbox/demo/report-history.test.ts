import { expect } from 'chai';
import { DEMO_PRACTICES, demoReportHistory } from '../../../../src/sandbox/demo/report-history.js';
import { REACH, REFERRAL_SOURCES } from '../../../../src/reports/referral-fact.js';

describe('sandbox/demo/report-history: a year of varied referral history', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const facts = demoReportHistory({ now });

  it('has at least 2,000 referrals over the last year, the same on every run of a day', () => {
    expect(facts.length).to.be.at.least(2000);
    const times = facts.map((f) => Date.parse(f.referredAt));
    expect(Math.max(...times)).to.be.at.most(now.getTime());
    expect(Math.min(...times)).to.be.at.least(now.getTime() - 366 * 86_400_000);
    expect(JSON.stringify(demoReportHistory({ now }))).to.equal(JSON.stringify(facts));
    expect(new Set(facts.map((f) => f.key)).size).to.equal(facts.length);
  });

  it('spreads over every practice, source and reach, with outcome pairs', () => {
    expect(new Set(facts.map((f) => f.practice))).to.have.property('size', DEMO_PRACTICES.length);
    expect([...new Set(facts.map((f) => f.source))].sort()).to.deep.equal(REFERRAL_SOURCES.map((s) => s.code).sort());
    expect([...new Set(facts.map((f) => f.reach))].sort()).to.deep.equal(REACH.map((r) => r.code).sort());
    expect(facts.filter((f) => f.outcomes.some((o) => o.measure === 'swemwbs' && o.after !== undefined)).length).to.be.above(500);
  });

  it('keeps times in order: referred, accepted, first contact, first session, closed', () => {
    for (const f of facts) {
      const seq = [f.referredAt, f.acceptedAt, f.firstContactAt, f.firstSessionAt].filter((x): x is string => !!x).map(Date.parse);
      expect(seq[0]).to.equal(Date.parse(f.referredAt));
      if (f.firstContactAt && f.firstSessionAt) expect(Date.parse(f.firstSessionAt)).to.be.at.least(Date.parse(f.firstContactAt));
      if (f.closedAt) expect(Date.parse(f.closedAt)).to.be.at.least(Date.parse(f.referredAt));
    }
  });

  it('has data missing where services usually miss it', () => {
    expect(facts.some((f) => f.equality.ethnicity === undefined)).to.equal(true);
    expect(facts.some((f) => f.equality.imdDecile === undefined)).to.equal(true);
    expect(facts.some((f) => f.reach === 'completed' && f.outcomes.length > 0 && f.outcomes.every((o) => o.after === undefined))).to.equal(true);
  });
});
