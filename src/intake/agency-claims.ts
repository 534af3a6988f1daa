import type { KnownAgencyConfig } from '../config/schema.js';

/**
 * Who signed in to the agency form, read from the ID token of the agency's staff IdP. Pure. The organisation is
 * the configured agency's (the IdP must name its ODS code); the person's name, role and work contact come from the
 * claims. Names only what a referral names about its referrer: never anything about a patient.
 */
export interface AgencyUser {
  /** The agency's id in `intake.knownAgencies`. */
  agencyId: string;
  /** The IdP's subject: the user id the audit trail names. */
  sub: string;
  name: string;
  /** Job title, when the IdP sends one (pre-fills "Your role"). */
  jobTitle?: string;
  email?: string;
  phone?: string;
}

export type AgencyClaimsResult = { ok: true; user: AgencyUser } | { ok: false; reason: string };

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : []);

/**
 * The signed-in referrer, or why not: no subject; an organisation other than the agency chosen (a user of another
 * organisation at the same IdP cannot refer in this agency's name); none of the agency's referring roles; no name.
 */
export function agencyUserFromClaims(claims: Record<string, unknown>, agency: KnownAgencyConfig): AgencyClaimsResult {
  const sub = str(claims.sub);
  if (!sub) return { ok: false, reason: 'the identity provider sent no subject' };
  const org = str(claims[agency.oidc.organizationClaim]).toUpperCase();
  if (org !== agency.odsCode) return { ok: false, reason: `your account is not at ${agency.name}` };
  const roles = asList(claims[agency.oidc.rolesClaim]);
  if (!roles.some((r) => agency.oidc.roles.includes(r))) return { ok: false, reason: `your account has no role that may refer for ${agency.name}` };
  const name = str(claims.name) || [str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ');
  if (!name) return { ok: false, reason: 'the identity provider sent no name' };
  const jobTitle = str(claims[agency.oidc.jobTitleClaim]);
  const email = str(claims.email);
  const phone = str(claims.phone_number);
  return { ok: true, user: { agencyId: agency.id, sub, name, ...(jobTitle ? { jobTitle } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) } };
}
