import type { Reference, Task } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { relativeToBase } from '../../referral-model/references.js';

/**
 * What "owned by my organisation" means at one link-worker endpoint: the Organization(s) carrying the
 * user's ODS code and the HealthcareServices they provide. Task.owner may name any of them, by
 * reference (relative or absolute) or by ODS identifier.
 */
export interface OrgScope {
  ods: string;
  /** Relative references, e.g. `Organization/lw-service`, `HealthcareService/svc-link-worker`. */
  refs: ReadonlySet<string>;
  /** The organisation's own Organization id (first match), for display and PractitionerRole search. */
  orgId?: string;
  orgName?: string;
}

/** `http://x/fhir/Organization/1` → `Organization/1` when under `base`; relative references unchanged. */
export function relativeTo(base: string, reference: string | undefined): string | undefined {
  return reference ? relativeToBase(reference, base) : undefined;
}

export function ownedBy(owner: Reference | undefined, scope: OrgScope, base: string): boolean {
  if (!owner) return false;
  const ident = owner.identifier;
  if (ident?.system === IDENTIFIER_SYSTEM.odsOrganisation && ident.value) return ident.value === scope.ods;
  const rel = relativeTo(base, owner.reference);
  return rel !== undefined && scope.refs.has(rel);
}

export const taskOwnedBy = (task: Task, scope: OrgScope, base: string) => ownedBy(task.owner, scope, base);
