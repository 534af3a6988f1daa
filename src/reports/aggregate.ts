import type { Db } from '../store/db.js';
import { DIMENSIONS, SPLITS, type CountDimension, type SplitKey } from './dimensions.js';
import { filterSql, type ReportFilter } from './report-filter.js';
import { MEASURE_RULES } from './measure-rules.js';

/**
 * The reports' figures, aggregated in SQL over the report store (never by reading facts into the process): counts
 * by every dimension and every equality split in one grouped scan, waiting times as percentile_cont (the same
 * type-7 quantile as statistics.ts), sessions per person, and per outcome measure the moments of the paired change
 * (n, means, standard deviation, meaningful changes) from which the confidence interval is computed. Raw and
 * unsuppressed: report-builders.ts turns these into what may be published.
 */

export interface CountRow {
  dimension: CountDimension['key'];
  code: string;
  split: SplitKey;
  category: string;
  n: number;
}

export interface SpreadRow {
  split: SplitKey;
  category: string;
  n: number;
  median: number | undefined;
  p90: number | undefined;
}

export interface WaitRows {
  /** Days from referral to the first successful contact. */
  firstContact: SpreadRow[];
  /** Days from referral to the first session. */
  firstSession: SpreadRow[];
  /** Sessions per person who had at least one. */
  sessions: SpreadRow[];
}

export interface OutcomeRow {
  measure: string;
  split: SplitKey;
  category: string;
  /** People with a starting score whose support ended (completed) or who have a later score. */
  eligible: number;
  pairs: number;
  meanBefore: number | undefined;
  meanAfter: number | undefined;
  meanChange: number | undefined;
  sdChange: number | undefined;
  improved: number;
  worsened: number;
}

/** GP appointments in the 6 months before and after referral (src/reports/gp-demand.ts), per split category. */
export interface GpDemandRow {
  split: SplitKey;
  category: string;
  /** Referrals whose 6 months after have passed and were swept: counted, or missing. */
  eligible: number;
  pairs: number;
  /** Referrals whose 6 months after have not passed yet (or not swept yet): not in the figures. */
  waiting: number;
  meanBefore: number | undefined;
  meanAfter: number | undefined;
  meanChange: number | undefined;
  sdChange: number | undefined;
  /** Pairs with fewer appointments after than before. */
  fewer: number;
}

export interface Aggregates {
  filter: ReportFilter;
  referrals: number;
  counts: CountRow[];
  waits: WaitRows;
  outcomes: OutcomeRow[];
  gpDemand: GpDemandRow[];
  /** Practice codes and names within the period (filter choices and labels). */
  practices: { code: string; name: string; pcn: string | undefined }[];
  /** Services with referrals within the period (filter choices): the stable key and the latest name. */
  services: { code: string; name: string }[];
}

/**
 * Which figures to compute: a page needs only its own report's statements and its own split; the CSV every split of
 * one report; a MeasureReport its indicator's figures in every stratum. Each statement left out is a scan saved.
 */
export interface AggregateScope {
  /** What to count referrals by (none: no count statements). */
  dimensions: readonly CountDimension['key'][];
  /** Waiting times and sessions per person. */
  waits: boolean;
  /** Paired outcome change per measure. */
  outcomes: boolean;
  /** GP appointments before and after referral (absent: not asked for). */
  gpDemand?: boolean;
  /** The splits to compute every figure for (`all`: everyone together). At least one. */
  splits: readonly SplitKey[];
}

/** Every figure in every split (the CSV of every report, the tests that hold SQL to the in-process figures). */
export const EVERY_FIGURE: AggregateScope = { dimensions: DIMENSIONS.map((d) => d.key), waits: true, outcomes: true, gpDemand: true, splits: SPLITS.map((s) => s.key) };

const SPLIT_COLUMNS = SPLITS.filter((s) => s.key !== 'all');
const splitAlias = (i: number) => `s${i}`;
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** The split columns a scope asks for (each keeps its alias, so rows are read back the same way whatever is left out). */
const splitColumnsOf = (scope: AggregateScope) =>
  SPLIT_COLUMNS.map((s, i) => ({ ...s, alias: splitAlias(i) })).filter((s) => scope.splits.includes(s.key));

/** GROUPING SETS of `keys` alone (when `all` is asked for) and with each split asked for. */
function groupingSets(keys: string[], scope: AggregateScope): string {
  const sets = splitColumnsOf(scope).map((s) => `(${[...keys, s.alias].join(', ')})`);
  if (scope.splits.includes('all')) sets.unshift(`(${keys.join(', ')})`);
  return sets.join(', ');
}

