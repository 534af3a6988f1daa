import { expect } from 'chai';
import type { Aggregates, CountRow, GpDemandRow, OutcomeRow } from '../../../src/reports/aggregate.js';
import { buildReport, type CountTable, type StatsTable } from '../../../src/reports/report-builders.js';
import { NHS_SUPPRESSION, shownText } from '../../../src/reports/suppression.js';

const count = (dimension: CountRow['dimension'], code: string, n: number, split: CountRow['split'] = 'all', category = 'all'): CountRow => ({ dimension, code, split, category, n });
const outcome = (over: Partial<OutcomeRow>): OutcomeRow => ({
  measure: 'swemwbs', split: 'all', category: 'all', eligible: 40, pairs: 30, meanBefore: 18, meanAfter: 21, meanChange: 3, sdChange: 4, improved: 15, worsened: 4, ...over,
});

function aggregates(over: Partial<Aggregates> = {}): Aggregates {
  return {
    filter: { from: '2026-01-01', to: '2026-12-31' },
    referrals: 120,
    counts: [
      count('source', 'gp-practice', 100), count('source', 'self-referral', 15), count('source', 'other-organisation', 5),
      count('source', 'gp-practice', 60, 'sex', 'female'), count('source', 'gp-practice', 40, 'sex', 'male'),
      count('source', 'self-referral', 12, 'sex', 'female'), count('source', 'self-referral', 3, 'sex', 'male'),
      count('source', 'other-organisation', 5, 'sex', 'female'),
      count('practice', 'Y99901', 120),
    ],
    waits: { firstContact: [{ split: 'all', category: 'all', n: 90, median: 4, p90: 11.5 }], firstSession: [{ split: 'all', category: 'all', n: 5, median: 9, p90: 20 }], sessions: [] },
    outcomes: [outcome({}), outcome({ measure: 'ucla3', pairs: 5, eligible: 9 })],
    practices: [{ code: 'Y99901', name: 'Riverside Medical Practice', pcn: 'Central' }],
    gpDemand: [],
    services: [{ code: 'connect', name: 'Connect' }],
    ...over,
  };
}

