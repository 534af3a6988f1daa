import type { AggregateScope, Aggregates, CountRow, GpDemandRow, OutcomeRow, SpreadRow } from './aggregate.js';
import { categoriesOf, dimensionOf, labelIn, splitOf, type Category, type CountDimension, type SplitKey } from './dimensions.js';
import { MEASURE_RULES, measureRule } from './measure-rules.js';
import type { ReportFilter } from './report-filter.js';
import { meanChangeInterval, studentTQuantile } from './statistics.js';
import { hiddenLabel, isSmall, showCount, suppressList, suppressTable, type Shown, type SuppressedTable, type SuppressionRule } from './suppression.js';

/**
 * The published reports, pure: SQL aggregates (aggregate.ts) in, tables that may be shown out. Every count passes
 * small-number suppression with secondary suppression across its table; a statistic (median, mean change, share)
 * is shown only when the people it comes from are. One model feeds the pages, the CSV and the MeasureReports.
 */

export const REPORTS = [
  { id: 'referrals', title: 'Referrals and reach', summary: 'Who is referred, from where and for what, and how far referrals get.' },
  { id: 'timeliness', title: 'Timeliness', summary: 'Days from referral to first contact and to first session, and sessions per person.' },
  { id: 'outcomes', title: 'Outcomes', summary: 'Change in wellbeing and loneliness measures from the start of support to its end.' },
  { id: 'services', title: 'Services connected', summary: 'The community services people were connected to.' },
  { id: 'gp-demand', title: 'GP appointments', summary: 'GP appointments in the 6 months before and the 6 months after referral.' },
] as const;
export type ReportId = (typeof REPORTS)[number]['id'];
export const isReportId = (v: unknown): v is ReportId => REPORTS.some((r) => r.id === v);

/** A figure as published: its text, with the number behind it when shown (none when hidden or not available). */
export interface Figure {
  text: string;
  value?: number;
  hidden?: true;
}

export interface CountTable {
  kind: 'counts';
  id: string;
  title: string;
  rowHeader: string;
  /** Columns: the split's categories, or one column "Referrals" when not split. */
  columns: Category[];
  rows: Category[];
  table: SuppressedTable;
  totalLabel: string;
  note?: string;
}

export interface StatsTable {
  kind: 'stats';
  id: string;
  title: string;
  rowHeader: string;
  columns: string[];
  rows: { code: string; label: string; cells: Figure[]; chart?: { value: number; low?: number; high?: number } }[];
  chartLabel: string;
  note?: string;
}

export type ReportTable = CountTable | StatsTable;

export interface Report {
  id: ReportId;
  title: string;
  filter: ReportFilter;
  split: SplitKey;
  referrals: Shown;
  tables: ReportTable[];
  rule: SuppressionRule;
}

const oneDecimal = (v: number) => (Math.round(v * 10) / 10).toFixed(1);
const fig = (v: number | undefined, format: (v: number) => string = oneDecimal): Figure => (v === undefined ? { text: '–' } : { value: v, text: format(v) });
const hidden = (rule: SuppressionRule): Figure => ({ hidden: true, text: hiddenLabel(rule) });
const shownFigure = (s: Shown): Figure => (s.hidden ? { hidden: true, text: s.label } : { value: s.value, text: String(s.value) });
const ZERO: Shown = { value: 0, hidden: false };
const percent = (v: number) => `${Math.round(v * 100)}%`;

// --- Counts -----------------------------------------------------------------------------------------------

function countTable(a: Aggregates, key: CountDimension['key'], split: SplitKey, rule: SuppressionRule, opts: { title: string; totalLabel?: string; note?: string; practiceNames?: Map<string, string> }): CountTable {
  const d = dimensionOf(key);
  const rows = a.counts.filter((r) => r.dimension === key && r.split === split);
  const s = splitOf(split);
  const columns = split === 'all' ? [{ code: 'all', label: 'Referrals' }] : categoriesOf(s, new Set(rows.map((r) => r.category)));
  const byRow = new Map<string, CountRow[]>();
  for (const r of rows) byRow.set(r.code, [...(byRow.get(r.code) ?? []), r]);
  const known = (d.categories ?? []).map((c) => c.code);
  const codes = [...known, ...[...byRow.keys()].filter((c) => !known.includes(c)).sort((x, y) => labelOf(x).localeCompare(labelOf(y)))];
  function labelOf(code: string) {
    return opts.practiceNames?.get(code) ?? labelIn(d, code);
  }
  const cells = codes.map((code) => columns.map((col) => byRow.get(code)?.find((r) => r.category === col.code)?.n ?? 0));
  return {
    kind: 'counts', id: key, title: opts.title, rowHeader: d.label, columns, rows: codes.map((code) => ({ code, label: labelOf(code) })),
    table: cells.length ? suppressTable(cells, rule) : { cells: [], rowTotals: [], columnTotals: columns.map(() => ZERO), total: ZERO }, totalLabel: opts.totalLabel ?? 'All referrals', ...(opts.note ? { note: opts.note } : {}),
  };
}

