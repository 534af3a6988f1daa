import { ROLES, type Actor, type Role } from '../domain/actor.js';
import { parseReferenceOf, relativeToBase } from '../../referral-model/references.js';

export interface ClaimNames {
  rolesClaim: string;
  organizationClaim: string;
  practitionerClaim: string;
}

export type ClaimsResult = { ok: true; actor: Actor } | { ok: false; reason: string };

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : []);

/**
 * The workspace user from the ID token / userinfo claims. Claim names come from config, so any OIDC
 * IdP that can carry roles, organisation and a Practitioner reference works (NHS CIS2, Entra ID …).
 * Unknown roles are ignored; a user with no workspace role, no organisation or no Practitioner is refused.
 */
export function actorFromClaims(claims: Record<string, unknown>, names: ClaimNames, linkWorkerBase: string): ClaimsResult {
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!sub) return { ok: false, reason: 'the identity provider sent no subject' };
  const roles = asList(claims[names.rolesClaim]).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  if (roles.length === 0) return { ok: false, reason: 'your account has no link-worker, service-manager or provider role' };
  const orgOds = typeof claims[names.organizationClaim] === 'string' ? (claims[names.organizationClaim] as string).trim() : '';
  if (!orgOds) return { ok: false, reason: 'your account names no organisation' };
  const fhirUser = typeof claims[names.practitionerClaim] === 'string' ? (claims[names.practitionerClaim] as string) : '';
  const ref = parseReferenceOf(relativeToBase(fhirUser, linkWorkerBase), 'Practitioner');
  if (!ref || ref.base !== undefined || ref.version !== undefined) {
    return { ok: false, reason: 'your account is not linked to a link-worker record at this service' };
  }
  const name =
    (typeof claims.name === 'string' && claims.name) ||
    [claims.given_name, claims.family_name].filter((x) => typeof x === 'string').join(' ') ||
    (typeof claims.email === 'string' ? claims.email : sub);
  return { ok: true, actor: { sub, name, practitioner: `Practitioner/${ref.id}`, orgOds, roles } };
}
