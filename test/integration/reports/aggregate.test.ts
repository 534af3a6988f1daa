import { expect } from 'chai';
import type { Db } from '../../../src/store/db.js';
import { aggregate, type Aggregates, type SpreadRow } from '../../../src/reports/aggregate.js';
import { SPLIT_KEYS } from '../../../src/reports/dimensions.js';
import { INDICATORS, indicatorScope, measureReport } from '../../../src/reports/measures.js';
import { REPORTS, buildReport, reportScope, type ReportId } from '../../../src/reports/report-builders.js';
import { reportCsv } from '../../../src/reports/report-csv.js';
import { NHS_SUPPRESSION } from '../../../src/reports/suppression.js';
import { saveFacts, saveOnwardFacts } from '../../../src/reports/report-store.js';
import { saveGpDemand } from '../../../src/reports/gp-demand-store.js';
import { referralKey, type ReferralFact } from '../../../src/reports/referral-fact.js';
import { demoGpDemand, demoOnwardHistory, demoReportHistory } from '../../../src/sandbox/demo/report-history.js';
import { aggregateInProcess } from '../../helpers/reports-in-process.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const NOW = new Date('2026-12-01T12:00:00Z');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
const planNodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(planNodes)];
const YEAR = { from: '2025-12-02', to: '2026-12-01' };

/** Order-free comparison, numbers to 1e-9 (SQL and the process add up floats in different orders). */
function canonical(a: Aggregates) {
  const r = (v: number | undefined) => (v === undefined ? null : Math.round(v * 1e6) / 1e6);
  const key = (o: object) => JSON.stringify(o);
  return {
    referrals: a.referrals,
    counts: a.counts.map((c) => key(c)).sort(),
    waits: Object.fromEntries(Object.entries(a.waits).map(([k, rows]: [string, SpreadRow[]]) => [k, rows.map((s) => key({ ...s, median: r(s.median), p90: r(s.p90) })).sort()])),
    outcomes: a.outcomes.map((o) => key({ ...o, meanBefore: r(o.meanBefore), meanAfter: r(o.meanAfter), meanChange: r(o.meanChange), sdChange: r(o.sdChange) })).sort(),
    gpDemand: a.gpDemand.map((g) => key({ ...g, meanBefore: r(g.meanBefore), meanAfter: r(g.meanAfter), meanChange: r(g.meanChange), sdChange: r(g.sdChange) })).sort(),
  };
}

const fact = (i: number, over: Partial<ReferralFact>): ReferralFact => ({
  key: referralKey('hand', `t${i}`), practice: 'Y99901', practiceName: 'Riverside', pcn: 'Central', service: 'connect', serviceName: 'Connect', source: 'gp-practice', urgency: 'routine',
  needs: [], referredAt: '2026-03-02T09:00:00Z', status: 'in-progress', reach: 'in-support', sessions: 0, servicesConnected: [], equality: { sex: 'female' }, outcomes: [], socialOutcomes: [],
  ...over,
});

