import type { Resource } from '@medplum/fhirtypes';
import { parseReference, type ParsedReference } from '../referral-model/references.js';

/** What a create/update returned: the resource (when the server sent it) and its version. */
export interface WriteResult<T extends Resource> {
  resource: T | undefined;
  status: number;
  /** 201 Created, as opposed to 200 (updated, or an existing match of a conditional create). */
  created: boolean;
  id?: string;
  versionId?: string;
  /** ETag as sent (`W/"3"`), for a later If-Match. */
  etag?: string;
  location?: string;
  lastModified?: string;
}

/** `W/"3"` → `3`. */
export function versionFromEtag(etag: string | null | undefined): string | undefined {
  const m = etag ? /^(?:W\/)?"([^"]+)"$/.exec(etag.trim()) : null;
  return m?.[1];
}

/** A Location header as a reference: absolute, relative, or a path from the server's root (`/fhir/Task/1/_history/2`). */
export function locationReference(location: string | null | undefined): ParsedReference | undefined {
  return location ? parseReference(location.startsWith('/') ? `http://server${location}` : location) : undefined;
}

/** `…/Task/abc/_history/2` → { id: 'abc', versionId: '2' }. */
export function parseLocation(location: string | null | undefined): { id?: string; versionId?: string } {
  const p = locationReference(location);
  return p ? { id: p.id, versionId: p.version } : {};
}

export function parseWriteResponse<T extends Resource>(body: unknown, response: Response | undefined): WriteResult<T> {
  const resource = body && typeof body === 'object' && 'resourceType' in body ? (body as T) : undefined;
  const status = response?.status ?? 200;
  const etag = response?.headers.get('etag') ?? undefined;
  const location = response?.headers.get('location') ?? response?.headers.get('content-location') ?? undefined;
  const fromLocation = parseLocation(location);
  return {
    resource,
    status,
    created: status === 201,
    id: resource?.id ?? fromLocation.id,
    versionId: resource?.meta?.versionId ?? versionFromEtag(etag) ?? fromLocation.versionId,
    etag: etag ?? (resource?.meta?.versionId ? `W/"${resource.meta.versionId}"` : undefined),
    location,
    lastModified: response?.headers.get('last-modified') ?? undefined,
  };
}
