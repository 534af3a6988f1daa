import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import type { Db } from '../../../src/store/db.js';
import { aggregate, type Aggregates } from '../../../src/reports/aggregate.js';
import { buildReport, reportScope, type CountTable } from '../../../src/reports/report-builders.js';
import { reportCsv } from '../../../src/reports/report-csv.js';
import { NHS_SUPPRESSION } from '../../../src/reports/suppression.js';
import { onwardFact } from '../../../src/reports/onward-fact.js';
import { saveFacts, saveOnwardFacts } from '../../../src/reports/report-store.js';
import { referralKey, type ReferralFact } from '../../../src/reports/referral-fact.js';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { SPLIT_KEYS } from '../../../src/reports/dimensions.js';
import { INDICATORS, MEASURES, indicatorScope, measureReport, measureReportProblems } from '../../../src/reports/measures.js';
import { checkResource, preloadValidation } from '../../../src/fhir/validate/index.js';
import { aggregateInProcess } from '../../helpers/reports-in-process.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const YEAR = { from: '2025-12-02', to: '2026-12-01' };
const NO_SUPPRESSION = { threshold: 1, secondary: false };

const referral = (i: number, over: Partial<ReferralFact>): ReferralFact => ({
  key: referralKey('hand', `t${i}`), practice: 'Y99901', practiceName: 'Riverside', pcn: 'Central', service: 'Connect', serviceName: 'Connect', source: 'gp-practice', urgency: 'routine',
  needs: [], referredAt: '2026-03-02T09:00:00Z', status: 'in-progress', reach: 'in-support', sessions: 0, servicesConnected: [], equality: { sex: 'female' }, outcomes: [], socialOutcomes: [],
  ...over,
});

/** A sub-Task as SP Link writes one (src/referral-model/onward-referral.ts), at version `version`. */
function subTask(id: string, parent: string, service: string, status: Task['status'], o: { reason?: string; sessions?: number; version?: string; at?: string } = {}): Task & { id: string } {
  return {
    resourceType: 'Task', id, status, intent: 'order', partOf: [{ reference: `Task/${parent}` }], authoredOn: '2026-03-10T10:00:00Z',
    meta: { versionId: o.version ?? '2', lastUpdated: o.at ?? '2026-03-14T10:00:00Z' }, owner: { display: `${service} organisers` },
    input: [{ type: { coding: [{ system: CODE_SYSTEM.prsbSection, code: 'support-offered' }] }, valueReference: { reference: `HealthcareService/${service.toLowerCase().replace(/\W+/g, '-')}`, display: service } }],
    ...(o.reason ? { statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: o.reason }] } } : {}),
    ...(o.sessions !== undefined ? { output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'sessions-held' }] }, valueInteger: o.sessions }] } : {}),
  };
}
const fact = (t: Task & { id: string }) => onwardFact(t, 'hand')!;

/** The count of a table's row and column (unsuppressed), or undefined when the row is not shown. */
function cell(t: CountTable, row: string, column = 'all'): number | undefined {
  const i = t.rows.findIndex((r) => r.code === row);
  const c = t.columns.findIndex((x) => x.code === column);
  const shown = i < 0 || c < 0 ? undefined : t.table.cells[i]![c]!;
  return shown && !shown.hidden ? shown.value : undefined;
}

