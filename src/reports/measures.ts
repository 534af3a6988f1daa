import type { CodeableConcept, Expression, Extension, Measure, MeasureReport, MeasureReportGroup, MeasureReportGroupPopulation, MeasureReportGroupStratifierStratum } from '@medplum/fhirtypes';
import { CANONICAL_BASE } from '../referral-model/codes.js';
import { ONWARD_STATES, onwardLabel } from '../referral-model/onward-referral.js';
import type { AggregateScope, Aggregates } from './aggregate.js';
import { SPLITS, categoriesOf, type SplitKey } from './dimensions.js';
import { buildReport, type CountTable } from './report-builders.js';
import { isSmall, showCount, suppressList, type Shown, type SuppressionRule } from './suppression.js';

/**
 * The headline indicators as published FHIR `Measure`s (one each), and `MeasureReport`s of them for a filter, so
 * ICS analytics platforms can pull the figures: summary reports, stratified by age band, sex, ethnic group and IMD
 * quintile, with the same small-number suppression as the pages. A hidden count is left out and marked with the
 * data-absent-reason extension `masked`; a score is left out whenever a count it comes from is hidden.
 */

const POPULATION = 'http://terminology.hl7.org/CodeSystem/measure-population';
const SCORING = 'http://terminology.hl7.org/CodeSystem/measure-scoring';
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
const STRATIFIER_SYSTEM = `${CANONICAL_BASE}/CodeSystem/report-stratifier`;
// The criteria are prose for people reading the Measure (SP Link computes them in SQL, docs/REPORTS.md). R4 binds
// Expression.language extensibly, so text/plain is allowed; the generated types list only the example codes.
const PROSE = 'text/plain' as Expression['language'];
const STRATIFIED: readonly SplitKey[] = ['age-band', 'sex', 'ethnicity', 'imd-quintile'];

type PopulationCode = 'initial-population' | 'denominator' | 'numerator' | 'measure-population';
type Scoring = 'cohort' | 'proportion' | 'continuous-variable';

interface Indicator {
  id: string;
  title: string;
  description: string;
  scoring: Scoring;
  populations: { code: PopulationCode; criteria: string }[];
  unit?: string;
  /**
   * A proportion with one group per answer (what became of onward referrals): each group's numerator is the rows of
   * the page's count table with that code, its denominator the table's total, so the MeasureReport publishes the very
   * figures, suppressed the same way, as the report page. Absent: one group, the indicator's own.
   */
  answers?: { report: 'services'; table: 'onward-state'; groups: readonly { code: string; label: string; numerator: string }[] };
}