// --- Spreads (waiting times, sessions) ----------------------------------------------------------------------

function spreadTable(id: string, title: string, rows: SpreadRow[], split: SplitKey, rule: SuppressionRule, unit: string): StatsTable {
  const s = splitOf(split);
  const mine = rows.filter((r) => r.split === split);
  const cats = split === 'all' ? s.categories : categoriesOf(s, mine.map((r) => r.category));
  const ns = cats.map((c) => mine.find((r) => r.category === c.code)?.n ?? 0);
  const shownNs = split === 'all' ? [showCount(ns[0] ?? 0, rule)] : suppressList(ns, rule).counts;
  return {
    kind: 'stats', id, title, rowHeader: s.label, columns: ['People', `Median (${unit})`, `90th percentile (${unit})`], chartLabel: `Median ${unit}, with the 90th percentile`,
    rows: cats.map((c, i) => {
      const r = mine.find((x) => x.category === c.code);
      const n = shownNs[i]!;
      if (n.hidden) return { code: c.code, label: c.label, cells: [shownFigure(n), hidden(rule), hidden(rule)] };
      const cells = [shownFigure(n), fig(r?.median), fig(r?.p90)];
      return { code: c.code, label: c.label, cells, ...(r?.median !== undefined ? { chart: { value: r.median, ...(r.p90 !== undefined ? { high: r.p90 } : {}) } } : {}) };
    }),
  };
}

// --- Outcomes ---------------------------------------------------------------------------------------------

const OUTCOME_COLUMNS = ['Should have a pair', 'Complete pairs', 'Missing', 'Mean before', 'Mean after', 'Mean change', '95% confidence interval', 'Meaningful improvement'];

function outcomeCells(r: OutcomeRow | undefined, eligible: Shown, pairs: Shown, rule: SuppressionRule): { cells: Figure[]; chart?: StatsTable['rows'][number]['chart'] } {
  const rest = (f: Figure) => Array.from({ length: OUTCOME_COLUMNS.length - 3 }, () => f);
  if (!r || pairs.hidden) return { cells: [shownFigure(eligible), shownFigure(pairs), eligible.hidden || pairs.hidden ? hidden(rule) : fig(undefined), ...rest(pairs.hidden ? hidden(rule) : fig(undefined))] };
  const missing = r.eligible - r.pairs;
  const missingFig: Figure = eligible.hidden || isSmall(missing, rule) ? hidden(rule) : r.eligible ? { value: missing / r.eligible, text: percent(missing / r.eligible) } : fig(undefined);
  let ci: Figure = fig(undefined);
  let low: number | undefined;
  let high: number | undefined;
  if (r.meanChange !== undefined && r.sdChange !== undefined && r.pairs >= 2) {
    const half = studentTQuantile(0.975, r.pairs - 1) * (r.sdChange / Math.sqrt(r.pairs));
    low = r.meanChange - half;
    high = r.meanChange + half;
    ci = { value: half, text: `${oneDecimal(low)} to ${oneDecimal(high)}` };
  }
  const share = isSmall(r.improved, rule) || isSmall(r.pairs - r.improved, rule) ? hidden(rule) : { value: r.improved / r.pairs, text: percent(r.improved / r.pairs) };
  const signed = (v: number) => `${v > 0 ? '+' : ''}${oneDecimal(v)}`;
  return {
    cells: [shownFigure(eligible), shownFigure(pairs), missingFig, fig(r.meanBefore), fig(r.meanAfter), fig(r.meanChange, signed), ci, share],
    ...(r.meanChange !== undefined ? { chart: { value: r.meanChange, ...(low !== undefined ? { low, high: high! } : {}) } } : {}),
  };
}

