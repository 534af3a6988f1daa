/** Roles a workspace user can hold, from the IdP's roles claim or from configuration. */
export const ROLES = ['link-worker', 'service-manager'] as const;
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