export const INDICATORS: readonly Indicator[] = [
  {
    id: 'sp-link-referrals', title: 'Referrals to social prescribing', scoring: 'cohort',
    description: 'Referrals to social prescribing link-worker services made in the period.',
    populations: [{ code: 'initial-population', criteria: 'Referrals whose referral date (Europe/London) falls in the period' }],
  },
  {
    id: 'sp-link-reach', title: 'Referrals that reached support', scoring: 'proportion',
    description: 'The share of referrals made in the period that the service took on: in support now, or completed.',
    populations: [
      { code: 'initial-population', criteria: 'Referrals made in the period' },
      { code: 'denominator', criteria: 'Referrals made in the period' },
      { code: 'numerator', criteria: 'Referrals in support or completed' },
    ],
  },
  {
    id: 'sp-link-days-to-first-contact', title: 'Days from referral to first contact', scoring: 'continuous-variable', unit: 'd',
    description: 'Median whole calendar days (Europe/London) from referral to the first successful contact with the person.',
    populations: [
      { code: 'initial-population', criteria: 'Referrals made in the period' },
      { code: 'measure-population', criteria: 'Referrals with a first successful contact' },
    ],
  },
  {
    id: 'sp-link-swemwbs-improvement', title: 'Meaningful improvement in mental wellbeing (SWEMWBS)', scoring: 'proportion',
    description: 'Of people with a SWEMWBS score at the start and on a later day, the share whose score rose by at least 3 points.',
    populations: [
      { code: 'initial-population', criteria: 'People with a starting SWEMWBS score whose support completed, or with a later score' },
      { code: 'denominator', criteria: 'Complete SWEMWBS pairs' },
      { code: 'numerator', criteria: 'Pairs whose score rose by 3 points or more' },
    ],
  },
  {
    id: 'sp-link-gp-demand', title: 'Change in GP appointments after referral', scoring: 'continuous-variable', unit: '{appointments}',
    description: 'Mean change (after minus before) in a person’s GP appointments, from the GP record’s encounters (hospital care excluded), between the 6 months before and the 6 months after referral; the day of referral counts in neither. No comparison group: read with regression to the mean in mind.',
    populations: [
      { code: 'initial-population', criteria: 'Referrals made in the period whose 6 months after have passed, counted or missing (the person died or left the practice)' },
      { code: 'measure-population', criteria: 'People with their appointments counted in both windows (complete pairs)' },
    ],
  },
  {
    id: 'sp-link-onward-referrals', title: 'What became of onward referrals to community groups', scoring: 'proportion',
    description: 'Link workers’ onward referrals to community groups and services, of the referrals made in the period, by what the group last answered (or the link worker withdrew): one group per answer, scored as its share of all those onward referrals. An onward referral counts under its referral: the referral’s filter and the person’s equality fields apply.',
    populations: [
      { code: 'initial-population', criteria: 'Onward referrals to community groups, of referrals made in the period' },
      { code: 'denominator', criteria: 'Onward referrals to community groups, of referrals made in the period' },
      { code: 'numerator', criteria: 'Onward referrals with this answer' },
    ],
    answers: {
      report: 'services', table: 'onward-state',
      groups: ONWARD_STATES.map((st) => ({ code: st, label: onwardLabel(st).label, numerator: `Onward referrals whose latest state is: ${onwardLabel(st).phrase}` })),
    },
  },
];

export const measureUrl = (id: string) => `${CANONICAL_BASE}/Measure/${id}`;
const concept = (system: string, code: string, display?: string): CodeableConcept => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const stratifierCode = (key: SplitKey): CodeableConcept => ({ ...concept(STRATIFIER_SYSTEM, key, SPLITS.find((s) => s.key === key)!.label), text: SPLITS.find((s) => s.key === key)!.label });
type Answer = NonNullable<Indicator['answers']>['groups'][number];
/** A group's code: the indicator's title, or for an answer its code in the report's categories and its label. */
const groupCode = (i: Indicator, g?: Answer): CodeableConcept =>
  (g ? { ...concept(`${CANONICAL_BASE}/CodeSystem/report-${i.answers!.table}`, g.code, g.label), text: `${i.title}: ${g.label}` } : { text: i.title });
// Several answers share one denominator: none of them is better for being higher, so such a Measure names no direction.
const improvement = (i: Indicator) => (i.scoring === 'proportion' && !i.answers ? { improvementNotation: concept('http://terminology.hl7.org/CodeSystem/measure-improvement-notation', 'increase') } : {});

/** The published Measure of an indicator. */
export function measureOf(i: Indicator, version: string): Measure {
  return {
    resourceType: 'Measure', id: i.id, url: measureUrl(i.id), version, name: i.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
    title: i.title, status: 'active', experimental: false, publisher: 'SP Link', description: i.description,
    scoring: concept(SCORING, i.scoring), ...improvement(i),
    group: (i.answers?.groups ?? [undefined]).map((g) => ({
      code: groupCode(i, g),
      population: i.populations.map((p) => ({ code: concept(POPULATION, p.code), criteria: { language: PROSE, expression: g && p.code === 'numerator' ? g.numerator : p.criteria } })),
      stratifier: STRATIFIED.map((k) => ({ code: stratifierCode(k), criteria: { language: PROSE, expression: `The person's ${SPLITS.find((s) => s.key === k)!.label.toLowerCase()} at referral` } })),
    })),
  };
}

export const MEASURES = (version: string): Measure[] => INDICATORS.map((i) => measureOf(i, version));

const masked: Extension = { url: DATA_ABSENT, valueCode: 'masked' };
function population(code: PopulationCode, n: Shown): MeasureReportGroupPopulation {
  return { code: concept(POPULATION, code), ...(n.hidden ? { extension: [masked] } : { count: n.value }) };
}