function outcomeTables(a: Aggregates, split: SplitKey, rule: SuppressionRule): StatsTable[] {
  const note = 'A pair is a score at the start and one on a later day. "Should have a pair": a starting score and support completed (or a later score). Mean change is after minus before, with its 95% confidence interval (Student’s t); meaningful improvement is the share of pairs that moved by at least the measure’s threshold in the better direction.';
  const present = MEASURE_RULES.filter((m) => a.outcomes.some((o) => o.measure === m.measure));
  const thresholds = (m: (typeof MEASURE_RULES)[number]) => `${m.higherIsBetter ? 'higher' : 'lower'} is better; meaningful change ${m.meaningful} point${m.meaningful === 1 ? '' : 's'}`;
  if (split === 'all') {
    return [{
      kind: 'stats', id: 'outcomes', title: 'Change per measure', rowHeader: 'Measure', columns: OUTCOME_COLUMNS, chartLabel: 'Mean change with its 95% confidence interval', note,
      rows: present.map((m) => {
        const r = a.outcomes.find((o) => o.measure === m.measure && o.split === 'all');
        const { cells, chart } = outcomeCells(r, showCount(r?.eligible ?? 0, rule), showCount(r?.pairs ?? 0, rule), rule);
        return { code: m.measure, label: `${m.label} (${thresholds(m)})`, cells, ...(chart ? { chart } : {}) };
      }),
    }];
  }
  const s = splitOf(split);
  return present.map((m) => {
    const mine = a.outcomes.filter((o) => o.measure === m.measure && o.split === split);
    const cats = categoriesOf(s, mine.map((r) => r.category));
    const rowOf = (c: Category) => mine.find((r) => r.category === c.code);
    const eligible = suppressList(cats.map((c) => rowOf(c)?.eligible ?? 0), rule).counts;
    const pairs = suppressList(cats.map((c) => rowOf(c)?.pairs ?? 0), rule).counts;
    return {
      kind: 'stats' as const, id: `outcomes-${m.measure.replace(':', '-')}`, title: `${measureRule(m.measure)!.label} by ${s.label.toLowerCase()}`, rowHeader: s.label,
      columns: OUTCOME_COLUMNS, chartLabel: 'Mean change with its 95% confidence interval', note: `${thresholds(m)[0]!.toUpperCase()}${thresholds(m).slice(1)}.`,
      rows: cats.map((c, i) => {
        const { cells, chart } = outcomeCells(rowOf(c), eligible[i]!, pairs[i]!, rule);
        return { code: c.code, label: c.label, cells, ...(chart ? { chart } : {}) };
      }),
    };
  });
}

// --- GP demand --------------------------------------------------------------------------------------------

const GP_DEMAND_COLUMNS = ['Should have a pair', 'Complete pairs', 'Missing', 'Mean before', 'Mean after', 'Mean change', '95% confidence interval', 'Fewer after'];
export const GP_DEMAND_CAVEATS = 'Read with care. There is no comparison group: appointments might have fallen (or risen) without social prescribing. ' +
  'People are often referred when they see their GP most, so some fall back afterwards whatever happens (regression to the mean). ' +
  'Appointments are the GP record’s encounters, hospital care excluded; the day of referral counts in neither window. ' +
  'People who died or left the practice are missing; referrals whose 6 months after have not passed are not counted yet.';

function gpDemandCells(r: GpDemandRow | undefined, eligible: Shown, pairs: Shown, rule: SuppressionRule): { cells: Figure[]; chart?: StatsTable['rows'][number]['chart'] } {
  const rest = (f: Figure) => Array.from({ length: GP_DEMAND_COLUMNS.length - 3 }, () => f);
  if (!r || pairs.hidden) return { cells: [shownFigure(eligible), shownFigure(pairs), eligible.hidden || pairs.hidden ? hidden(rule) : fig(undefined), ...rest(pairs.hidden ? hidden(rule) : fig(undefined))] };
  const missing = r.eligible - r.pairs;
  const missingFig: Figure = eligible.hidden || isSmall(missing, rule) ? hidden(rule) : r.eligible ? { value: missing / r.eligible, text: percent(missing / r.eligible) } : fig(undefined);
  const ci = meanChangeInterval(r.meanChange, r.sdChange, r.pairs);
  const ciFig: Figure = ci ? { value: (ci.upper - ci.lower) / 2, text: `${oneDecimal(ci.lower)} to ${oneDecimal(ci.upper)}` } : fig(undefined);
  // A share discloses both who had fewer and who did not: both must be publishable.
  const share = isSmall(r.fewer, rule) || isSmall(r.pairs - r.fewer, rule) ? hidden(rule) : { value: r.fewer / r.pairs, text: percent(r.fewer / r.pairs) };
  const signed = (v: number) => `${v > 0 ? '+' : ''}${oneDecimal(v)}`;
  return {
    cells: [shownFigure(eligible), shownFigure(pairs), missingFig, fig(r.meanBefore), fig(r.meanAfter), fig(r.meanChange, signed), ciFig, share],
    ...(r.meanChange !== undefined ? { chart: { value: r.meanChange, ...(ci ? { low: ci.lower, high: ci.upper } : {}) } } : {}),
  };
}

