import { expect } from 'chai';
import type { Aggregates, CountRow } from '../../../src/reports/aggregate.js';
import { checkResource, preloadValidation } from '../../../src/fhir/validate/index.js';
import { INDICATORS, MEASURES, measureReport, measureReportProblems, measureReports } from '../../../src/reports/measures.js';
import { buildReport, type CountTable } from '../../../src/reports/report-builders.js';
import { NHS_SUPPRESSION } from '../../../src/reports/suppression.js';

const c = (dimension: CountRow['dimension'], code: string, n: number, split: CountRow['split'] = 'all', category = 'all'): CountRow => ({ dimension, code, split, category, n });
const a: Aggregates = {
  filter: { from: '2026-01-01', to: '2026-12-31', practice: 'Y99901' },
  referrals: 100,
  counts: [
    c('source', 'gp-practice', 100), c('reach', 'completed', 50), c('reach', 'in-support', 20), c('reach', 'declined', 30),
    c('source', 'gp-practice', 95, 'sex', 'female'), c('source', 'gp-practice', 5, 'sex', 'male'),
    c('reach', 'completed', 50, 'sex', 'female'), c('reach', 'in-support', 16, 'sex', 'female'), c('reach', 'in-support', 4, 'sex', 'male'), c('reach', 'declined', 29, 'sex', 'female'), c('reach', 'declined', 1, 'sex', 'male'),
    // Onward referrals by what became of them: 100 in all, 90 of women's referrals and 10 of men's.
    ...Object.entries({ sent: [3, 3, 0], accepted: [10, 8, 2], attended: [20, 18, 2], finished: [30, 28, 2], declined: [12, 10, 2], withdrawn: [9, 9, 0], 'did-not-attend': [16, 14, 2] })
      .flatMap(([state, [all, female, male]]) => [c('onward-state', state, all!), ...(female ? [c('onward-state', state, female, 'sex', 'female')] : []), ...(male ? [c('onward-state', state, male, 'sex', 'male')] : [])]),
  ],
  waits: { firstContact: [{ split: 'all', category: 'all', n: 70, median: 4.5, p90: 12 }, { split: 'sex', category: 'female', n: 66, median: 4, p90: 11 }, { split: 'sex', category: 'male', n: 4, median: 9, p90: 12 }], firstSession: [], sessions: [] },
  outcomes: [{ measure: 'swemwbs', split: 'all', category: 'all', eligible: 60, pairs: 40, meanBefore: 18, meanAfter: 21, meanChange: 3, sdChange: 4, improved: 22, worsened: 3 }],
  practices: [],
  services: [],
  gpDemand: [
    { split: 'all', category: 'all', eligible: 60, pairs: 50, waiting: 40, meanBefore: 5, meanAfter: 4.25, meanChange: -0.75, sdChange: 2, fewer: 30 },
    { split: 'sex', category: 'female', eligible: 55, pairs: 46, waiting: 30, meanBefore: 5, meanAfter: 4.2, meanChange: -0.8, sdChange: 2, fewer: 28 },
    { split: 'sex', category: 'male', eligible: 5, pairs: 4, waiting: 10, meanBefore: 5, meanAfter: 4.5, meanChange: -0.5, sdChange: 1, fewer: 2 },
  ],
};
const o = { version: '1.0.0', generatedAt: '2027-01-02T09:00:00Z' };
const errors = (r: Parameters<typeof checkResource>[0]) => (checkResource(r).issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression?.join(',')}: ${i.diagnostics ?? i.details?.text}`);

describe('reports/measures: headline indicators as FHIR Measures and MeasureReports', () => {
  before(() => preloadValidation());

  it('publishes one valid R4 Measure per headline indicator', () => {
    const measures = MEASURES('1.0.0');
    expect(measures.map((m) => m.id)).to.deep.equal(INDICATORS.map((i) => i.id));
    for (const m of measures) expect(errors(m), m.id).to.deep.equal([]);
  });

  it('reports every indicator as valid R4 that conforms to its Measure', () => {
    const measures = MEASURES('1.0.0');
    for (const r of measureReports(a, NHS_SUPPRESSION, o)) {
      const m = measures.find((x) => r.measure === `${x.url}|1.0.0`)!;
      expect(errors(r), m.id).to.deep.equal([]);
      expect(measureReportProblems(r, m), m.id).to.deep.equal([]);
    }
  });

  it('scores reach as a proportion and masks small strata (and their complements) instead of counting them', () => {
    const reach = measureReport(INDICATORS.find((i) => i.id === 'sp-link-reach')!, a, NHS_SUPPRESSION, o);
    const g = reach.group![0]!;
    expect(g.measureScore?.value).to.equal(0.7);
    expect(g.population!.map((p) => p.count)).to.deep.equal([100, 100, 70]);
    const sex = g.stratifier!.find((s) => s.code?.[0]?.coding?.[0]?.code === 'sex')!;
    const male = sex.stratum!.find((s) => s.value?.text === 'Male')!;
    expect(male.population!.every((p) => p.count === undefined && p.extension?.[0]?.valueCode === 'masked')).to.equal(true);
    expect(male.measureScore).to.equal(undefined);
    // With male hidden, female is hidden too in each population, or the total would give male away.
    const female = sex.stratum!.find((s) => s.value?.text === 'Female')!;
    expect(female.population!.map((p) => p.count)).to.deep.equal([undefined, undefined, undefined]);
  });

  it('reports GP demand as the mean change in appointments, masking small strata and their scores', () => {
    const i = INDICATORS.find((x) => x.id === 'sp-link-gp-demand')!;
    const r = measureReport(i, a, NHS_SUPPRESSION, o);
    expect(r.group![0]!.population!.map((p) => p.count)).to.deep.equal([60, 50]);
    expect(r.group![0]!.measureScore).to.deep.equal({ value: -0.75, unit: 'appointments', system: 'http://unitsofmeasure.org', code: '{appointments}' });
    const sex = r.group![0]!.stratifier!.find((s) => s.code![0]!.coding![0]!.code === 'sex')!;
    const male = sex.stratum!.find((s) => s.value!.coding![0]!.code === 'male')!;
    expect(male.population!.every((p) => p.count === undefined && p.extension?.[0]?.valueCode === 'masked')).to.equal(true);
    expect(male.measureScore).to.equal(undefined);
    const female = sex.stratum!.find((s) => s.value!.coding![0]!.code === 'female')!;
    // The female counts would give the male ones away from the totals: masked too, and so is their score.
    expect(female.population!.every((p) => p.count === undefined)).to.equal(true);
    expect(female.measureScore).to.equal(undefined);
  });

  it('reports what became of onward referrals: a group per answer, its share of them all, figures masked exactly as the services page shows them', () => {
    const i = INDICATORS.find((x) => x.id === 'sp-link-onward-referrals')!;
    const m = MEASURES('1.0.0').find((x) => x.id === i.id)!;
    expect(m.group!.map((g) => g.code?.coding?.[0]?.code)).to.deep.equal(['sent', 'accepted', 'declined', 'attended', 'did-not-attend', 'finished', 'withdrawn']);
    expect(m.improvementNotation, 'no answer is better for being higher').to.equal(undefined);
    const r = measureReport(i, a, NHS_SUPPRESSION, o);
    expect(measureReportProblems(r, m)).to.deep.equal([]);
    const group = (code: string) => r.group!.find((g) => g.code?.coding?.[0]?.code === code)!;
    expect(group('finished').population!.map((p) => p.count)).to.deep.equal([100, 100, 30]);
    expect(group('finished').measureScore).to.deep.equal({ value: 0.3 });
    expect(group('attended').measureScore).to.deep.equal({ value: 0.2 });
    // Three sent: masked, with no share.
    expect(group('sent').population![2]!.extension?.[0]?.valueCode).to.equal('masked');
    expect(group('sent').measureScore).to.equal(undefined);
    // Every count as the page's table shows it: hidden there, masked here (so nothing is given away by subtraction either).
    for (const split of ['all', 'sex'] as const) {
      const table = buildReport('services', a, split, NHS_SUPPRESSION).tables.find((t): t is CountTable => t.id === 'onward-state')!;
      table.rows.forEach((row, k) => {
        const g = group(row.code);
        const cells = split === 'all' ? [g.population![2]!] : table.columns.map((col) => g.stratifier!.find((s) => s.code![0]!.coding![0]!.code === 'sex')!.stratum!.find((st) => st.value!.coding![0]!.code === col.code)!.population![2]!);
        const shown = cells.map((p) => p.count ?? 'masked');
        expect(shown, `${split} ${row.code}`).to.deep.equal(table.table.cells[k]!.map((x) => (x.hidden ? 'masked' : x.value)));
      });
    }
    // Ten onward referrals of men's referrals (the page's column total), two finished: the two masked, and no share.
    const male = group('finished').stratifier!.find((s) => s.code![0]!.coding![0]!.code === 'sex')!.stratum!.find((st) => st.value!.coding![0]!.code === 'male')!;
    expect(male.population!.map((p) => p.count)).to.deep.equal([10, 10, undefined]);
    expect(male.measureScore).to.equal(undefined);
  });

  it('says where a MeasureReport departs from its Measure', () => {
    const [m] = MEASURES('1.0.0');
    const r = measureReport(INDICATORS[1]!, a, NHS_SUPPRESSION, o);
    expect(measureReportProblems(r, m!)).to.include(`measure ${r.measure} is not ${m!.url}`);
    const broken = measureReport(INDICATORS[0]!, a, NHS_SUPPRESSION, o);
    broken.group![0]!.population![0] = { code: broken.group![0]!.population![0]!.code };
    expect(measureReportProblems(broken, m!)).to.deep.equal(['group 0: a population needs a count or the masked extension, not both or neither']);
  });
});