interface Figures {
  /** Counts per population, as published. */
  populations: Partial<Record<PopulationCode, Shown>>;
  score?: number;
}

/** The figures an indicator's MeasureReport is built from (`raw` below), overall and in every stratum. */
export function indicatorScope(i: Indicator): AggregateScope {
  const splits = ['all', ...STRATIFIED] as const;
  if (i.id === 'sp-link-reach') return { dimensions: ['source', 'reach'], waits: false, outcomes: false, splits };
  if (i.id === 'sp-link-days-to-first-contact') return { dimensions: ['source'], waits: true, outcomes: false, splits };
  if (i.id === 'sp-link-swemwbs-improvement') return { dimensions: [], waits: false, outcomes: true, splits };
  if (i.id === 'sp-link-gp-demand') return { dimensions: [], waits: false, outcomes: false, gpDemand: true, splits };
  if (i.answers) return { dimensions: [i.answers.table], waits: false, outcomes: false, splits };
  return { dimensions: ['source'], waits: false, outcomes: false, splits };
}

/** The raw figures of an indicator for one split category ('all' for everyone). */
function raw(i: Indicator, a: Aggregates, split: SplitKey, category: string): { pops: Partial<Record<PopulationCode, number>>; score?: number } {
  const count = (dimension: 'reach' | 'source', codes?: string[]) => a.counts
    .filter((c) => c.dimension === dimension && c.split === split && c.category === category && (!codes || codes.includes(c.code)))
    .reduce((s, c) => s + c.n, 0);
  const referrals = count('source');
  if (i.id === 'sp-link-referrals') return { pops: { 'initial-population': referrals } };
  if (i.id === 'sp-link-reach') return { pops: { 'initial-population': referrals, denominator: referrals, numerator: count('reach', ['in-support', 'completed']) } };
  if (i.id === 'sp-link-days-to-first-contact') {
    const w = a.waits.firstContact.find((x) => x.split === split && x.category === category);
    return { pops: { 'initial-population': referrals, 'measure-population': w?.n ?? 0 }, ...(w?.median !== undefined ? { score: w.median } : {}) };
  }
  if (i.id === 'sp-link-gp-demand') {
    const g = a.gpDemand.find((x) => x.split === split && x.category === category);
    return { pops: { 'initial-population': g?.eligible ?? 0, 'measure-population': g?.pairs ?? 0 }, ...(g?.meanChange !== undefined ? { score: g.meanChange } : {}) };
  }
  const o = a.outcomes.find((x) => x.measure === 'swemwbs' && x.split === split && x.category === category);
  return { pops: { 'initial-population': o?.eligible ?? 0, denominator: o?.pairs ?? 0, numerator: o?.improved ?? 0 } };
}

function published(i: Indicator, r: ReturnType<typeof raw>, shown: Partial<Record<PopulationCode, Shown>>, rule: SuppressionRule): Figures {
  const populations: Figures['populations'] = {};
  for (const p of i.populations) populations[p.code] = shown[p.code] ?? showCount(r.pops[p.code] ?? 0, rule);
  let score: number | undefined;
  if (i.scoring === 'proportion') {
    const num = r.pops.numerator ?? 0;
    const den = r.pops.denominator ?? 0;
    // A share discloses its numerator and the rest of its denominator: both must be publishable.
    if (den > 0 && !populations.numerator?.hidden && !populations.denominator?.hidden && !isSmall(den - num, rule)) score = num / den;
  } else if (i.scoring === 'continuous-variable' && !populations['measure-population']?.hidden) {
    score = r.score;
  }
  return { populations, ...(score !== undefined ? { score } : {}) };
}

const scoreOf = (i: Indicator, f: Figures) => {
  const unitName = i.unit === 'd' ? 'days' : 'appointments';
  return f.score === undefined ? {} : { measureScore: i.unit ? { value: round(f.score), unit: unitName, system: 'http://unitsofmeasure.org', code: i.unit } : { value: round(f.score) } };
};
const stratumValue = (key: SplitKey, c: { code: string; label: string }): CodeableConcept => ({ ...concept(`${CANONICAL_BASE}/CodeSystem/report-${key}`, c.code, c.label), text: c.label });