function gpDemandTable(a: Aggregates, split: SplitKey, rule: SuppressionRule): StatsTable {
  const s = splitOf(split);
  const mine = a.gpDemand.filter((r) => r.split === split);
  const waiting = mine.reduce((n, r) => n + r.waiting, 0);
  const shownWaiting = showCount(waiting, rule);
  const note = `${GP_DEMAND_CAVEATS} A pair is a count in both windows; mean change is after minus before, with its 95% confidence interval (Student’s t). Not counted yet: ${shownWaiting.hidden ? shownWaiting.label : shownWaiting.value}.`;
  const base = { kind: 'stats' as const, id: 'gp-demand', columns: GP_DEMAND_COLUMNS, chartLabel: 'Mean change in appointments with its 95% confidence interval', note };
  if (split === 'all') {
    const r = mine[0];
    const { cells, chart } = gpDemandCells(r, showCount(r?.eligible ?? 0, rule), showCount(r?.pairs ?? 0, rule), rule);
    return { ...base, title: 'GP appointments in the 6 months before and after referral', rowHeader: 'People', rows: [{ code: 'all', label: 'Everyone', cells, ...(chart ? { chart } : {}) }] };
  }
  const cats = categoriesOf(s, mine.map((r) => r.category));
  const rowOf = (c: Category) => mine.find((r) => r.category === c.code);
  const eligible = suppressList(cats.map((c) => rowOf(c)?.eligible ?? 0), rule).counts;
  const pairs = suppressList(cats.map((c) => rowOf(c)?.pairs ?? 0), rule).counts;
  return {
    ...base, title: `GP appointments before and after referral by ${s.label.toLowerCase()}`, rowHeader: s.label,
    rows: cats.map((c, i) => {
      const { cells, chart } = gpDemandCells(rowOf(c), eligible[i]!, pairs[i]!, rule);
      return { code: c.code, label: c.label, cells, ...(chart ? { chart } : {}) };
    }),
  };
}

// --- Reports ----------------------------------------------------------------------------------------------

const REPORT_FIGURES: Record<ReportId, Omit<AggregateScope, 'splits'>> = {
  referrals: { dimensions: ['source', 'practice', 'pcn', 'service', 'urgency', 'need', 'reach', 'end-reason'], waits: false, outcomes: false },
  timeliness: { dimensions: [], waits: true, outcomes: false },
  outcomes: { dimensions: ['social-outcome', 'reach'], waits: false, outcomes: true },
  services: { dimensions: ['connected', 'reach', 'onward-service', 'onward-state', 'onward-need', 'onward-reason'], waits: false, outcomes: false },
  'gp-demand': { dimensions: [], waits: false, outcomes: false, gpDemand: true },
};

/** The figures a report is built from (buildReport below), for the splits shown: a page its own, the CSV every one. */
export const reportScope = (id: ReportId, splits: readonly SplitKey[]): AggregateScope => ({ ...REPORT_FIGURES[id], splits });

