import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import type { FhirClient } from '../fhir/client.js';
import { FhirHttpError } from '../fhir/errors.js';
import type { DoctorCheck } from './types.js';

/** What a server's refusal of SP Link's write usually means, and how to fix it. */
function refusal(err: unknown, resource: Resource): { detail: string; fix: string } {
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof FhirHttpError && err.status === 403) {
    const profiled = Boolean(resource.meta?.profile?.length);
    return {
      detail: `HTTP 403: ${text}`,
      fix: profiled
        ? `SP Link writes carry meta.profile; servers that validate against it with the client's own access (Medplum) also need StructureDefinition read: add system/StructureDefinition.rs to auth.scope and have the server grant it, or grant ${resource.resourceType} update.`
        : `Grant SP Link's client update on ${resource.resourceType} (system/${resource.resourceType}.u).`,
    };
  }
  return { detail: text, fix: 'See the server’s answer; the write SP Link makes was refused.' };
}

/** A version id that is surely not the current one, in the same shape as the server's. */
function staleVersionOf(current: string): string {
  return /^\d{1,15}$/.test(current) ? String(Number(current) + 1000) : randomUUID();
}

/**
 * Behaviour, not declarations, on one probe resource SP Link may update (its own referral, Task or Subscription):
 * an unchanged PUT with the current If-Match (writes carrying meta.profile allowed under the granted scopes), the
 * same PUT with a stale If-Match (must answer 412, whatever `versioning` the CapabilityStatement declares), and a
 * vread of the version id the server gave (opaque ids must round-trip). The content is never changed.
 */
export async function probeVersioning(endpoint: string, client: FhirClient, probe: Resource & { id: string }): Promise<DoctorCheck[]> {
  const where = `${probe.resourceType}/${probe.id}`;
  const checks: DoctorCheck[] = [];
  const current = probe.meta?.versionId;
  if (!current) {
    return [{ endpoint, check: 'version ids', status: 'FAIL', detail: `${where} has no meta.versionId`, fix: 'SP Link needs versioned resources (meta.versionId, ETag) to update without losing concurrent changes; enable versioning.' }];
  }
  let now = current;
  try {
    const w = await client.update(probe, { ifMatch: current });
    now = w.versionId ?? w.resource?.meta?.versionId ?? current;
    checks.push({ endpoint, check: 'writes allowed under the granted scopes', status: 'PASS', detail: `PUT ${where} with If-Match${probe.meta?.profile?.length ? ' and meta.profile' : ''} accepted` });
  } catch (err) {
    return [{ endpoint, check: 'writes allowed under the granted scopes', status: 'FAIL', ...refusal(err, probe) }];
  }
  const stale = staleVersionOf(now);
  try {
    await client.update({ ...probe, meta: { ...probe.meta, versionId: now } }, { ifMatch: stale });
    checks.push({
      endpoint,
      check: 'If-Match honoured (412 when stale)',
      status: 'FAIL',
      detail: `PUT ${where} with If-Match W/"${stale}" (not the current version) was accepted`,
      fix: 'The server ignores If-Match, so concurrent updates (the link worker and SP Link) would overwrite each other: enable versioned update (If-Match) on the server.',
    });
  } catch (err) {
    if (err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) {
      checks.push({ endpoint, check: 'If-Match honoured (412 when stale)', status: 'PASS', detail: `stale If-Match answered ${err.status}` });
    } else {
      checks.push({ endpoint, check: 'If-Match honoured (412 when stale)', status: 'WARN', detail: `stale If-Match answered ${(err as Error).message}`, fix: 'Expected 412 Precondition Failed; check the server’s versioned-update support.' });
    }
  }
  try {
    const v = await client.vread(probe.resourceType, probe.id, now);
    const ok = v.meta?.versionId === now;
    const opaque = !/^\d+$/.test(now);
    checks.push({
      endpoint,
      check: 'version ids round-trip',
      status: ok ? 'PASS' : 'FAIL',
      detail: ok ? `${opaque ? 'opaque (non-integer) ' : ''}version id ${now} reads back` : `vread of ${now} returned version ${v.meta?.versionId ?? '(none)'}`,
      ...(ok ? {} : { fix: 'GET [type]/[id]/_history/[vid] must return that version (R4 http.html#vread).' }),
    });
  } catch (err) {
    checks.push({ endpoint, check: 'version ids round-trip', status: 'FAIL', detail: `vread of ${now}: ${(err as Error).message}`, fix: 'SP Link re-reads versions it was told about (R4 http.html#vread); enable vread.' });
  }
  return checks;
}

/** `_lastUpdated` search, which the reconciler polls with, actually works (declared or not). */
export async function probeLastUpdatedSearch(endpoint: string, client: FhirClient): Promise<DoctorCheck> {
  const check = 'polling search works (Task by _lastUpdated)';
  try {
    await client.search('Task', { _lastUpdated: 'ge2000-01-01T00:00:00Z', _sort: '_lastUpdated', _count: '1' });
    return { endpoint, check, status: 'PASS', detail: 'Task?_lastUpdated=ge…&_sort=_lastUpdated answered' };
  } catch (err) {
    return { endpoint, check, status: 'FAIL', detail: (err as Error).message, fix: 'The reconciler polls Task?_lastUpdated=ge…&_sort=_lastUpdated; enable that search (and Task search for SP Link’s client).' };
  }
}

/** An empty transaction Bundle: answers whether the server processes transactions, writing nothing. */
export async function probeTransaction(endpoint: string, client: FhirClient): Promise<DoctorCheck> {
  const check = 'supports transaction';
  try {
    await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: [] });
    return { endpoint, check, status: 'PASS', detail: 'an empty transaction Bundle was processed (not declared in the CapabilityStatement)' };
  } catch (err) {
    return { endpoint, check, status: 'FAIL', detail: (err as Error).message, fix: 'SP Link writes a referral or outcome and its Provenance atomically; enable transaction Bundles on this server.' };
  }
}
