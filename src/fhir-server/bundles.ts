import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';

/** Page size when a search names no `_count`, and the largest page served. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export type QueryParams = Record<string, string | string[] | undefined>;

/** `[base]/[type]/[id]` for an entry, from its resource or its request URL. */
function fullUrlOf(baseUrl: string, entry: BundleEntry): string | undefined {
  const r = entry.resource;
  if (r?.id) return `${baseUrl}/${r.resourceType}/${r.id}`;
  const url = entry.request?.url;
  return url && /^[A-Za-z]+\/[^/?]+$/.test(url) ? `${baseUrl}/${url}` : undefined;
}

/** Absolute version-specific URL of a stored resource (`Location` / `response.location`). */
export function versionUrl(baseUrl: string, resource: Resource): string {
  const vid = resource.meta?.versionId;
  return `${baseUrl}/${resource.resourceType}/${resource.id}${vid ? `/_history/${vid}` : ''}`;
}

function toSearchParams(query: QueryParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const value of Array.isArray(v) ? v : v === undefined ? [] : [v]) params.append(k, value);
  }
  return params;
}

/**
 * Adds absolute `fullUrl`s and paging links (`self`, `first`, `previous`, `next`) to a searchset or history
 * Bundle (R4 http.html#paging). A `next` link from the repository (a keyset `_cursor`, stable while rows are
 * added) is kept, made absolute; otherwise links repeat the query with a new `_offset`.
 */
export function decoratePagedBundle(bundle: Bundle, baseUrl: string, path: string, query: QueryParams): Bundle {
  const keysetNext = bundle.link?.find((l) => l.relation === 'next')?.url;
  for (const entry of bundle.entry ?? []) entry.fullUrl ??= fullUrlOf(baseUrl, entry);
  const params = toSearchParams(query);
  const count = Number(params.get('_count') ?? DEFAULT_PAGE_SIZE);
  const offset = Number(params.get('_offset') ?? 0);
  const link = (relation: string, at: number): BundleLink => {
    const p = new URLSearchParams(params);
    p.delete('_offset');
    if (at > 0) p.set('_offset', String(at));
    const qs = p.toString();
    return { relation, url: `${baseUrl}/${path}${qs ? `?${qs}` : ''}` };
  };
  const links = [link('self', offset), link('first', 0)];
  if (count > 0 && offset > 0) links.push(link('previous', Math.max(0, offset - count)));
  if (keysetNext) links.push({ relation: 'next', url: /^https?:/.test(keysetNext) ? keysetNext : `${baseUrl}/${keysetNext.replace(/^\/+/, '')}` });
  else if (count > 0 && bundle.total !== undefined && offset + count < bundle.total) links.push(link('next', offset + count));
  bundle.link = links;
  return bundle;
}

/** Makes batch/transaction response locations absolute and adds ETag/Last-Modified per entry. */
export function decorateBatchResponse(bundle: Bundle, baseUrl: string): Bundle {
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.id) entry.fullUrl ??= `${baseUrl}/${r.resourceType}/${r.id}`;
    if (!entry.response || !r?.id || r.resourceType === 'Bundle' || r.resourceType === 'OperationOutcome') continue;
    if (entry.response.location) entry.response.location = versionUrl(baseUrl, r);
    if (r.meta?.versionId) entry.response.etag = `W/"${r.meta.versionId}"`;
    if (r.meta?.lastUpdated) entry.response.lastModified = r.meta.lastUpdated;
  }
  return bundle;
}
