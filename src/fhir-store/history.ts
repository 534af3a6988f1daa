import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/** One version of a resource, or (no `resource`) its deletion. */
export interface HistoryItem {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: string;
  readonly lastUpdated: string;
  readonly resource?: Resource;
}

/**
 * A `history` Bundle page, newest first (the caller orders the items), with `request`/`response` on every
 * entry so deletions show (R4 http.html#history). `fullUrl`s are added by the HTTP layer, which knows the
 * public base.
 */
export function historyBundle(items: readonly HistoryItem[], total: number): Bundle {
  return { resourceType: 'Bundle', type: 'history', total, entry: items.map(historyEntry) };
}

function historyEntry(item: HistoryItem): BundleEntry {
  const url = `${item.resourceType}/${item.id}`;
  const response = { etag: `W/"${item.versionId}"`, lastModified: item.lastUpdated };
  if (!item.resource) return { request: { method: 'DELETE', url }, response: { ...response, status: '204' } };
  const first = item.versionId === '1';
  return {
    resource: item.resource,
    request: first ? { method: 'POST', url: item.resourceType } : { method: 'PUT', url },
    response: { ...response, status: first ? '201' : '200' },
  };
}
