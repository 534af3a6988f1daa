import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { GROUP_STAFF, LINK_WORKER_ORG, PROVIDERS, linkWorkerResources, providerOds } from '../demo/link-workers.js';
import { ODS } from '../demo/index.js';

/**
 * The sandbox identity provider's staff: the link-worker organisation's four link workers (from the demo
 * data, so names and Practitioner ids match the link-worker server), its service manager, and one link
 * worker of a different organisation (for access-control tests: same role, other `org`), the organiser of a community
 * group who answers onward referrals in the portal (role `provider`), and a commissioner at the integrated care board
 * who reads the evaluation reports (role `commissioner`).
 */

/** The workspace's roles, and the agencies' own staff roles (which the workspace ignores; the agency form counts them). */
export type StaffRole = 'link-worker' | 'service-manager' | 'provider' | 'commissioner' | 'pharmacist' | 'pharmacy-technician' | 'housing-officer';

export interface StaffUser {
  /** Stable subject (`sub`) = Practitioner id at the link-worker server. */
  readonly id: string;
  /** What is typed in the username field. */
  readonly username: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly roles: readonly StaffRole[];
  /** ODS code of the user's organisation. */
  readonly org: string;
  readonly orgName: string;
  readonly jobTitle: string;
  /** Staff of an agency that refers (the agency form's sign-in): no Practitioner at the link-worker server. */
  readonly agency?: true;
}

/** ODS-format code of the other (fictional) social prescribing organisation. */
export const OTHER_ORG_ODS = 'Y99960';
export const SERVICE_MANAGER_ID = 'lw-manager';
export const OTHER_ORG_WORKER_ID = 'lw-other-1';
export const COMMISSIONER_ID = 'icb-commissioner-1';
/** ODS-format code of the (fictional) integrated care board that commissions the service. */
export const ICB_ODS = 'Y99990';
/** The demo agencies whose staff sign in to the agency form (config/default.yaml `intake.knownAgencies`). */
export const DEMO_AGENCIES = {
  pharmacy: { name: 'Fernbridge Pharmacy', odsCode: 'FA123' },
  housing: { name: 'Westshire Council Housing Options', odsCode: 'Y99981' },
} as const;
export const PHARMACIST_ID = 'agency-pharmacist-1';

const LW_ORG_NAME = LINK_WORKER_ORG.name!;

function demoLinkWorkers(): StaffUser[] {
  const resources = linkWorkerResources();
  const roles = resources.filter((r): r is PractitionerRole => r.resourceType === 'PractitionerRole');
  return resources
    .filter((r): r is Practitioner => r.resourceType === 'Practitioner')
    .map((p) => {
      const name = p.name?.[0];
      const role = roles.find((r) => r.practitioner?.reference === `Practitioner/${p.id}`);
      const email = role?.telecom?.find((t) => t.system === 'email')?.value ?? `${p.id}@fernbridge-connect.example.org`;
      return {
        id: p.id as string,
        username: email.split('@')[0] as string,
        givenName: name?.given?.[0] ?? '',
        familyName: name?.family ?? '',
        email,
        roles: ['link-worker'],
        org: ODS.linkWorkerService,
        orgName: LW_ORG_NAME,
        jobTitle: 'Link worker',
      };
    });
}

export function sandboxStaff(): StaffUser[] {
  return [
    ...demoLinkWorkers(),
    {
      id: SERVICE_MANAGER_ID,
      username: 'nina.kaur',
      givenName: 'Nina',
      familyName: 'Kaur',
      email: 'nina.kaur@fernbridge-connect.example.org',
      roles: ['service-manager'],
      org: ODS.linkWorkerService,
      orgName: LW_ORG_NAME,
      jobTitle: 'Service manager',
    },
    {
      id: OTHER_ORG_WORKER_ID,
      username: 'owen.price',
      givenName: 'Owen',
      familyName: 'Price',
      email: 'owen.price@harbourside-wellbeing.example.org',
      roles: ['link-worker'],
      org: OTHER_ORG_ODS,
      orgName: 'Harbourside Wellbeing Hub',
      jobTitle: 'Link worker (other organisation)',
    },
    {
      id: GROUP_STAFF.id,
      username: 'gail.hughes',
      givenName: GROUP_STAFF.given,
      familyName: GROUP_STAFF.family,
      email: 'gail.hughes@fernbridge-leisure.example.org',
      roles: ['provider'],
      org: providerOds(GROUP_STAFF.org),
      orgName: PROVIDERS[GROUP_STAFF.org],
      jobTitle: 'Community group organiser',
    },
    {
      id: PHARMACIST_ID,
      username: 'priya.shah',
      givenName: 'Priya',
      familyName: 'Shah',
      email: 'priya.shah@fernbridge-pharmacy.example.org',
      roles: ['pharmacist'],
      org: DEMO_AGENCIES.pharmacy.odsCode,
      orgName: DEMO_AGENCIES.pharmacy.name,
      jobTitle: 'Community pharmacist',
      agency: true,
    },
    {
      id: 'agency-pharmacy-tech-1',
      username: 'tom.reid',
      givenName: 'Tom',
      familyName: 'Reid',
      email: 'tom.reid@fernbridge-pharmacy.example.org',
      roles: ['pharmacy-technician'],
      org: DEMO_AGENCIES.pharmacy.odsCode,
      orgName: DEMO_AGENCIES.pharmacy.name,
      jobTitle: 'Pharmacy technician (may not refer)',
      agency: true,
    },
    {
      id: 'agency-housing-1',
      username: 'marcus.bell',
      givenName: 'Marcus',
      familyName: 'Bell',
      email: 'marcus.bell@westshire-housing.example.org',
      roles: ['housing-officer'],
      org: DEMO_AGENCIES.housing.odsCode,
      orgName: DEMO_AGENCIES.housing.name,
      jobTitle: 'Housing officer',
      agency: true,
    },
    {
      id: COMMISSIONER_ID,
      username: 'carol.evans',
      givenName: 'Carol',
      familyName: 'Evans',
      email: 'carol.evans@westshire-icb.example.org',
      roles: ['commissioner'],
      org: ICB_ODS,
      orgName: 'Westshire Integrated Care Board',
      jobTitle: 'Commissioning manager, personalised care',
    },
  ];
}