/** Which split a row belongs to from its split columns (non-NULL in the split's own grouping set). */
function splitOfRow(row: Record<string, unknown>): { split: SplitKey; category: string } {
  for (let i = 0; i < SPLIT_COLUMNS.length; i++) {
    const v = row[splitAlias(i)];
    if (v !== null && v !== undefined) return { split: SPLIT_COLUMNS[i]!.key, category: String(v) };
  }
  return { split: 'all', category: 'all' };
}

/** The split columns' expressions, `, `-led, for a scan's select list (nothing when only `all` is asked for). */
const splitSelect = (scope: AggregateScope) => splitColumnsOf(scope).map((s) => `, ${s.sql} AS ${s.alias}`).join('');
const splitNames = (scope: AggregateScope) => splitColumnsOf(scope).map((s) => `, ${s.alias}`).join('');

async function counts(db: Db, f: ReportFilter, scope: AggregateScope): Promise<CountRow[]> {
  const { where, params } = filterSql(f);
  const scalar = DIMENSIONS.filter((d) => !d.many && scope.dimensions.includes(d.key));
  const many = DIMENSIONS.filter((d) => d.many && !d.onward && scope.dimensions.includes(d.key));
  const onward = DIMENSIONS.filter((d) => d.onward && scope.dimensions.includes(d.key));
  // Reasons are counted only where the referral ended without support.
  const dimSql = (d: CountDimension) => (d.key === 'end-reason' ? `CASE WHEN r.reach IN ('declined', 'could-not-contact', 'did-not-engage', 'cancelled') THEN ${d.sql} END` : d.sql);
  const dAlias = (i: number) => `d${i}`;
  const scalarSql = `SELECT ${scalar.map((_, i) => dAlias(i)).join(', ')}${splitNames(scope)},
      GROUPING(${scalar.map((_, i) => dAlias(i)).join(', ')})::int AS g, count(*)::int AS n
    FROM (SELECT ${scalar.map((d, i) => `${dimSql(d)} AS ${dAlias(i)}`).join(', ')}${splitSelect(scope)} FROM report_referrals r WHERE ${where}) x
    GROUP BY GROUPING SETS (${scalar.map((_, i) => groupingSets([dAlias(i)], scope)).join(', ')})`;
  // Array dimensions, each element counted: over the referrals, or over the onward referrals joined to theirs (one
  // hash join, where a subquery per referral read report_onward 100,000 times). Several dimensions are unnested
  // side by side from one row (two set-returning functions in a select list run in step): the codes of all of them
  // in one array, each dimension's key repeated as often as it has codes, which costs half a lateral union per row.
  const arraysSql = (dims: readonly CountDimension[], from: string) => {
    const m = (i: number) => `coalesce(x.m${i}, '{}')`;
    const dim = dims.length === 1 ? `'${dims[0]!.key}'::text` : `unnest(${dims.map((d, i) => `array_fill('${d.key}'::text, ARRAY[cardinality(${m(i)})])`).join(' || ')})`;
    return `SELECT d.dim, d.code${splitNames(scope)}, count(*)::int AS n
    FROM (SELECT ${dim} AS dim, unnest(${dims.map((_, i) => m(i)).join(' || ')}) AS code${splitNames(scope)}
          FROM (SELECT ${dims.map((d, i) => `${d.sql} AS m${i}`).join(', ')}${splitSelect(scope)} FROM ${from} WHERE ${where}) x) d
    GROUP BY GROUPING SETS (${groupingSets(['d.dim', 'd.code'], scope)})`;
  };
  const arrays = (dims: readonly CountDimension[], from: string) =>
    (dims.length ? db.query<Record<string, unknown>>(arraysSql(dims, from), params) : Promise.resolve({ rows: [] as Record<string, unknown>[] }));
  const [a, b, c] = await Promise.all([
    scalar.length ? db.query<Record<string, unknown>>(scalarSql, params) : { rows: [] },
    arrays(many, 'report_referrals r'),
    arrays(onward, 'report_onward o JOIN report_referrals r ON r.referral_key = o.referral_key'),
  ]);
  const out: CountRow[] = [];
  for (const row of a.rows) {
    // GROUPING(d0 … dk) has a bit set for each dimension left out: exactly one is kept per row.
    const g = Number(row.g);
    const i = scalar.findIndex((_, k) => (g & (1 << (scalar.length - 1 - k))) === 0);
    const code = row[dAlias(i)];
    if (i < 0 || code === null || code === undefined) continue;
    out.push({ dimension: scalar[i]!.key, code: String(code), ...splitOfRow(row), n: Number(row.n) });
  }
  for (const row of [...b.rows, ...c.rows]) {
    if (row.code === null || row.code === undefined) continue;
    out.push({ dimension: row.dim as CountDimension['key'], code: String(row.code), ...splitOfRow(row), n: Number(row.n) });
  }
  return out;
}