/** One report for a filter, split by one equality field (or none), as it may be published. */
export function buildReport(id: ReportId, a: Aggregates, split: SplitKey, rule: SuppressionRule): Report {
  const meta = REPORTS.find((r) => r.id === id)!;
  const practiceNames = new Map(a.practices.map((p) => [p.code, p.name]));
  // Services are kept by a stable key: shown by their latest name.
  const serviceNames = new Map(a.services.map((s) => [s.code, s.name]));
  const counts = (key: CountDimension['key'], title: string, extra: { totalLabel?: string; note?: string } = {}) =>
    countTable(a, key, split, rule, { title, practiceNames: key === 'service' ? serviceNames : practiceNames, ...extra });
  let tables: ReportTable[] = [];
  if (id === 'referrals') {
    tables = [
      counts('source', 'Referrals by source'),
      counts('practice', 'Referrals by practice'),
      counts('pcn', 'Referrals by primary care network'),
      counts('service', 'Referrals by service'),
      counts('urgency', 'Referrals by urgency'),
      counts('need', 'Needs referred for', { totalLabel: 'All needs recorded', note: 'A referral can name several needs, so needs add up to more than referrals.' }),
      counts('reach', 'How far referrals got'),
      counts('end-reason', 'Why referrals ended without support', { totalLabel: 'All ended without support', note: 'Referrals declined, cancelled, or where the person could not be contacted or did not engage.' }),
    ];
  } else if (id === 'timeliness') {
    const w = a.waits;
    if (split === 'all') {
      const one = (r: SpreadRow[]) => r.find((x) => x.split === 'all') ?? { split: 'all' as const, category: 'all', n: 0, median: undefined, p90: undefined };
      const rows = [
        { code: 'first-contact', label: 'Days from referral to first contact', r: one(w.firstContact) },
        { code: 'first-session', label: 'Days from referral to first session', r: one(w.firstSession) },
        { code: 'sessions', label: 'Sessions per person (who had any)', r: one(w.sessions) },
      ];
      tables = [{
        kind: 'stats', id: 'timeliness', title: 'Time to first contact and first session, and sessions per person', rowHeader: 'Measure', columns: ['People', 'Median', '90th percentile'],
        chartLabel: 'Median, with the 90th percentile',
        note: 'Whole calendar days. Median and 90th percentile by linear interpolation (as spreadsheet PERCENTILE.INC).',
        rows: rows.map(({ code, label, r }) => {
          const n = showCount(r.n, rule);
          if (n.hidden) return { code, label, cells: [shownFigure(n), hidden(rule), hidden(rule)] };
          return { code, label, cells: [shownFigure(n), fig(r.median), fig(r.p90)], ...(r.median !== undefined ? { chart: { value: r.median, ...(r.p90 !== undefined ? { high: r.p90 } : {}) } } : {}) };
        }),
      }];
    } else {
      tables = [
        spreadTable('first-contact', 'Days from referral to first contact', w.firstContact, split, rule, 'days'),
        spreadTable('first-session', 'Days from referral to first session', w.firstSession, split, rule, 'days'),
        spreadTable('sessions', 'Sessions per person (who had any)', w.sessions, split, rule, 'sessions'),
      ];
    }
  } else if (id === 'outcomes') {
    // Completed referrals, the people social outcomes are recorded for (the split's categories add up to everyone).
    const done = showCount(a.counts.filter((c) => c.dimension === 'reach' && c.code === 'completed' && c.split === split).reduce((n, c) => n + c.n, 0), rule);
    const of = ` Referrals completed: ${done.hidden ? done.label : done.value}.`;
    tables = [
      ...outcomeTables(a, split, rule),
      counts('social-outcome', 'Social outcomes recorded when support ended', {
        totalLabel: 'All social outcomes recorded',
        note: `What changed in people’s lives beyond the scores, recorded by the link worker when support completed; a person can have several, or none.${of}`,
      }),
    ];
  } else if (id === 'gp-demand') {
    tables = [gpDemandTable(a, split, rule)];
  } else {
    tables = [
      counts('connected', 'Services people were connected to', { totalLabel: 'All connections', note: 'A person can be connected to several services.' }),
      counts('reach', 'How far referrals got'),
      counts('onward-service', 'Onward referrals per community service', { totalLabel: 'All onward referrals', note: 'Link workers’ referrals on to community groups and services, of the referrals in the filter. A person can be referred on to several.' }),
      counts('onward-state', 'What became of onward referrals', { totalLabel: 'All onward referrals', note: 'As the group last answered: accepted, attended (came at least once), did not attend, finished, declined, or withdrawn by the link worker.' }),
      counts('onward-need', 'Onward referrals by need', { totalLabel: 'All needs of onward referrals', note: 'Each onward referral counted under every need its referral was made for, so needs add up to more than onward referrals.' }),
      counts('onward-reason', 'Why onward referrals were declined or withdrawn', { totalLabel: 'All declined or withdrawn' }),
    ];
  }
  return { id, title: meta.title, filter: a.filter, split, referrals: showCount(a.referrals, rule), tables, rule };
}
