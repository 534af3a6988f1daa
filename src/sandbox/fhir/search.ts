import { evalFhirPath, getSearchParameter, isChainedSearchFilter, matchesSearchRequest } from '@medplum/core';
import type { Filter, SearchRequest, SortRule } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { fastFilter, type ResourceTest } from './fast-filters.js';

/** True when the fast path below can answer the request (no chained or reverse-chained filters). */
export function isSimpleSearch(searchRequest: SearchRequest): boolean {
  return !(searchRequest.filters ?? []).some((f) => isChainedSearchFilter(f) || f.code.startsWith('_has:'));
}

/**
 * One page of matches: filter, sort on precomputed keys, then slice, so only the page is cloned.
 * Medplum's MemoryRepository clones every match and re-evaluates FHIRPath per comparison, which
 * made paging through a few thousand Tasks take ~200 ms a page. Sort rules apply in the order
 * given (first rule primary); ties keep insertion order.
 */
export function searchPage(resources: Iterable<Resource>, searchRequest: SearchRequest): { page: Resource[]; total: number } {
  const fast: ResourceTest[] = [];
  const otherFilters: Filter[] = [];
  for (const f of searchRequest.filters ?? []) {
    const test = fastFilter(searchRequest.resourceType, f);
    if (test) fast.push(test);
    else otherFilters.push(f);
  }
  const rest: SearchRequest = { ...searchRequest, filters: otherFilters };
  const matches: Resource[] = [];
  for (const r of resources) {
    if (fast.every((test) => test(r)) && (otherFilters.length === 0 || matchesSearchRequest(r, rest))) matches.push(r);
  }
  const rules = searchRequest.sortRules ?? [];
  let sorted = matches;
  if (rules.length > 0) {
    const keyed = matches.map((resource, index) => ({ resource, index, keys: rules.map((rule) => sortKey(resource, rule)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < rules.length; i++) {
        const c = compareKeys(a.keys[i], b.keys[i]) * (rules[i]?.descending ? -1 : 1);
        if (c !== 0) return c;
      }
      return a.index - b.index;
    });
    sorted = keyed.map((k) => k.resource);
  }
  const offset = searchRequest.offset ?? 0;
  const page = searchRequest.count === undefined ? sorted.slice(offset) : sorted.slice(offset, offset + searchRequest.count);
  return { page, total: matches.length };
}

type SortKey = string | number | undefined;

function sortKey(resource: Resource, rule: SortRule): SortKey {
  if (rule.code === '_lastUpdated') return resource.meta?.lastUpdated;
  if (rule.code === '_id') return resource.id;
  const expression = getSearchParameter(resource.resourceType, rule.code)?.expression;
  if (!expression) return undefined;
  const values = evalFhirPath(expression, resource);
  const first = values[0];
  if (first === undefined) return undefined;
  return typeof first === 'number' ? first : JSON.stringify(values);
}

/** Missing values sort last, numbers numerically, everything else as text. */
function compareKeys(a: SortKey, b: SortKey): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