async function waits(db: Db, f: ReportFilter, scope: AggregateScope): Promise<WaitRows> {
  const { where, params } = filterSql(f);
  // Whole calendar days in England between the referral and the event.
  const days = (col: string) => `CASE WHEN r.${col} IS NOT NULL THEN greatest(0, (r.${col} AT TIME ZONE 'Europe/London')::date - (r.referred_at AT TIME ZONE 'Europe/London')::date) END`;
  const spread = (col: string, name: string) =>
    `count(${col})::int AS ${name}_n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col}) AS ${name}_median, percentile_cont(0.9) WITHIN GROUP (ORDER BY ${col}) AS ${name}_p90`;
  const sets = [...(scope.splits.includes('all') ? ['()'] : []), ...splitColumnsOf(scope).map((s) => `(${s.alias})`)];
  const sql = `SELECT ${spread('contact', 'contact')}, ${spread('session', 'session')}, ${spread('sessions', 'sessions')}${splitNames(scope)}
    FROM (SELECT ${days('first_contact_at')} AS contact, ${days('first_session_at')} AS session, nullif(r.sessions, 0) AS sessions${splitSelect(scope)}
          FROM report_referrals r WHERE ${where}) x
    GROUP BY GROUPING SETS (${sets.join(', ')})`;
  const { rows } = await db.query<Record<string, unknown>>(sql, params);
  const pick = (name: string): SpreadRow[] =>
    rows.map((row) => ({ ...splitOfRow(row), n: Number(row[`${name}_n`]), median: num(row[`${name}_median`]), p90: num(row[`${name}_p90`]) }));
  return { firstContact: pick('contact'), firstSession: pick('session'), sessions: pick('sessions') };
}

async function outcomes(db: Db, f: ReportFilter, scope: AggregateScope): Promise<OutcomeRow[]> {
  const { where, params } = filterSql(f);
  const rules = JSON.stringify(MEASURE_RULES.map((m) => ({ measure: m.measure, direction: m.higherIsBetter ? 1 : -1, threshold: m.meaningful })));
  params.push(rules);
  const rulesParam = `$${params.length}`;
  const sql = `SELECT x.measure${splitNames(scope)},
      count(*) FILTER (WHERE x.eligible)::int AS eligible, count(x.diff)::int AS pairs,
      avg(x.before_score) FILTER (WHERE x.diff IS NOT NULL)::float8 AS mean_before, avg(x.after_score)::float8 AS mean_after,
      avg(x.diff)::float8 AS mean_change, stddev_samp(x.diff)::float8 AS sd_change,
      count(*) FILTER (WHERE x.diff * x.direction >= x.threshold)::int AS improved,
      count(*) FILTER (WHERE x.diff * x.direction <= -x.threshold)::int AS worsened
    FROM (SELECT o.measure, o.before_score, o.after_score, o.after_score - o.before_score AS diff,
            (r.reach = 'completed' OR o.after_score IS NOT NULL) AS eligible, m.direction, m.threshold${splitSelect(scope)}
          FROM report_referrals r JOIN report_outcomes o ON o.referral_key = r.referral_key
          LEFT JOIN jsonb_to_recordset(${rulesParam}::jsonb) AS m(measure text, direction int, threshold numeric) ON m.measure = o.measure
          WHERE ${where}) x
    GROUP BY GROUPING SETS (${groupingSets(['x.measure'], scope)})`;
  const { rows } = await db.query<Record<string, unknown>>(sql, params);
  return rows.map((row) => ({
    measure: String(row.measure), ...splitOfRow(row), eligible: Number(row.eligible), pairs: Number(row.pairs),
    meanBefore: num(row.mean_before), meanAfter: num(row.mean_after), meanChange: num(row.mean_change), sdChange: num(row.sd_change),
    improved: Number(row.improved), worsened: Number(row.worsened),
  }));
}