describe('reports/report-builders: what may be published', () => {
  it('lists every known category (zero shown), labels practices by name and suppresses small counts', () => {
    const r = buildReport('referrals', aggregates(), 'all', NHS_SUPPRESSION);
    const source = r.tables.find((t) => t.id === 'source') as CountTable;
    expect(source.rows.map((x) => x.label)).to.deep.equal(['GP practice', 'Self-referral', 'Other organisation', 'Other or not known']);
    // 5 is hidden; then 15, the smallest other figure, so the total cannot give the 5 away.
    expect(source.table.cells.map((c) => shownText(c[0]!))).to.deep.equal(['100', '<8', '<8', '0']);
    expect(source.table.cells.map((c) => (c[0]!.hidden ? c[0]!.reason : 'shown'))).to.deep.equal(['shown', 'secondary', 'small', 'shown']);
    expect((r.tables.find((t) => t.id === 'practice') as CountTable).rows[0]!.label).to.equal('Riverside Medical Practice');
  });

  it('splits counts by an equality field, with secondary suppression across rows and columns', () => {
    const t = buildReport('referrals', aggregates(), 'sex', NHS_SUPPRESSION).tables.find((x) => x.id === 'source') as CountTable;
    expect(t.columns.map((c) => c.label)).to.deep.equal(['Female', 'Male', 'Other', 'Not known']);
    const lines = [...t.table.cells.map((r, i) => [...r, t.table.rowTotals[i]!]), ...t.columns.map((_, c) => [...t.table.cells.map((r) => r[c]!), t.table.columnTotals[c]!])];
    for (const line of lines) expect(line.filter((s) => s.hidden).length).to.not.equal(1);
  });

  it('splits by disability as answered (disabled, not disabled, prefer not to say, not known), small groups hidden with their complement', () => {
    const a = aggregates({
      counts: [
        count('source', 'gp-practice', 30, 'disability', 'yes'), count('source', 'gp-practice', 60, 'disability', 'no'), count('source', 'gp-practice', 4, 'disability', 'prefer-not-to-say'), count('source', 'gp-practice', 6, 'disability', 'not-known'),
        count('source', 'self-referral', 15, 'disability', 'yes'), count('source', 'self-referral', 20, 'disability', 'no'),
      ],
      outcomes: [outcome({ split: 'disability', category: 'yes', pairs: 20, eligible: 25 }), outcome({ split: 'disability', category: 'no', pairs: 5, eligible: 9 })],
    });
    const t = buildReport('referrals', a, 'disability', NHS_SUPPRESSION).tables.find((x) => x.id === 'source') as CountTable;
    expect(t.columns.map((c) => c.label)).to.deep.equal(['Disabled', 'Not disabled', 'Prefer not to say', 'Not known']);
    expect(t.table.cells[0]!.map((c) => shownText(c))).to.deep.equal(['30', '60', '<8', '<8']);
    const lines = [...t.table.cells.map((r, i) => [...r, t.table.rowTotals[i]!]), ...t.columns.map((_, c) => [...t.table.cells.map((r) => r[c]!), t.table.columnTotals[c]!])];
    for (const line of lines) expect(line.filter((s) => s.hidden).length).to.not.equal(1);
    // Outcomes by disability: the 5 pairs of people not disabled are too few: hidden with their statistics, and the
    // disabled people's 20 pairs with them (or the total would give the 5 away).
    const o = buildReport('outcomes', a, 'disability', NHS_SUPPRESSION).tables[0] as StatsTable;
    expect(o.title).to.equal('SWEMWBS by disability');
    expect(o.rows.map((r) => r.label)).to.deep.equal(['Disabled', 'Not disabled', 'Prefer not to say', 'Not known']);
    expect(o.rows[1]!.cells.map((c) => c.text)).to.deep.equal(['9', ...Array(7).fill('<8')]);
    expect(o.rows[0]!.cells[1]!.hidden).to.equal(true);
  });

  it('publishes paired change with its 95% CI from Student’s t, and hides statistics from fewer than 8 people', () => {
    const t = buildReport('outcomes', aggregates(), 'all', NHS_SUPPRESSION).tables[0] as StatsTable;
    const sw = t.rows.find((r) => r.code === 'swemwbs')!;
    // 3 ± t(0.975, 29) × 4 / √30 = 3 ± 2.04523 × 0.730297 = 3 ± 1.4936.
    expect(sw.cells.map((c) => c.text)).to.deep.equal(['40', '30', '25%', '18.0', '21.0', '+3.0', '1.5 to 4.5', '50%']);
    expect(sw.chart!.low).to.be.closeTo(3 - 1.49364, 1e-4);
    const ucla = t.rows.find((r) => r.code === 'ucla3')!;
    expect(ucla.cells.map((c) => c.text)).to.deep.equal(['9', '<8', '<8', '<8', '<8', '<8', '<8', '<8']);
    expect(ucla.chart).to.equal(undefined);
  });

  it('counts social outcomes recorded at closing under the outcome measures, suppressed, with the referrals completed', () => {
    const a = aggregates({ counts: [count('reach', 'completed', 50), count('social-outcome', 'housing-secured', 20), count('social-outcome', 'debt-advice', 12), count('social-outcome', 'legal-advice', 3)] });
    const t = buildReport('outcomes', a, 'all', NHS_SUPPRESSION).tables.at(-1) as CountTable;
    expect(t.id).to.equal('social-outcome');
    expect(t.rows[0]!.label).to.equal('Housing secured or improved');
    // 3 is hidden; 12, the smallest other figure, too, so the total of 35 cannot give it away.
    const shown = Object.fromEntries(t.rows.map((r, i) => [r.code, shownText(t.table.cells[i]![0]!)]));
    expect(shown).to.deep.include({ 'housing-secured': '20', 'debt-advice': '<8', 'legal-advice': '<8', 'food-support': '0' });
    expect(t.note).to.include('Referrals completed: 50.');
    const few = buildReport('outcomes', aggregates({ counts: [count('reach', 'completed', 5)] }), 'all', NHS_SUPPRESSION).tables.at(-1) as CountTable;
    expect(few.note).to.include('Referrals completed: <8.');
  });

  it('hides a median whose people are too few', () => {
    const t = buildReport('timeliness', aggregates(), 'all', NHS_SUPPRESSION).tables[0] as StatsTable;
    expect(t.rows.map((r) => r.cells.map((c) => c.text))).to.deep.equal([['90', '4.0', '11.5'], ['<8', '<8', '<8'], ['0', '–', '–']]);
  });

  const gp = (over: Partial<GpDemandRow>): GpDemandRow => ({
    split: 'all', category: 'all', eligible: 34, pairs: 30, waiting: 12, meanBefore: 5.2, meanAfter: 4.4, meanChange: -0.8, sdChange: 2, fewer: 18, ...over,
  });

  it('publishes GP appointments before and after: pairs, share missing, means, mean change with its 95% CI, share with fewer, and the caveats', () => {
    const r = buildReport('gp-demand', aggregates({ gpDemand: [gp({})] }), 'all', NHS_SUPPRESSION);
    const t = r.tables[0] as StatsTable;
    // −0.8 ± t(0.975, 29) × 2 / √30 = −0.8 ± 2.04523 × 0.365148 = −0.8 ± 0.74682; 4 missing of 34 is too few to show.
    expect(t.rows[0]!.cells.map((c) => c.text)).to.deep.equal(['34', '30', '<8', '5.2', '4.4', '-0.8', '-1.5 to -0.1', '60%']);
    expect(t.rows[0]!.chart!.low).to.be.closeTo(-0.8 - 0.74682, 1e-4);
    expect(t.rows[0]!.chart!.high).to.be.closeTo(-0.8 + 0.74682, 1e-4);
    expect(t.note).to.contain('no comparison group').and.contain('regression to the mean').and.contain('Not counted yet: 12.');
    // 40 missing of 100 is shown; 7 with fewer (and so the share) is not.
    const more = buildReport('gp-demand', aggregates({ gpDemand: [gp({ eligible: 100, pairs: 60, fewer: 7, waiting: 3 })] }), 'all', NHS_SUPPRESSION).tables[0] as StatsTable;
    expect(more.rows[0]!.cells.map((c) => c.text)).to.deep.equal(['100', '60', '40%', '5.2', '4.4', '-0.8', '-1.3 to -0.3', '<8']);
    expect(more.note).to.contain('Not counted yet: <8.');
  });

  it('splits GP appointments by an equality field, hiding a group with too few pairs and its complement', () => {
    const rows = [gp({}), gp({ split: 'sex', category: 'female', eligible: 26, pairs: 25, fewer: 15 }), gp({ split: 'sex', category: 'male', eligible: 8, pairs: 5, fewer: 3 })];
    const t = buildReport('gp-demand', aggregates({ gpDemand: rows }), 'sex', NHS_SUPPRESSION).tables[0] as StatsTable;
    const byCode = Object.fromEntries(t.rows.map((r) => [r.code, r.cells.map((c) => c.text)]));
    expect(byCode.male!.slice(0, 2)).to.deep.equal(['8', '<8']);
    expect(byCode.male!.slice(2).every((x) => x === '<8')).to.equal(true);
    // The female pairs would give the male ones away from the total: hidden too.
    expect(byCode.female![1]).to.equal('<8');
  });
});