/**
 * The groups of an indicator of answers, from the page's own table in each split (buildReport): the numerator an
 * answer's cell, the denominator its column's total, each shown or masked exactly as the page shows it, so the
 * MeasureReport discloses nothing the page does not.
 */
function answerGroups(i: Indicator, a: Aggregates, rule: SuppressionRule): MeasureReportGroup[] {
  const answers = i.answers!;
  const tableIn = (split: SplitKey) => buildReport(answers.report, a, split, rule).tables.find((t): t is CountTable => t.kind === 'counts' && t.id === answers.table)!;
  const tables = new Map((['all', ...STRATIFIED] as const).map((k) => [k, tableIn(k)]));
  const figures = (t: CountTable, row: number, column: number): Figures => {
    const num = t.table.cells[row]?.[column] ?? showCount(0, rule);
    const den = t.table.columnTotals[column]!;
    const value = (s: Shown) => (s.hidden ? 0 : s.value);
    return published(i, { pops: { 'initial-population': value(den), denominator: value(den), numerator: value(num) } }, { 'initial-population': den, denominator: den, numerator: num }, rule);
  };
  return answers.groups.map((g) => {
    const all = tables.get('all')!;
    const overall = figures(all, all.rows.findIndex((r) => r.code === g.code), 0);
    const stratifier = STRATIFIED.map((key) => {
      const t = tables.get(key)!;
      const row = t.rows.findIndex((r) => r.code === g.code);
      const stratum = t.columns.map((c, k): MeasureReportGroupStratifierStratum => {
        const f = figures(t, row, k);
        return { value: stratumValue(key, c), population: i.populations.map((p) => population(p.code, f.populations[p.code]!)), ...scoreOf(i, f) };
      });
      return { code: [stratifierCode(key)], stratum };
    });
    return { code: groupCode(i, g), population: i.populations.map((p) => population(p.code, overall.populations[p.code]!)), ...scoreOf(i, overall), stratifier };
  });
}