async function gpDemand(db: Db, f: ReportFilter, scope: AggregateScope): Promise<GpDemandRow[]> {
  const { where, params } = filterSql(f);
  const sets = [...(scope.splits.includes('all') ? ['()'] : []), ...splitColumnsOf(scope).map((s) => `(${s.alias})`)];
  const sql = `SELECT count(x.status)::int AS eligible, count(x.diff)::int AS pairs, count(*) FILTER (WHERE x.status IS NULL)::int AS waiting,
      avg(x.before_count)::float8 AS mean_before, avg(x.after_count)::float8 AS mean_after,
      avg(x.diff)::float8 AS mean_change, stddev_samp(x.diff)::float8 AS sd_change, count(*) FILTER (WHERE x.diff < 0)::int AS fewer${splitNames(scope)}
    FROM (SELECT g.status, g.before_count, g.after_count, g.after_count - g.before_count AS diff${splitSelect(scope)}
          FROM report_referrals r LEFT JOIN report_gp_demand g ON g.referral_key = r.referral_key WHERE ${where}) x
    GROUP BY GROUPING SETS (${sets.join(', ')})`;
  const { rows } = await db.query<Record<string, unknown>>(sql, params);
  return rows.map((row) => ({
    ...splitOfRow(row), eligible: Number(row.eligible), pairs: Number(row.pairs), waiting: Number(row.waiting),
    meanBefore: num(row.mean_before), meanAfter: num(row.mean_after), meanChange: num(row.mean_change), sdChange: num(row.sd_change), fewer: Number(row.fewer),
  }));
}

/**
 * What the filters offer: every practice and service with referrals in the period, whatever else is filtered; and
 * how many referrals the whole filter holds (one scan of the period for both).
 */
export async function reportChoices(db: Db, f: ReportFilter): Promise<Pick<Aggregates, 'practices' | 'services' | 'referrals'>> {
  const period = filterSql({ from: f.from, to: f.to, ...(f.within ? { within: f.within } : {}) });
  // The full filter's parameters start with the period's (and the reader's part), so one list serves both conditions.
  const { where, params } = filterSql(f);
  // A service's latest name: the latest referral time per service in the grouped scan (hashed: an ordered aggregate
  // there forced a sort of the period twice over), then that referral's name through the referred_at index.
  const { rows } = await db.query<{ practice: string | null; practice_name: string | null; pcn: string | null; service: string | null; service_name: string | null; g: number; n: number }>(
    `WITH c AS (
       SELECT r.practice, max(r.practice_name) AS practice_name, max(r.pcn) AS pcn, r.service, max(r.referred_at) AS latest,
         GROUPING(r.practice, r.service)::int AS g, count(*) FILTER (WHERE ${where})::int AS n
       FROM report_referrals r WHERE ${period.where}
       GROUP BY GROUPING SETS ((r.practice), (r.service), ()))
     SELECT c.practice, c.practice_name, c.pcn, c.service, c.g, c.n,
       CASE WHEN c.g = 2 THEN (SELECT max(coalesce(r.service_name, r.service)) FROM report_referrals r
         WHERE r.referred_at = c.latest AND r.service = c.service AND ${period.where}) END AS service_name
     FROM c`, params);
  const sets = (g: number) => rows.filter((r) => r.g === g);
  return {
    practices: sets(1).map((r) => ({ code: r.practice!, name: r.practice_name ?? r.practice!, pcn: r.pcn ?? undefined })).sort((a, b) => a.name.localeCompare(b.name)),
    services: sets(2).map((r) => ({ code: r.service!, name: r.service_name ?? r.service! })).sort((a, b) => a.name.localeCompare(b.name)),
    referrals: Number(sets(3)[0]?.n ?? 0),
  };
}

/** The figures `scope` asks for (by default every one) for one filter; each statement runs only when asked for. */
export async function aggregate(db: Db, filter: ReportFilter, scope: AggregateScope = EVERY_FIGURE): Promise<Aggregates> {
  if (scope.splits.length === 0) throw new Error('aggregate: ask for at least one split');
  const none = Promise.resolve([]);
  const [c, w, o, g, ch] = await Promise.all([
    scope.dimensions.length ? counts(db, filter, scope) : none,
    scope.waits ? waits(db, filter, scope) : Promise.resolve({ firstContact: [], firstSession: [], sessions: [] }),
    scope.outcomes ? outcomes(db, filter, scope) : none,
    scope.gpDemand ? gpDemand(db, filter, scope) : Promise.resolve([]),
    reportChoices(db, filter),
  ]);
  return { filter, counts: c, waits: w, outcomes: o, gpDemand: g, ...ch };
}
