import { badRequest, getSearchParameter, Operator, OperationOutcomeError, splitSearchOnComma } from '@medplum/core';
import type { Filter, SearchRequest, SortRule } from '@medplum/core';
import { valueInterval } from './date-interval.js';
import { normalizeString, referenceKey } from './index-rows.js';

/** Builds numbered SQL parameters. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** A sort column: its SQL expression (never NULL), its type for casts and its direction. */
export interface SortColumn {
  readonly expr: string;
  readonly cast: 'timestamptz' | 'text' | 'numeric' | 'bigint';
  readonly descending: boolean;
}

export interface SearchSql {
  /** `WHERE` conditions on alias `r` (fhir_resources), joined with AND. */
  readonly where: string[];
  /** Filters the SQL cannot express; applied in memory to the rows it returns. */
  readonly residual: Filter[];
  /** Sort columns, the last one always `r.rid`. */
  readonly sort: SortColumn[];
  /** How many parameters the conditions use (those added before are the caller's; sort parameters come after). */
  readonly whereParams: number;
}

const ESCAPE_LIKE = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Highest and lowest values per type, standing in for NULL so that missing values sort last and keyset comparisons stay simple. */
const SENTINEL = {
  timestamptz: { max: "'infinity'::timestamptz", min: "'-infinity'::timestamptz" },
  numeric: { max: "'Infinity'::numeric", min: "'-Infinity'::numeric" },
  text: { max: `chr(1114111)`, min: "''" },
} as const;

/**
 * Translates a search request into SQL over `fhir_resources r` and `fhir_search_index`. Indexed parameter types
 * (token, reference, date, string, uri, number, quantity) and `_id` / `_lastUpdated` become index lookups;
 * modifiers the index cannot answer are left as residual filters. Chained and reverse-chained (`_has`) searches
 * are refused with 400 rather than answered wrongly.
 */
export function buildSearchSql(req: SearchRequest, p: Params, ownBase?: string): SearchSql {
  const where: string[] = [];
  const residual: Filter[] = [];
  for (const f of req.filters ?? []) {
    if (f.code.startsWith('_has:') || f.code.includes('.')) {
      throw new OperationOutcomeError(badRequest(`Chained search (${f.code}) is not supported by this server`));
    }
    const sql = filterSql(req.resourceType, f, p, ownBase);
    if (sql === undefined) residual.push(f);
    else where.push(sql);
  }
  const whereParams = p.values.length;
  const sort = (req.sortRules ?? []).map((rule) => sortColumn(req.resourceType, rule, p));
  sort.push({ expr: 'r.rid', cast: 'bigint', descending: false });
  return { where, residual, sort, whereParams };
}

