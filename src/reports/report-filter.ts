import { z } from 'zod';
import { REFERRAL_SOURCES } from './referral-fact.js';

/**
 * What a report is about: a period of referral dates (inclusive, calendar days in England) and, optionally, one
 * practice (ODS code), one PCN, one service and one referral source. Parsed from a query string or CLI flags,
 * strictly: anything unknown or malformed is refused with the field named, never silently ignored.
 */
export interface ReportFilter {
  from: string;
  to: string;
  practice?: string;
  pcn?: string;
  service?: string;
  source?: (typeof REFERRAL_SOURCES)[number]['code'];
  /**
   * What the reader may see at all (src/workspace/domain/report-access.ts), set by the server and never read from a
   * query: referrals of these practices or PCNs, and of these services. Absent: everything (a token reader).
   */
  within?: ReportWithin;
}

/** A reader's part of the report store: practices or PCNs (either matches), and services; an absent list allows all. */
export interface ReportWithin {
  practices?: readonly string[];
  pcns?: readonly string[];
  services?: readonly string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (s: string) => DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
const text = z.string().trim().max(200);
const optional = (t: z.ZodType<string>) => z.preprocess((v) => (v === '' ? undefined : v), t.optional());

const schema = z
  .object({
    from: optional(z.string().refine(validDate, 'Enter a real date as YYYY-MM-DD')),
    to: optional(z.string().refine(validDate, 'Enter a real date as YYYY-MM-DD')),
    practice: optional(text.regex(/^[A-Za-z0-9]{3,10}$/, 'Choose a practice from the list')),
    pcn: optional(text.min(1)),
    service: optional(text.min(1)),
    source: optional(z.enum(REFERRAL_SOURCES.map((s) => s.code) as [string, ...string[]])),
  })
  .strict();

export type FilterResult = { ok: true; filter: ReportFilter } | { ok: false; errors: { field: string; message: string }[] };

/** The date a year before `today` plus one day, so the default period is the last 12 months to today inclusive. */
function yearBefore(today: string): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Parses filter fields (`from`, `to`, `practice`, `pcn`, `service`, `source`; other keys given in `ignore`, such as
 * the page's own `by`, are left to their readers). Without a period: the 12 months to `today`.
 */
export function parseReportFilter(input: Record<string, unknown>, today: string, ignore: readonly string[] = []): FilterResult {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (!ignore.includes(k)) fields[k] = v;
  const r = schema.safeParse(fields);
  if (!r.success) {
    return { ok: false, errors: r.error.issues.map((i) => ({ field: i.path.join('.') || String((i as { keys?: string[] }).keys?.[0] ?? 'query'), message: i.code === 'unrecognized_keys' ? `Unknown filter: ${(i as { keys?: string[] }).keys?.join(', ')}` : i.message })) };
  }
  const v = r.data;
  const to = v.to ?? today;
  const from = v.from ?? yearBefore(to);
  if (from > to) return { ok: false, errors: [{ field: 'from', message: 'The start of the period must be on or before its end' }] };
  const filter: ReportFilter = { from, to };
  if (v.practice) filter.practice = v.practice.toUpperCase();
  if (v.pcn) filter.pcn = v.pcn;
  if (v.service) filter.service = v.service;
  if (v.source) filter.source = v.source as ReportFilter['source'];
  return { ok: true, filter };
}

/** The filter as query-string fields (links, CSV names, CLI echo). */
export function filterQuery(f: ReportFilter): Record<string, string> {
  const q: Record<string, string> = { from: f.from, to: f.to };
  if (f.practice) q.practice = f.practice;
  if (f.pcn) q.pcn = f.pcn;
  if (f.service) q.service = f.service;
  if (f.source) q.source = f.source;
  return q;
}

/** The filter with the reader's part of the store (report-access.ts) applied. */
export const withinOf = (f: ReportFilter, within: ReportWithin | undefined): ReportFilter => (within ? { ...f, within } : f);

/**
 * The WHERE clause over report_referrals (alias `r`) for a filter, the reader's part of the store included, with its
 * parameters from `$first` on. The period is calendar days in England: from the start of `from` to the end of `to`,
 * Europe/London.
 */
export function filterSql(f: ReportFilter, first = 1): { where: string; params: unknown[] } {
  const params: unknown[] = [f.from, f.to];
  const p = (i: number) => `$${first + i}`;
  const parts = [
    `r.referred_at >= (${p(0)}::date::timestamp AT TIME ZONE 'Europe/London')`,
    `r.referred_at < ((${p(1)}::date + 1)::timestamp AT TIME ZONE 'Europe/London')`,
  ];
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    params.push(value);
    parts.push(`r.${column} = ${p(params.length - 1)}`);
  };
  // The reader's part first: its parameters then follow the period's in every condition (reportChoices shares them).
  const w = f.within;
  if (w) {
    const any = (column: string, values: readonly string[]) => {
      params.push([...values]);
      return `r.${column} = ANY(${p(params.length - 1)}::text[])`;
    };
    const area = [...(w.practices ? [any('practice', w.practices)] : []), ...(w.pcns ? [any('pcn', w.pcns)] : [])];
    if (area.length) parts.push(`(${area.join(' OR ')})`);
    if (w.services) parts.push(any('service', w.services));
  }
  eq('practice', f.practice);
  eq('pcn', f.pcn);
  eq('service', f.service);
  eq('source', f.source);
  return { where: parts.join(' AND '), params };
}