for (const backend of STORE_BACKENDS) {
  describe(`reports: onward referrals to community groups in the services report, on ${backend.name}`, function () {
    this.timeout(120_000);
    let db: Db;
    const suite = suiteStore(backend, 't_reports_onward');
    before(() => (db = suite.db));
    beforeEach(async () => {
      if (!db) return;
      await db.query('DELETE FROM report_referrals');
      await db.query('DELETE FROM report_onward');
    });

    async function seedFixture(): Promise<Aggregates> {
      await saveFacts(db, [
        referral(0, { needs: ['loneliness', 'debt-money'], equality: { sex: 'female', ageBand: '25-34' } }),
        referral(1, { needs: ['loneliness'], equality: { sex: 'female', ageBand: '25-34' } }),
        referral(2, { needs: ['housing'], equality: { sex: 'male', ageBand: '65-74' } }),
        // Referred the day before the period starts (in England): its onward referral is not counted.
        referral(3, { referredAt: '2025-12-01T23:30:00Z', equality: { sex: 'male' } }),
      ]);
      await saveOnwardFacts(db, [
        fact(subTask('o1', 't0', 'Walking group', 'completed', { sessions: 4 })),
        fact(subTask('o2', 't0', "Men's Shed", 'rejected', { reason: 'service-at-capacity' })),
        fact(subTask('o3', 't1', 'Walking group', 'in-progress')),
        fact(subTask('o4', 't2', 'Debt advice', 'cancelled', { reason: 'patient-moved' })),
        fact(subTask('o5', 't2', 'Walking group', 'accepted')),
        fact(subTask('o6', 't3', 'Walking group', 'completed')),
        // Part of a referral whose fact the store does not hold (yet): not counted.
        fact(subTask('o7', 't9', 'Walking group', 'requested')),
      ]);
      return aggregate(db, YEAR);
    }

    it('counts per community service, outcome, need and decline or withdraw reason, with the equality splits (hand-computed)', async () => {
      const a = await seedFixture();
      const report = buildReport('services', a, 'all', NO_SUPPRESSION);
      const table = (id: string) => report.tables.find((t): t is CountTable => t.kind === 'counts' && t.id === id)!;
      const services = table('onward-service');
      expect(services.title).to.equal('Onward referrals per community service');
      expect([cell(services, 'Walking group'), cell(services, "Men's Shed"), cell(services, 'Debt advice')]).to.deep.equal([3, 1, 1]);
      expect(services.table.total).to.deep.equal({ value: 5, hidden: false });
      const states = table('onward-state');
      expect(['sent', 'accepted', 'attended', 'finished', 'declined', 'withdrawn', 'did-not-attend'].map((s) => cell(states, s))).to.deep.equal([0, 1, 1, 1, 1, 1, 0]);
      expect(states.rows.find((r) => r.code === 'attended')?.label).to.equal('Attended');
      // o1 and o2 under both of t0's needs, o3 under t1's, o4 and o5 under t2's.
      const needs = table('onward-need');
      expect([cell(needs, 'loneliness'), cell(needs, 'debt-money'), cell(needs, 'housing')]).to.deep.equal([3, 2, 2]);
      const reasons = table('onward-reason');
      expect(reasons.rows.map((r) => [r.code, cell(reasons, r.code)])).to.deep.equal([['patient-moved', 1], ['service-at-capacity', 1]]);
      expect(reasons.rows.find((r) => r.code === 'service-at-capacity')?.label).to.match(/capacity/i);

      const bySex = buildReport('services', a, 'sex', NO_SUPPRESSION);
      const sexServices = bySex.tables.find((t): t is CountTable => t.kind === 'counts' && t.id === 'onward-service')!;
      expect([cell(sexServices, 'Walking group', 'female'), cell(sexServices, 'Walking group', 'male'), cell(sexServices, "Men's Shed", 'female'), cell(sexServices, 'Debt advice', 'male')]).to.deep.equal([2, 1, 1, 1]);
      const byAge = buildReport('services', a, 'age-band', NO_SUPPRESSION);
      expect(cell(byAge.tables.find((t): t is CountTable => t.kind === 'counts' && t.id === 'onward-reason')!, 'service-at-capacity', '25-34')).to.equal(1);

      // The referral's filter applies: a practice with none of these referrals has no onward referrals either.
      const other = await aggregate(db, { ...YEAR, practice: 'Y99909' });
      expect(other.counts.filter((c) => c.dimension.startsWith('onward-'))).to.deep.equal([]);
      // The SQL agrees with the figures computed the slow way, in every split; a page needs only its own statements.
      const slow = await aggregateInProcess(db, YEAR);
      const onward = (x: Aggregates) => x.counts.filter((c) => c.dimension.startsWith('onward-')).map((c) => JSON.stringify(c)).sort();
      expect(onward(a)).to.deep.equal(onward(slow));
      for (const split of SPLIT_KEYS) expect(buildReport('services', await aggregate(db, YEAR, reportScope('services', [split])), split, NO_SUPPRESSION)).to.deep.equal(buildReport('services', a, split, NO_SUPPRESSION));
    });

    it('publishes what became of them as a MeasureReport of the page’s own figures, valid against base R4 and its Measure (hand-computed)', async () => {
      await preloadValidation();
      await seedFixture();
      const i = INDICATORS.find((x) => x.id === 'sp-link-onward-referrals')!;
      const o = { version: '1.0.0', generatedAt: '2026-12-02T09:00:00Z' };
      // Its own statements (only the onward states) give the MeasureReport the page's figures give.
      const scoped = await aggregate(db, YEAR, indicatorScope(i));
      const report = measureReport(i, scoped, NO_SUPPRESSION, o);
      expect(report).to.deep.equal(measureReport(i, await aggregate(db, YEAR, reportScope('services', ['all', 'age-band', 'sex', 'ethnicity', 'imd-quintile'])), NO_SUPPRESSION, o));
      expect(measureReportProblems(report, MEASURES('1.0.0').find((m) => m.id === i.id)!)).to.deep.equal([]);
      expect((checkResource(report).issue ?? []).filter((x) => x.severity === 'error' || x.severity === 'fatal')).to.deep.equal([]);
      // o1 finished, o2 declined, o3 attended, o4 withdrawn, o5 accepted, of the 5 onward referrals in the period.
      const byCode = Object.fromEntries(report.group!.map((g) => [g.code!.coding![0]!.code, [g.population!.map((p) => p.count), g.measureScore?.value]]));
      expect(byCode).to.deep.equal({
        sent: [[5, 5, 0], 0], accepted: [[5, 5, 1], 0.2], declined: [[5, 5, 1], 0.2], attended: [[5, 5, 1], 0.2],
        'did-not-attend': [[5, 5, 0], 0], finished: [[5, 5, 1], 0.2], withdrawn: [[5, 5, 1], 0.2],
      });
      // t2 (a man's referral) had o4 withdrawn and o5 accepted.
      const sex = report.group!.find((g) => g.code!.coding![0]!.code === 'withdrawn')!.stratifier!.find((s) => s.code![0]!.coding![0]!.code === 'sex')!;
      const male = sex.stratum!.find((st) => st.value!.coding![0]!.code === 'male')!;
      expect([male.population!.map((p) => p.count), male.measureScore?.value]).to.deep.equal([[2, 2, 1], 0.5]);
      // With the NHS rule every count here from 1 to 7 is masked (zero is shown), and no share given.
      const masked = measureReport(i, scoped, NHS_SUPPRESSION, o);
      expect(masked.group!.flatMap((g) => g.population!).every((p) => p.count === 0 || (p.count === undefined && p.extension?.[0]?.valueCode === 'masked'))).to.equal(true);
      expect(masked.group!.find((g) => g.code!.coding![0]!.code === 'finished')!.population!.map((p) => p.count)).to.deep.equal([undefined, undefined, undefined]);
      expect(masked.group!.every((g) => g.measureScore === undefined)).to.equal(true);
    });

    it('suppresses small numbers in the onward tables, in the page and the CSV', async () => {
      const a = await seedFixture();
      const report = buildReport('services', a, 'all', NHS_SUPPRESSION);
      const services = report.tables.find((t): t is CountTable => t.kind === 'counts' && t.id === 'onward-service')!;
      expect(services.table.cells.flat().every((c) => c.hidden || c.value === 0), 'every count of 1 to 7 hidden').to.equal(true);
      const csv = reportCsv('services', a, NHS_SUPPRESSION);
      const walking = csv.split('\r\n').filter((l) => l.includes('Onward referrals per community service') && l.includes('Walking group'));
      expect(walking.length, 'a line per split and column').to.be.above(5);
      expect(walking.every((l) => /,<8$|,0$/.test(l)), walking.join('\n')).to.equal(true);
      expect(csv).to.include('What became of onward referrals');
      expect(csv).to.include('Why onward referrals were declined or withdrawn');
    });

    it('keeps the furthest state seen: a late, older version never winds an onward referral back; the first answer keeps its time', async () => {
      await saveFacts(db, [referral(0, { needs: ['loneliness'] })]);
      await saveOnwardFacts(db, [fact(subTask('o1', 't0', 'Walking group', 'in-progress', { version: '3', at: '2026-03-20T10:00:00Z' }))]);
      await saveOnwardFacts(db, [fact(subTask('o1', 't0', 'Walking group', 'accepted', { version: '2', at: '2026-03-14T10:00:00Z' }))]);
      await saveOnwardFacts(db, [fact(subTask('o1', 't0', 'Walking group', 'requested', { version: '1', at: '2026-03-10T10:00:00Z' }))]);
      type Row = { state: string; progress: number; answered_at: Date | string; referral_key: string };
      let rows = (await db.query<Row>('SELECT state, progress, answered_at, referral_key FROM report_onward')).rows;
      expect(rows.map((r) => [r.state, new Date(r.answered_at).toISOString()])).to.deep.equal([['attended', '2026-03-14T10:00:00.000Z']]);
      expect(rows[0]!.referral_key).to.equal(referralKey('hand', 't0'));
      await saveOnwardFacts(db, [fact(subTask('o1', 't0', 'Walking group', 'completed', { version: '4', sessions: 6, at: '2026-05-01T10:00:00Z' }))]);
      rows = (await db.query<Row>('SELECT state, progress, answered_at, referral_key FROM report_onward')).rows;
      expect(rows.map((r) => r.state)).to.deep.equal(['finished']);
    });
  });
}