/** A summary MeasureReport of one indicator for the filter's period and scope. */
export function measureReport(i: Indicator, a: Aggregates, rule: SuppressionRule, o: { version: string; generatedAt: string }): MeasureReport {
  const f = a.filter;
  const scope = [f.practice && `practice ${f.practice}`, f.pcn && `PCN ${f.pcn}`, f.service && `service ${f.service}`, f.source && `source ${f.source}`].filter(Boolean);
  return {
    resourceType: 'MeasureReport', status: 'complete', type: 'summary', measure: `${measureUrl(i.id)}|${o.version}`, date: o.generatedAt,
    period: { start: f.from, end: f.to },
    // What the figures cover, for whoever reads the file later (the period is in `period`).
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeXml(`${i.title}: referrals made from ${f.from} to ${f.to}${scope.length ? `; ${scope.join('; ')}` : '; all practices, services and sources'}. Counts from 1 to ${rule.threshold - 1} are masked.`)}</p></div>` },
    ...improvement(i),
    group: i.answers ? answerGroups(i, a, rule) : [indicatorGroup(i, a, rule)],
  };
}

/** The one group of an indicator, overall and in every stratum (secondary suppression across the strata). */
function indicatorGroup(i: Indicator, a: Aggregates, rule: SuppressionRule): MeasureReportGroup {
  const overall = published(i, raw(i, a, 'all', 'all'), {}, rule);
  const score = (f: Figures) => scoreOf(i, f);
  const stratifier = STRATIFIED.map((key) => {
    const s = SPLITS.find((x) => x.key === key)!;
    const seen = [...a.counts.filter((c) => c.split === key).map((c) => c.category), ...a.gpDemand.filter((g) => g.split === key).map((g) => g.category)];
    const cats = categoriesOf(s, seen);
    const raws = cats.map((c) => raw(i, a, key, c.code));
    // Secondary suppression of each population across the strata, as in a table column with its total.
    const shownBy: Partial<Record<PopulationCode, Shown[]>> = {};
    for (const p of i.populations) shownBy[p.code] = suppressList(raws.map((r) => r.pops[p.code] ?? 0), rule).counts;
    const stratum: MeasureReportGroupStratifierStratum[] = cats.map((c, k) => {
      const shown = Object.fromEntries(i.populations.map((p) => [p.code, shownBy[p.code]![k]!])) as Partial<Record<PopulationCode, Shown>>;
      const f = published(i, raws[k]!, shown, rule);
      return { value: stratumValue(key, c), population: i.populations.map((p) => population(p.code, f.populations[p.code]!)), ...score(f) };
    });
    return { code: [stratifierCode(key)], stratum };
  });
  return { code: groupCode(i), population: i.populations.map((p) => population(p.code, overall.populations[p.code]!)), ...score(overall), stratifier };
}

const escapeXml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const round = (v: number) => Math.round(v * 10_000) / 10_000;

/**
 * How a MeasureReport departs from its Measure (empty when it conforms): the canonical, the type, and every group,
 * population and stratifier code the Measure defines, with counts and scores where they may be.
 */
export function measureReportProblems(report: MeasureReport, measure: Measure): string[] {
  const problems: string[] = [];
  const [url, version] = (report.measure ?? '').split('|');
  if (url !== measure.url) problems.push(`measure ${report.measure} is not ${measure.url}`);
  if (version && measure.version && version !== measure.version) problems.push(`version ${version} is not ${measure.version}`);
  if (report.status !== 'complete' || report.type !== 'summary') problems.push('expected a complete summary report');
  const codes = (cc: CodeableConcept | undefined) => (cc?.coding ?? []).map((c) => `${c.system}|${c.code}`).join(',');
  const mg = measure.group ?? [];
  const rg = report.group ?? [];
  if (rg.length !== mg.length) problems.push(`${rg.length} groups, the Measure has ${mg.length}`);
  mg.forEach((g, gi) => {
    const r = rg[gi];
    if (!r) return;
    if (r.code?.text !== g.code?.text) problems.push(`group ${gi}: code ${r.code?.text} is not ${g.code?.text}`);
    if (codes(r.code) !== codes(g.code)) problems.push(`group ${gi}: coded ${codes(r.code)} is not ${codes(g.code)}`);
    const want = (g.population ?? []).map((p) => codes(p.code));
    const pops = (ps: MeasureReportGroupPopulation[] | undefined, where: string) => {
      const got = (ps ?? []).map((p) => codes(p.code));
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${where}: populations ${got.join(' ')} are not ${want.join(' ')}`);
      for (const p of ps ?? []) {
        const isMasked = p.extension?.some((e) => e.url === DATA_ABSENT && e.valueCode === 'masked');
        if ((p.count === undefined) === !isMasked) problems.push(`${where}: a population needs a count or the masked extension, not both or neither`);
        if (p.count !== undefined && !(Number.isInteger(p.count) && p.count >= 0)) problems.push(`${where}: count ${p.count} is not a whole number`);
      }
    };
    pops(r.population, `group ${gi}`);
    const scoring = measure.scoring?.coding?.[0]?.code;
    const checkScore = (v: number | undefined, where: string) => {
      if (v === undefined) return;
      if (scoring === 'cohort') problems.push(`${where}: a cohort measure has no score`);
      if (scoring === 'proportion' && !(v >= 0 && v <= 1)) problems.push(`${where}: proportion ${v} is not within 0..1`);
    };
    checkScore(r.measureScore?.value, `group ${gi}`);
    const wantStrat = (g.stratifier ?? []).map((s) => codes(s.code));
    const gotStrat = (r.stratifier ?? []).map((s) => codes(s.code?.[0]));
    if (JSON.stringify(gotStrat) !== JSON.stringify(wantStrat)) problems.push(`group ${gi}: stratifiers ${gotStrat.join(' ')} are not ${wantStrat.join(' ')}`);
    for (const s of r.stratifier ?? []) {
      for (const st of s.stratum ?? []) {
        const where = `stratum ${codes(s.code?.[0])} ${st.value?.text}`;
        pops(st.population, where);
        checkScore(st.measureScore?.value, where);
      }
    }
  });
  return problems;
}

/** The MeasureReport of every indicator for a filter. */
export function measureReports(a: Aggregates, rule: SuppressionRule, o: { version: string; generatedAt: string }): MeasureReport[] {
  return INDICATORS.map((i) => measureReport(i, a, rule, o));
}

