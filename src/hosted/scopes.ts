import { parseClinicalScope, type ClinicalScope } from '../fhir-server/access/smart-scopes.js';

/**
 * What a backend client is granted at a hosted record (least privilege): each requested system scope that one of
 * its registered scopes covers (same type or `*`, every permission asked for), as asked. Anything else is left
 * out; the token response says what was granted (RFC 6749 §3.3).
 */
export function grantScopes(requested: string, registered: string): { granted: string[]; refused: string[] } {
  const allowed = registered.split(' ').map(parseClinicalScope).filter((s): s is ClinicalScope => s?.context === 'system');
  const granted: string[] = [];
  const refused: string[] = [];
  for (const scope of requested.split(' ').filter(Boolean)) {
    const asked = parseClinicalScope(scope);
    const covered =
      asked?.context === 'system' &&
      allowed.some((a) => (a.resourceType === '*' || a.resourceType === asked.resourceType) && [...asked.permissions].every((p) => a.permissions.has(p)));
    (covered ? granted : refused).push(scope);
  }
  return { granted: [...new Set(granted)], refused };
}