function filterSql(resourceType: string, f: Filter, p: Params, ownBase: string | undefined): string | undefined {
  const values = splitSearchOnComma(f.value);
  if (f.code === '_id') {
    if (f.operator === Operator.EQUALS) return `r.id = ANY(${p.add(values)}::text[])`;
    if (f.operator === Operator.NOT || f.operator === Operator.NOT_EQUALS) return `NOT (r.id = ANY(${p.add(values)}::text[]))`;
    return undefined;
  }
  if (f.code === '_lastUpdated') {
    return anyOf(values.map((v) => instantCondition(f.operator, v, p)));
  }
  const param = getSearchParameter(resourceType, f.code);
  if (!param) throw new OperationOutcomeError(badRequest(`Unknown search parameter: ${f.code}`));
  const code = p.add(f.code);
  const exists = (cond: string): string => `EXISTS (SELECT 1 FROM fhir_search_index i WHERE i.rid = r.rid AND i.code = ${code} AND (${cond}))`;
  if (f.operator === Operator.MISSING || f.operator === Operator.PRESENT) {
    const missing = (f.value === 'true') === (f.operator === Operator.MISSING);
    return `${missing ? 'NOT ' : ''}EXISTS (SELECT 1 FROM fhir_search_index i WHERE i.rid = r.rid AND i.code = ${code})`;
  }
  switch (param.type) {
    case 'token': {
      if (f.operator !== Operator.EQUALS && f.operator !== Operator.NOT && f.operator !== Operator.NOT_EQUALS) return undefined;
      const cond = values.map((v) => tokenCondition(v, p)).join(' OR ');
      return f.operator === Operator.EQUALS ? exists(cond) : `NOT ${exists(cond)}`;
    }
    case 'reference': {
      if (f.operator !== Operator.EQUALS && f.operator !== Operator.NOT) return undefined;
      const cond = values
        .map((v) => {
          if (!v.includes('/')) return `i.value LIKE ${p.add(`%/${ESCAPE_LIKE(v)}`)}`;
          const key = referenceKey(v, ownBase);
          return `i.value = ${p.add(key.versioned ?? key.value)}`;
        })
        .join(' OR ');
      return f.operator === Operator.EQUALS ? exists(cond) : `NOT ${exists(cond)}`;
    }
    case 'string': {
      const cond = (v: string): string | undefined => {
        if (f.operator === Operator.EXACT) return `i.exact = ${p.add(v)}`;
        const n = ESCAPE_LIKE(normalizeString(v));
        if (f.operator === Operator.CONTAINS) return `i.value LIKE ${p.add(`%${n}%`)}`;
        if (f.operator === Operator.EQUALS || f.operator === Operator.STARTS_WITH) return `i.value LIKE ${p.add(`${n}%`)}`;
        return undefined;
      };
      const conds = values.map(cond);
      return conds.every((c) => c !== undefined) ? exists(conds.join(' OR ')) : undefined;
    }
    case 'uri': {
      if (f.operator === Operator.EQUALS) return exists(`i.value = ANY(${p.add(values)}::text[])`);
      if (f.operator === Operator.BELOW) return exists(values.map((v) => `i.value LIKE ${p.add(`${ESCAPE_LIKE(v)}%`)}`).join(' OR '));
      return undefined;
    }
    case 'date': {
      if (f.operator === Operator.NOT_EQUALS) {
        // ne: no value of the resource lies inside the search value's interval.
        const eq = values.map((v) => dateCondition(Operator.EQUALS, v, 'i.low', 'i.high', p));
        return `NOT ${exists(eq.join(' OR '))}`;
      }
      return exists(values.map((v) => dateCondition(f.operator, v, 'i.low', 'i.high', p)).join(' OR '));
    }
    case 'number':
    case 'quantity': {
      const conds = values.map((v) => numberCondition(f.operator, v, p));
      return conds.every((c) => c !== undefined) ? exists(conds.join(' OR ')) : undefined;
    }
    case 'composite':
    case 'special':
      throw new OperationOutcomeError(badRequest(`Search on ${f.code} (${param.type}) is not supported by this server`));
  }
}

const anyOf = (conds: string[]): string => (conds.length === 1 ? conds[0]! : `(${conds.join(' OR ')})`);

/** `[system]|[code]`, `|[code]` (no system), `[system]|` (any code) or `[code]` (any system). */
function tokenCondition(v: string, p: Params): string {
  const bar = v.indexOf('|');
  if (bar < 0) return `i.value = ${p.add(v)}`;
  const system = v.slice(0, bar);
  const value = v.slice(bar + 1);
  if (!value) return `i.system = ${p.add(system)}`;
  if (!system) return `(i.value = ${p.add(value)} AND i.system IS NULL)`;
  return `(i.value = ${p.add(value)} AND i.system = ${p.add(system)})`;
}

/**
 * A date comparison between the search value's interval [s, e) and a stored interval [low, high)
 * (R4 search.html#prefix): eq = inside, gt/sa = reaches past e / starts at or after e, lt/eb = starts
 * before s / ends before s, ge/le the inclusive forms, ap = overlaps.
 */
function dateCondition(op: Filter['operator'], value: string, low: string, high: string, p: Params): string {
  const [s, e] = intervalParams(value, p);
  const conds: Partial<Record<Filter['operator'], () => string>> = {
    eq: () => `(${low} >= ${s()} AND ${high} <= ${e()})`,
    ne: () => `NOT (${low} >= ${s()} AND ${high} <= ${e()})`,
    gt: () => `${high} > ${e()}`,
    sa: () => `${low} >= ${e()}`,
    ge: () => `${high} > ${s()}`,
    lt: () => `${low} < ${s()}`,
    eb: () => `${high} <= ${s()}`,
    le: () => `${low} < ${e()}`,
    ap: () => `(${low} < ${e()} AND ${high} > ${s()})`,
  };
  const cond = conds[op];
  if (!cond) throw new OperationOutcomeError(badRequest(`Unsupported date comparison ${op}`));
  return cond();
}

/** The start and end of a search value's interval as SQL parameters, added only when used. */
function intervalParams(value: string, p: Params): [() => string, () => string] {
  const interval = valueInterval(value);
  if (!interval) throw new OperationOutcomeError(badRequest(`Invalid date search value: ${value}`));
  const lazy = (ms: number): (() => string) => {
    let ref: string | undefined;
    return () => (ref ??= `${p.add(new Date(ms).toISOString())}::timestamptz`);
  };
  return [lazy(interval[0]), lazy(interval[1])];
}

