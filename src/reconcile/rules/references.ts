import type { ResolvedRef, Topology } from './types.js';

const trimSlash = (s: string): string => s.replace(/\/+$/, '');
const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** The EHR tenant whose FHIR base is the link-worker base too (one server for both), if any. */
function sameServerTenant(t: Topology): string | undefined {
  const lw = trimSlash(t.linkWorkerBase);
  return t.tenants.find((x) => trimSlash(x.ehrBase) === lw)?.id;
}

/**
 * Resolves a reference found in a Task at the link-worker endpoint (FHIR R4 §2.3.0 "Resolving references":
 * relative references are relative to the server the resource came from). Absolute URLs must sit under a
 * configured base; anything else is on "another server" and is refused by the caller.
 */
export function resolveReference(reference: string | undefined, t: Topology): ResolvedRef | undefined {
  if (!reference) return undefined;
  if (reference.startsWith('#')) return reference.length > 1 ? { kind: 'contained', id: reference.slice(1) } : undefined;
  const rel = RELATIVE.exec(reference);
  if (rel) {
    const [, resourceType, id] = rel as unknown as [string, string, string];
    const same = sameServerTenant(t);
    // On a combined server a relative reference names a resource that is in the EHR as well.
    return same ? { kind: 'ehr', tenantId: same, resourceType, id } : { kind: 'link-worker', resourceType, id };
  }
  for (const tenant of t.tenants) {
    const local = relativeUnder(reference, tenant.ehrBase);
    if (local) return { kind: 'ehr', tenantId: tenant.id, ...local };
  }
  const atLw = relativeUnder(reference, t.linkWorkerBase);
  if (atLw) return { kind: 'link-worker', ...atLw };
  return undefined;
}

/**
 * A relative reference read as relative to the EHR `tenantId` (e.g. a Gravity Task's `for: Patient/x` when its
 * absolute `focus` names that EHR): undefined unless `reference` is relative.
 */
export function relativeToEhr(reference: string | undefined, tenantId: string): ResolvedRef | undefined {
  const rel = reference ? RELATIVE.exec(reference) : null;
  return rel ? { kind: 'ehr', tenantId, resourceType: rel[1]!, id: rel[2]! } : undefined;
}

function relativeUnder(reference: string, base: string): { resourceType: string; id: string } | undefined {
  const prefix = `${trimSlash(base)}/`;
  if (!reference.startsWith(prefix)) return undefined;
  const m = RELATIVE.exec(reference.slice(prefix.length));
  return m ? { resourceType: m[1]!, id: m[2]! } : undefined;
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
  const base = `${trimSlash(t.linkWorkerBase)}/${resourceType}/${id}`;
  return version === undefined ? base : `${base}/_history/${version}`;
}
