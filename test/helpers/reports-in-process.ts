import type { Db } from '../../src/store/db.js';
import type { Aggregates, CountRow, GpDemandRow, OutcomeRow, SpreadRow } from '../../src/reports/aggregate.js';
import { DIMENSIONS, type SplitKey } from '../../src/reports/dimensions.js';
import { ethnicGroup, imdQuintile } from '../../src/reports/equality.js';
import { filterSql, type ReportFilter } from '../../src/reports/report-filter.js';
import { measureRule } from '../../src/reports/measure-rules.js';
import { mean, quantile, sampleSd } from '../../src/reports/statistics.js';
import { daysBetweenDates, londonDate } from '../../src/time/london.js';

/**
 * The reports' figures computed the slow way, in the process: every fact of the period read out of the store and
 * aggregated in TypeScript with statistics.ts. What the SQL aggregation (src/reports/aggregate.ts) must agree with
 * figure for figure, and what `npm run bench reports` measures it against.
 */
interface Row {
  practice: string; practice_name: string; pcn: string | null; service: string; service_name: string | null; source: string; urgency: string; needs: string[];
  referred_at: string | Date; reach: string; end_reason: string | null; first_contact_at: string | Date | null; first_session_at: string | Date | null;
  sessions: number; services_connected: string[]; social_outcomes: string[]; age_band: string | null; sex: string | null; ethnicity: string | null; imd_decile: number | null; disability: string | null;
  outcomes: { measure: string; before_score: string | number; after_score: string | number | null }[] | null;
  gp: { status: string; before_count: number | null; after_count: number | null } | null;
  onward: { community_service: string; state: string; reason: string | null }[] | null;
}

const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());
const dayDiff = (a: string | Date, b: string | Date) => Math.max(0, daysBetweenDates(londonDate(new Date(iso(b))), londonDate(new Date(iso(a)))));
const ENDED = new Set(['declined', 'could-not-contact', 'did-not-engage', 'cancelled']);

function splitValues(r: Row): [SplitKey, string][] {
  return [
    ['all', 'all'], ['age-band', r.age_band ?? 'not-known'], ['sex', r.sex ?? 'unknown'], ['ethnicity', ethnicGroup(r.ethnicity)],
    ['imd-quintile', String(imdQuintile(r.imd_decile) ?? 'not-known')], ['disability', r.disability ?? 'not-known'],
  ];
}