/** `_lastUpdated`: an instant at millisecond precision, so the stored interval is [t, t + 1 ms); written on `t` alone to use the index. */
function instantCondition(op: Filter['operator'], value: string, p: Params): string {
  const [s, e] = intervalParams(value, p);
  const t = 'r.last_updated';
  const conds: Partial<Record<Filter['operator'], () => string>> = {
    eq: () => `(${t} >= ${s()} AND ${t} < ${e()})`,
    ap: () => `(${t} >= ${s()} AND ${t} < ${e()})`,
    ne: () => `NOT (${t} >= ${s()} AND ${t} < ${e()})`,
    gt: () => `${t} >= ${e()}`,
    sa: () => `${t} >= ${e()}`,
    ge: () => `${t} >= ${s()}`,
    lt: () => `${t} < ${s()}`,
    eb: () => `${t} < ${s()}`,
    le: () => `${t} < ${e()}`,
  };
  const cond = conds[op];
  if (!cond) throw new OperationOutcomeError(badRequest(`Unsupported date comparison ${op}`));
  return cond();
}

/** `[number]` or, for quantities, `[number]|[system]|[code]`; compared exactly. */
function numberCondition(op: Filter['operator'], value: string, p: Params): string | undefined {
  const [num, system, unit] = value.split('|');
  const n = Number(num);
  if (!num || !Number.isFinite(n)) throw new OperationOutcomeError(badRequest(`Invalid number search value: ${value}`));
  const sqlOp = { eq: '=', ne: '<>', gt: '>', lt: '<', ge: '>=', le: '<=', sa: '>', eb: '<' }[op as string];
  if (!sqlOp) return undefined;
  const parts = [`i.num ${sqlOp} ${p.add(n)}::numeric`];
  if (system) parts.push(`i.system = ${p.add(system)}`);
  if (unit) parts.push(`i.value = ${p.add(unit)}`);
  return `(${parts.join(' AND ')})`;
}

function sortColumn(resourceType: string, rule: SortRule, p: Params): SortColumn {
  const descending = !!rule.descending;
  if (rule.code === '_lastUpdated') return { expr: 'r.last_updated', cast: 'timestamptz', descending };
  if (rule.code === '_id') return { expr: 'r.id', cast: 'text', descending };
  const param = getSearchParameter(resourceType, rule.code);
  if (!param) throw new OperationOutcomeError(badRequest(`Unknown sort parameter: ${rule.code}`));
  // Ascending sorts on a resource's lowest value, descending on its highest (as HAPI and Medplum do).
  const agg = descending ? 'max' : 'min';
  const [column, cast] =
    param.type === 'date' ? [descending ? 'high' : 'low', 'timestamptz' as const]
    : param.type === 'number' || param.type === 'quantity' ? ['num', 'numeric' as const]
    : ['value', 'text' as const];
  const sentinel = SENTINEL[cast][descending ? 'min' : 'max'];
  const expr = `COALESCE((SELECT ${agg}(i.${column}) FROM fhir_search_index i WHERE i.rid = r.rid AND i.code = ${p.add(rule.code)}), ${sentinel})`;
  return { expr, cast, descending };
}

/** `ORDER BY` for the sort columns. */
export function orderBy(sort: readonly SortColumn[]): string {
  return sort.map((c) => `${c.expr} ${c.descending ? 'DESC' : 'ASC'}`).join(', ');
}

/**
 * The keyset condition "after the row whose sort values are `after`": (a > x) OR (a = x AND b > y) OR …,
 * with each column's own direction.
 */
export function afterCondition(sort: readonly SortColumn[], after: readonly string[], p: Params): string {
  if (after.length !== sort.length) throw new OperationOutcomeError(badRequest('Invalid _cursor for this search'));
  const terms: string[] = [];
  for (let i = 0; i < sort.length; i++) {
    const eqs = sort.slice(0, i).map((c, j) => `${c.expr} = ${p.add(after[j])}::${c.cast}`);
    const c = sort[i]!;
    eqs.push(`${c.expr} ${c.descending ? '<' : '>'} ${p.add(after[i])}::${c.cast}`);
    terms.push(`(${eqs.join(' AND ')})`);
  }
  return `(${terms.join(' OR ')})`;
}