for (const backend of STORE_BACKENDS) {
  describe(`reports/aggregate: figures in SQL on ${backend.name}`, function () {
    this.timeout(120_000);
    let db: Db;
    const suite = suiteStore(backend, 't_reports_agg');
    before(() => (db = suite.db));
    beforeEach(async () => {
      await db.query('DELETE FROM report_referrals');
      await db.query('DELETE FROM report_onward');
    });
    /** A seeded year with its onward referrals and GP appointment counts. */
    async function seedYear(count: number, seed: number): Promise<void> {
      const facts = demoReportHistory({ now: NOW, count, seed });
      await saveFacts(db, facts, 'demo');
      await saveOnwardFacts(db, demoOnwardHistory(facts), 'demo');
      await saveGpDemand(db, demoGpDemand(facts, NOW));
    }

    it('agrees figure for figure with the same figures computed in the process, over a seeded year and under every filter', async () => {
      await seedYear(1500, 11);
      for (const filter of [YEAR, { ...YEAR, practice: 'Y99904' }, { ...YEAR, pcn: 'Vale North PCN', source: 'self-referral' as const }, { from: '2026-06-01', to: '2026-06-30', service: 'demo-link-workers' }]) {
        const [sql, slow] = await Promise.all([aggregate(db, filter), aggregateInProcess(db, filter)]);
        expect(sql.referrals, JSON.stringify(filter)).to.be.above(0);
        expect(canonical(sql), JSON.stringify(filter)).to.deep.equal(canonical(slow));
      }
      // The comparison covers the onward referrals and GP appointments too.
      const year = await aggregate(db, YEAR);
      expect(year.counts.filter((c) => c.dimension === 'onward-need' && c.split === 'ethnicity')).to.not.be.empty;
      expect(year.gpDemand.find((g) => g.split === 'all')?.pairs).to.be.above(0);
      // The practices to choose from are every practice with referrals in the period, whatever else is filtered.
      expect((await aggregate(db, { ...YEAR, practice: 'Y99904' })).practices.map((p) => p.code)).to.have.members(['Y99901', 'Y99902', 'Y99903', 'Y99904', 'Y99905', 'Y99906']);
    });

    it('builds each page, CSV and MeasureReport from only the statements it needs, the same as from every figure', async () => {
      await seedYear(600, 5);
      const filter = { ...YEAR, pcn: 'Fernbridge Central PCN' };
      const every = await aggregate(db, filter);
      const o = { version: '1.0.0', generatedAt: '2026-12-01T12:00:00Z' };
      for (const r of REPORTS) {
        for (const split of SPLIT_KEYS) {
          const page = await aggregate(db, filter, reportScope(r.id, [split]));
          // A page's figures are of its own split only.
          expect([...new Set([...page.counts, ...page.outcomes, ...page.waits.firstContact].map((x) => x.split))], `${r.id} ${split}`).to.deep.equal(page.counts.length + page.outcomes.length + page.waits.firstContact.length ? [split] : []);
          expect(buildReport(r.id, page, split, NHS_SUPPRESSION), `${r.id} ${split}`).to.deep.equal(buildReport(r.id, every, split, NHS_SUPPRESSION));
        }
        expect(reportCsv(r.id, await aggregate(db, filter, reportScope(r.id, SPLIT_KEYS)), NHS_SUPPRESSION), r.id).to.equal(reportCsv(r.id, every, NHS_SUPPRESSION));
      }
      for (const i of INDICATORS) {
        expect(measureReport(i, await aggregate(db, filter, indicatorScope(i)), NHS_SUPPRESSION, o), i.id).to.deep.equal(measureReport(i, every, NHS_SUPPRESSION, o));
      }
    });

    it('has each page read only the tables it shows, each in one pass: nothing runs once per referral', async () => {
      await seedYear(600, 5);
      const { referrals } = await aggregate(db, YEAR, reportScope('timeliness', ['all']));
      const reads: Record<ReportId, string[]> = {
        referrals: ['report_referrals'], timeliness: ['report_referrals'], outcomes: ['report_outcomes', 'report_referrals'],
        services: ['report_onward', 'report_referrals'], 'gp-demand': ['report_gp_demand', 'report_referrals'],
      };
      for (const r of REPORTS) {
        for (const split of SPLIT_KEYS) {
          const statements: { sql: string; params: readonly unknown[] }[] = [];
          const recording = new Proxy(db, {
            get: (target, k) => (k === 'query' ? (sql: string, params: readonly unknown[] = []) => { statements.push({ sql, params }); return target.query(sql, params); } : Reflect.get(target, k)),
          });
          await aggregate(recording, YEAR, reportScope(r.id, [split]));
          const tables = new Set<string>();
          for (const st of statements) {
            const [row] = (await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${st.sql}`, st.params)).rows;
            const plan = (typeof row!['QUERY PLAN'] === 'string' ? JSON.parse(row!['QUERY PLAN']) : row!['QUERY PLAN']) as [{ Plan: PlanNode }];
            for (const node of planNodes(plan[0].Plan)) {
              if (!node['Relation Name']) continue;
              tables.add(node['Relation Name']);
              // A subquery per referral (as onward counts once were) runs its scan once per row: here at most once per
              // group of the result (a service's latest name).
              expect(node['Actual Loops'], `${r.id}?by=${split}: ${node['Node Type']} on ${node['Relation Name']} in ${st.sql.slice(0, 80)}`).to.be.below(referrals / 10);
            }
          }
          expect([...tables].sort(), `${r.id}?by=${split}`).to.deep.equal(reads[r.id]);
        }
      }
    });

    it('computes hand-checked figures: counts by split, type-7 median and p90 of whole days, paired change and meaningful improvement', async () => {
      const days = [1, 2, 3, 4, 10];
      await saveFacts(db, [
        ...days.map((d, i) => fact(i, {
          sex: undefined, equality: { sex: i < 3 ? 'female' : 'male', ageBand: '25-34', imdDecile: i + 1, ...([{ disability: 'yes' }, { disability: 'yes' }, { disability: 'no' }, { disability: 'prefer-not-to-say' }, {}] as const)[i] }, needs: ['loneliness', 'debt-money'],
          firstContactAt: new Date(Date.parse('2026-03-02T09:00:00Z') + d * 86_400_000).toISOString(), reach: 'completed', sessions: i + 1,
          socialOutcomes: i < 2 ? ['housing-secured', 'debt-advice'] : i < 3 ? ['housing-secured'] : [],
          outcomes: [{ measure: 'swemwbs', before: 18, beforeAt: '2026-03-05', ...(i < 4 ? { after: 18 + [4, 3, 0, -2][i]!, afterAt: '2026-05-01' } : {}) }],
        } as Partial<ReferralFact>)),
        // Outside the period (the day before it starts, in England): never counted.
        fact(9, { referredAt: '2025-12-01T23:30:00Z' }),
      ]);
      const a = await aggregate(db, YEAR);
      expect(a.referrals).to.equal(5);
      const n = (dimension: string, code: string, split = 'all', category = 'all') => a.counts.find((c) => c.dimension === dimension && c.code === code && c.split === split && c.category === category)?.n;
      expect(n('need', 'loneliness')).to.equal(5);
      expect(n('social-outcome', 'housing-secured')).to.equal(3);
      expect(n('social-outcome', 'debt-advice', 'sex', 'female')).to.equal(2);
      expect(n('social-outcome', 'debt-advice', 'sex', 'male')).to.equal(undefined);
      expect(n('source', 'gp-practice', 'sex', 'female')).to.equal(3);
      expect(n('source', 'gp-practice', 'imd-quintile', '1')).to.equal(2); // deciles 1 and 2
      expect(n('source', 'gp-practice', 'ethnicity', 'Not known')).to.equal(5);
      // Disability as answered (the record has no place for it): yes, yes, no, prefer not to say, and one not asked.
      expect(['yes', 'no', 'prefer-not-to-say', 'not-known'].map((c) => n('source', 'gp-practice', 'disability', c))).to.deep.equal([2, 1, 1, 1]);
      expect(n('social-outcome', 'debt-advice', 'disability', 'yes')).to.equal(2);
      expect(a.waits.firstContact.find((w) => w.split === 'disability' && w.category === 'yes')).to.deep.include({ n: 2, median: 1.5 });
      expect(a.outcomes.find((o) => o.measure === 'swemwbs' && o.split === 'disability' && o.category === 'yes')).to.deep.include({ pairs: 2, improved: 2 });
      const contact = a.waits.firstContact.find((w) => w.split === 'all')!;
      // Days 1, 2, 3, 4, 10: median 3; p90 at h = 3.6 → 4 + 0.6 × 6 = 7.6.
      expect(contact).to.deep.include({ n: 5, median: 3 });
      expect(contact.p90).to.be.closeTo(7.6, 1e-9);
      const sw = a.outcomes.find((o) => o.measure === 'swemwbs' && o.split === 'all')!;
      // Pairs: +4, +3, 0, −2 → mean 1.25, sd √((2.75² + 1.75² + 1.25² + 3.25²)/3) = √(22.75/3).
      expect(sw).to.deep.include({ eligible: 5, pairs: 4, improved: 2, worsened: 0 });
      expect(sw.meanChange).to.be.closeTo(1.25, 1e-9);
      expect(sw.sdChange).to.be.closeTo(Math.sqrt(22.75 / 3), 1e-9);
    });
  });
}
