import { joinUrl, parseReference, sameBase } from '../../referral-model/references.js';
import type { ResolvedRef, Topology } from './types.js';

/** The EHR tenant whose FHIR base is the link-worker base too (one server for both), if any. */
function sameServerTenant(t: Topology): string | undefined {
  return t.tenants.find((x) => sameBase(x.ehrBase, t.linkWorkerBase))?.id;
}

/**
 * Resolves a reference found in a Task at the link-worker endpoint (FHIR R4 §2.3.0 "Resolving references":
 * relative references are relative to the server the resource came from). Absolute URLs must sit under a
 * configured base; anything else is on "another server" and is refused by the caller.
 */
export function resolveReference(reference: string | undefined, t: Topology): ResolvedRef | undefined {
  if (!reference) return undefined;
  if (reference.startsWith('#')) return reference.length > 1 ? { kind: 'contained', id: reference.slice(1) } : undefined;
  const parsed = parseReference(reference);
  if (!parsed) return undefined;
  if (parsed.base === undefined) {
    const { resourceType, id } = parsed;
    const same = sameServerTenant(t);
    // On a combined server a relative reference names a resource that is in the EHR as well.
    return same ? { kind: 'ehr', tenantId: same, resourceType, id } : { kind: 'link-worker', resourceType, id };
  }
  const { base, resourceType, id } = parsed;
  const tenant = t.tenants.find((x) => sameBase(base, x.ehrBase));
  if (tenant) return { kind: 'ehr', tenantId: tenant.id, resourceType, id };
  return sameBase(base, t.linkWorkerBase) ? { kind: 'link-worker', resourceType, id } : undefined;
}

/**
 * A relative reference read as relative to the EHR `tenantId` (e.g. a Gravity Task's `for: Patient/x` when its
 * absolute `focus` names that EHR): undefined unless `reference` is relative.
 */
export function relativeToEhr(reference: string | undefined, tenantId: string): ResolvedRef | undefined {
  const rel = parseReference(reference);
  return rel && rel.base === undefined ? { kind: 'ehr', tenantId, resourceType: rel.resourceType, id: rel.id } : undefined;
}

/** True when a resolved link-worker or EHR reference can be read from the link-worker endpoint. */
export function readableAtLinkWorker(ref: ResolvedRef, t: Topology): boolean {
  if (ref.kind === 'link-worker') return true;
  if (ref.kind === 'ehr') return sameServerTenant(t) === ref.tenantId;
  return false;
}

/** Stable map key for a source resource reference. */
export function refKey(ref: ResolvedRef): string {
  switch (ref.kind) {
    case 'ehr':
      return `ehr:${ref.tenantId}:${ref.resourceType}/${ref.id}`;
    case 'link-worker':
      return `lw:${ref.resourceType}/${ref.id}`;
    case 'contained':
      return `contained:${ref.id}`;
    default:
      return ref satisfies never;
  }
}

/** Absolute URL of a link-worker resource, used in meta.source / derivedFrom pointing back to the source. */
export function linkWorkerUrl(t: Topology, resourceType: string, id: string, version?: string | number): string {
  const base = joinUrl(t.linkWorkerBase, `${resourceType}/${id}`);
  return version === undefined ? base : `${base}/_history/${version}`;
}