export async function aggregateInProcess(db: Db, filter: ReportFilter): Promise<Aggregates> {
  const { where, params } = filterSql(filter);
  const { rows } = await db.query<Row>(
    `SELECT r.*, (SELECT json_agg(json_build_object('measure', o.measure, 'before_score', o.before_score, 'after_score', o.after_score))
       FROM report_outcomes o WHERE o.referral_key = r.referral_key) AS outcomes,
       (SELECT json_build_object('status', g.status, 'before_count', g.before_count, 'after_count', g.after_count)
       FROM report_gp_demand g WHERE g.referral_key = r.referral_key) AS gp,
       (SELECT json_agg(json_build_object('community_service', o.community_service, 'state', o.state, 'reason', o.reason))
       FROM report_onward o WHERE o.referral_key = r.referral_key) AS onward
     FROM report_referrals r WHERE ${where}`, params);
  const counts = new Map<string, CountRow>();
  const bump = (dimension: CountRow['dimension'], code: string, split: SplitKey, category: string) => {
    const k = `${dimension}\u0000${code}\u0000${split}\u0000${category}`;
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { dimension, code, split, category, n: 1 });
  };
  const waits = new Map<string, { contact: number[]; session: number[]; sessions: number[] }>();
  const outcomes = new Map<string, { rows: { before: number; after?: number; eligible: boolean }[] }>();
  const gp = new Map<string, { swept: number; waiting: number; pairs: { before: number; after: number }[] }>();
  const practices = new Map<string, Aggregates['practices'][number]>();
  for (const r of rows) {
    practices.set(r.practice, { code: r.practice, name: r.practice_name, pcn: r.pcn ?? undefined });
    const scalar: Record<string, string | undefined> = {
      source: r.source, practice: r.practice, pcn: r.pcn ?? 'not-known', service: r.service, urgency: r.urgency, reach: r.reach,
      'end-reason': ENDED.has(r.reach) ? (r.end_reason ?? 'not-known') : undefined,
    };
    const onward = r.onward ?? [];
    const many: Partial<Record<CountRow['dimension'], string[]>> = {
      need: r.needs, connected: r.services_connected, 'social-outcome': r.social_outcomes,
      'onward-service': onward.map((o) => o.community_service), 'onward-state': onward.map((o) => o.state), 'onward-need': onward.flatMap(() => r.needs),
      'onward-reason': onward.filter((o) => o.state === 'declined' || o.state === 'withdrawn').map((o) => o.reason ?? 'not-known'),
    };
    for (const [split, category] of splitValues(r)) {
      for (const d of DIMENSIONS) {
        if (d.many) for (const code of many[d.key] ?? []) bump(d.key, code, split, category);
        else if (scalar[d.key] !== undefined) bump(d.key, scalar[d.key]!, split, category);
      }
      const wk = `${split}\u0000${category}`;
      const w = waits.get(wk) ?? { contact: [], session: [], sessions: [] };
      waits.set(wk, w);
      if (r.first_contact_at) w.contact.push(dayDiff(r.first_contact_at, r.referred_at));
      if (r.first_session_at) w.session.push(dayDiff(r.first_session_at, r.referred_at));
      if (r.sessions > 0) w.sessions.push(r.sessions);
      const g = gp.get(wk) ?? { swept: 0, waiting: 0, pairs: [] };
      gp.set(wk, g);
      if (!r.gp) g.waiting++;
      else g.swept++;
      if (r.gp?.status === 'counted') g.pairs.push({ before: r.gp.before_count!, after: r.gp.after_count! });
      for (const o of r.outcomes ?? []) {
        const ok = `${o.measure}\u0000${split}\u0000${category}`;
        const e = outcomes.get(ok) ?? { rows: [] };
        outcomes.set(ok, e);
        const after = o.after_score === null ? undefined : Number(o.after_score);
        e.rows.push({ before: Number(o.before_score), ...(after === undefined ? {} : { after }), eligible: r.reach === 'completed' || after !== undefined });
      }
    }
  }
  const spread = (xs: number[], split: SplitKey, category: string): SpreadRow => ({ split, category, n: xs.length, median: quantile(xs, 0.5), p90: quantile(xs, 0.9) });
  const waitRows = [...waits.entries()].map(([k, w]) => ({ k: k.split('\u0000') as [SplitKey, string], w }));
  const outcomeRows: OutcomeRow[] = [...outcomes.entries()].map(([k, e]) => {
    const [measure, split, category] = k.split('\u0000') as [string, SplitKey, string];
    const pairs = e.rows.filter((x): x is { before: number; after: number; eligible: boolean } => x.after !== undefined);
    const diffs = pairs.map((p) => p.after - p.before);
    const rule = measureRule(measure);
    const gain = (d: number) => (rule ? d * (rule.higherIsBetter ? 1 : -1) : NaN);
    return {
      measure, split, category, eligible: e.rows.filter((x) => x.eligible).length, pairs: pairs.length,
      meanBefore: mean(pairs.map((p) => p.before)), meanAfter: mean(pairs.map((p) => p.after)), meanChange: mean(diffs), sdChange: sampleSd(diffs),
      improved: rule ? diffs.filter((d) => gain(d) >= rule.meaningful).length : 0, worsened: rule ? diffs.filter((d) => gain(d) <= -rule.meaningful).length : 0,
    };
  });
  const gpRows: GpDemandRow[] = [...gp.entries()].map(([k, g]) => {
    const [split, category] = k.split('\u0000') as [SplitKey, string];
    const diffs = g.pairs.map((p) => p.after - p.before);
    return {
      split, category, eligible: g.swept, pairs: g.pairs.length, waiting: g.waiting, meanBefore: mean(g.pairs.map((p) => p.before)),
      meanAfter: mean(g.pairs.map((p) => p.after)), meanChange: mean(diffs), sdChange: sampleSd(diffs), fewer: diffs.filter((d) => d < 0).length,
    };
  });
  const all = [...counts.values()];
  return {
    filter,
    referrals: rows.length,
    counts: all,
    waits: {
      firstContact: waitRows.map(({ k, w }) => spread(w.contact, ...k)),
      firstSession: waitRows.map(({ k, w }) => spread(w.session, ...k)),
      sessions: waitRows.map(({ k, w }) => spread(w.sessions, ...k)),
    },
    outcomes: outcomeRows,
    gpDemand: gpRows,
    practices: [...practices.values()].sort((a, b) => a.name.localeCompare(b.name)),
    services: [...new Map(rows.map((r) => [r.service, { code: r.service, name: r.service_name ?? r.service }])).values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

