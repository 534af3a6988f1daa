/**
 * Roles a workspace user can hold, from the IdP's roles claim or from configuration. `provider`: staff of a community
 * group, who see only the onward referrals to their organisation (the portal), never a case. `commissioner`: reads
 * the evaluation reports (aggregates only), never a case.
 */
export const ROLES = ['link-worker', 'service-manager', 'provider', 'commissioner'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in member of staff, as the workspace keeps it in the session. Ids only besides the name. */
export interface Actor {
  /** IdP subject. */
  sub: string;
  name: string;
  /** Practitioner at the link-worker endpoint, e.g. `Practitioner/lw-amira` (relative to that endpoint). */
  practitioner: string;
  /** ODS code of the user's organisation. */
  orgOds: string;
  roles: Role[];
}

export const isManager = (a: Actor) => a.roles.includes('service-manager');
/** Link workers and their managers work cases; a user with only the `provider` role works onward referrals only. */
export const worksCases = (a: Actor) => a.roles.includes('link-worker') || isManager(a);
export const isProvider = (a: Actor) => a.roles.includes('provider');
/** Commissioners and service managers read the evaluation reports. */
export const readsReports = (a: Actor) => a.roles.includes('commissioner') || isManager(a);
/** Where a user lands after signing in. */
export const homeOf = (a: Actor) => (worksCases(a) ? '/workspace/caseload' : isProvider(a) ? '/workspace/referrals' : readsReports(a) ? '/workspace/reports' : '/workspace/sign-in');
