import { getSearchParameter } from '@medplum/core';
import type { Filter } from '@medplum/core';
import type { Identifier, Resource } from '@medplum/fhirtypes';

/** A filter evaluated directly on a resource, for the searches SP Link makes most. */
export type ResourceTest = (resource: Resource) => boolean;

/** A direct test for `filter`, or undefined to leave it to Medplum's general (FHIRPath) matcher. */
export function fastFilter(resourceType: string, filter: Filter): ResourceTest | undefined {
  const instant = lastUpdatedTest(filter);
  if (instant) return (r) => instant(Date.parse(r.meta?.lastUpdated ?? ''));
  return identifierTest(resourceType, filter);
}

/**
 * `identifier=[system]|[value]`, `identifier=|[value]` (no system) or `identifier=[value]`
 * (any system), exact match, for types whose parameter is plainly `[type].identifier`
 * (conditional creates key on it, so every outbox delivery runs one).
 */
export function identifierTest(resourceType: string, filter: Filter): ResourceTest | undefined {
  if (filter.code !== 'identifier' || filter.operator !== 'eq' || filter.value.includes(',')) return undefined;
  if (getSearchParameter(resourceType, 'identifier')?.expression !== `${resourceType}.identifier`) return undefined;
  const bar = filter.value.indexOf('|');
  const system = bar < 0 ? undefined : filter.value.slice(0, bar);
  const value = bar < 0 ? filter.value : filter.value.slice(bar + 1);
  if (!value) return undefined;
  const matches = (i: Identifier): boolean =>
    i.value === value && (system === undefined || (system === '' ? i.system === undefined : i.system === system));
  return (r) => ((r as { identifier?: Identifier[] }).identifier ?? []).some(matches);
}

/**
 * `_lastUpdated` comparisons without FHIRPath (it was most of a cursor poll's cost). A search
 * value stands for the whole interval its precision names, e.g. `2026-11-24` is that day
 * (R4 search.html#date): `ge` = at or after its start, `gt` = at or after its end, `lt` =
 * before its start, `le` = before its end, `eq` = inside, `ne` = outside.
 */
export type InstantTest = (lastUpdatedMs: number) => boolean;

const PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The interval [start, end) in epoch ms that a FHIR date/dateTime/instant search value covers. */
export function valueInterval(value: string): [number, number] | undefined {
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (h !== undefined && zone === undefined) return undefined; // a time needs a zone in FHIR
  const start = Date.parse(h === undefined ? `${y}-${mo ?? '01'}-${d ?? '01'}T00:00:00Z` : `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${zone}`);
  if (Number.isNaN(start)) return undefined;
  if (frac) return [start, start + 10 ** (3 - Math.min(frac.length - 1, 3))];
  if (s !== undefined) return [start, start + 1000];
  if (h !== undefined) return [start, start + 60_000];
  const next = new Date(start);
  if (d !== undefined) next.setUTCDate(next.getUTCDate() + 1);
  else if (mo !== undefined) next.setUTCMonth(next.getUTCMonth() + 1);
  else next.setUTCFullYear(next.getUTCFullYear() + 1);
  return [start, next.getTime()];
}

/** A test for one `_lastUpdated` filter, or undefined to leave it to the general matcher. */
export function lastUpdatedTest(filter: Filter): InstantTest | undefined {
  if (filter.code !== '_lastUpdated' || filter.value.includes(',')) return undefined;
  const interval = valueInterval(filter.value);
  if (!interval) return undefined;
  const [start, end] = interval;
  const tests: Partial<Record<Filter['operator'], InstantTest>> = {
    eq: (t) => t >= start && t < end,
    ne: (t) => t < start || t >= end,
    gt: (t) => t >= end,
    sa: (t) => t >= end,
    ge: (t) => t >= start,
    lt: (t) => t < start,
    eb: (t) => t < start,
    le: (t) => t < end,
  };
  return tests[filter.operator];
}
