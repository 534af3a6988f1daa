/**
 * SMART App Launch 2.x clinical scopes, parsed and matched as pure values.
 * Grammar (SMART 2.0 §Scopes for requesting clinical data): `(patient|user|system)/(Type|*).(cruds)`,
 * permissions in the order c, r, u, d, s; v1 suffixes `.read` (= rs), `.write` (= cud) and `.*` (= cruds)
 * are accepted for compatibility. Granular query suffixes (`?category=…`) are not supported by the sandbox.
 */
import { RESOURCE_TYPE_CHARS } from '../../referral-model/references.js';

export type ScopeContext = 'patient' | 'user' | 'system';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface ClinicalScope {
  readonly context: ScopeContext;
  /** A FHIR resource type or `*`. */
  readonly resourceType: string;
  readonly permissions: ReadonlySet<Permission>;
}

const SCOPE = new RegExp(`^(patient|user|system)/(\\*|${RESOURCE_TYPE_CHARS})\\.(read|write|\\*|c?r?u?d?s?)$`);

/** Parses one clinical scope; undefined when it is not one (e.g. `openid`, `launch`) or is malformed. */
export function parseClinicalScope(scope: string): ClinicalScope | undefined {
  const m = SCOPE.exec(scope);
  if (!m) return undefined;
  const [, context, resourceType, suffix] = m as unknown as [string, ScopeContext, string, string];
  if (suffix === '') return undefined;
  const permissions = new Set<Permission>(
    suffix === 'read' ? ['r', 's'] : suffix === 'write' ? ['c', 'u', 'd'] : suffix === '*' ? ['c', 'r', 'u', 'd', 's'] : (suffix.split('') as Permission[]),
  );
  return { context, resourceType, permissions };
}

export function parseClinicalScopes(scope: string | undefined): ClinicalScope[] {
  return (scope ?? '')
    .split(' ')
    .map(parseClinicalScope)
    .filter((s): s is ClinicalScope => s !== undefined);
}

/** The scopes among `scopes` that grant `permission` on `resourceType`. */
export function grantingScopes(scopes: readonly ClinicalScope[], resourceType: string, permission: Permission): ClinicalScope[] {
  return scopes.filter((s) => (s.resourceType === '*' || s.resourceType === resourceType) && s.permissions.has(permission));
}
