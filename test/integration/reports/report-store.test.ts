import { expect } from 'chai';
import type { Db } from '../../../src/store/db.js';
import { countFacts, saveFacts } from '../../../src/reports/report-store.js';
import type { ReferralFact } from '../../../src/reports/referral-fact.js';
import { seedReportHistory } from '../../../src/sandbox/demo/report-history.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const fact = (over: Partial<ReferralFact> = {}): ReferralFact => ({
  key: 'k1', practice: 'Y99901', practiceName: 'Riverside', service: 'connect', serviceName: 'Connect', source: 'gp-practice', urgency: 'routine', needs: ['loneliness'],
  referredAt: '2026-03-02T09:00:00Z', status: 'in-progress', reach: 'in-support', sessions: 1, servicesConnected: [], socialOutcomes: [], equality: { sex: 'female', ethnicity: 'A', imdDecile: 2 },
  acceptedAt: '2026-03-03T09:00:00Z', firstContactAt: '2026-03-05', outcomes: [{ measure: 'swemwbs', before: 18, beforeAt: '2026-03-12' }],
  ...over,
});

for (const backend of STORE_BACKENDS) {
  describe(`reports/report-store on ${backend.name}`, function () {
    let db: Db;
    const suite = suiteStore(backend, 't_reports');
    before(() => (db = suite.db));

    it('writes a fact, then updates it by key: firsts keep the earliest time, outcomes are replaced', async () => {
      await saveFacts(db, [fact()]);
      await saveFacts(db, [fact({
        status: 'completed', reach: 'completed', sessions: 4, acceptedAt: '2026-04-01T09:00:00Z', firstContactAt: '2026-04-01', closedAt: '2026-06-01T00:00:00Z',
        outcomes: [{ measure: 'swemwbs', before: 18, beforeAt: '2026-03-12', after: 24, afterAt: '2026-05-30' }], socialOutcomes: ['group-attending'],
      })]);
      const { rows } = await db.query<Record<string, unknown>>(`SELECT reach, sessions, accepted_at, first_contact_at, closed_at, needs, social_outcomes, ethnicity, imd_decile, origin FROM report_referrals WHERE referral_key = 'k1'`);
      expect(rows).to.have.length(1);
      expect(rows[0]).to.deep.include({ reach: 'completed', sessions: 4, needs: ['loneliness'], social_outcomes: ['group-attending'], ethnicity: 'A', imd_decile: 2, origin: 'live' });
      expect(new Date(rows[0]!.accepted_at as string).toISOString()).to.equal('2026-03-03T09:00:00.000Z');
      expect(new Date(rows[0]!.first_contact_at as string).toISOString().slice(0, 10)).to.equal('2026-03-05');
      const o = await db.query<{ before_score: string; after_score: string }>(`SELECT before_score::text, after_score::text FROM report_outcomes WHERE referral_key = 'k1'`);
      expect(o.rows).to.deep.equal([{ before_score: '18', after_score: '24' }]);
    });

    it('seeds the demo history once, in bulk', async () => {
      const n = await seedReportHistory(db, new Date('2026-12-01T12:00:00Z'));
      expect(n).to.be.at.least(2000);
      expect(await countFacts(db, 'demo')).to.equal(n);
      expect(await seedReportHistory(db)).to.equal(0);
      const pairs = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM report_outcomes WHERE after_score IS NOT NULL`);
      expect(Number(pairs.rows[0]!.n)).to.be.above(500);
      // Completed referrals carry social outcomes that follow their needs (debt advice for money worries, and so on).
      const social = await db.query<{ code: string; n: string }>(`SELECT code, count(*)::text AS n FROM report_referrals, unnest(social_outcomes) AS code WHERE origin = 'demo' GROUP BY code`);
      const byCode = new Map(social.rows.map((r) => [r.code, Number(r.n)]));
      expect(byCode.get('debt-advice')).to.be.above(50);
      expect(byCode.get('group-attending')).to.be.above(50);
      const open = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM report_referrals WHERE reach <> 'completed' AND cardinality(social_outcomes) > 0`);
      expect(open.rows[0]!.n).to.equal('0');
    });
  });
}
