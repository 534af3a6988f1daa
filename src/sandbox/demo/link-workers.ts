import type { Location, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { DEMO_IDS, FHIR_SYSTEM, LOCAL_SYSTEM, ODS } from './constants.js';

/** Fernbridge Community Connect: the fictional social prescribing service (link-worker server). */
export const LINK_WORKER_ORG: Organization = {
  resourceType: 'Organization',
  id: DEMO_IDS.linkWorkerOrg,
  identifier: [{ system: IDENTIFIER_SYSTEM.odsOrganisation, value: ODS.linkWorkerService }],
  active: true,
  type: [{ coding: [{ system: FHIR_SYSTEM.organizationType, code: 'cg', display: 'Community Group' }], text: 'Social prescribing service' }],
  name: 'Fernbridge Community Connect',
  telecom: [
    { system: 'phone', value: '01632 960500', use: 'work' },
    { system: 'email', value: 'referrals@fernbridge-connect.example.org', use: 'work' },
  ],
  address: [{ use: 'work', line: ['The Old School, Brook Street'], city: 'Fernbridge', district: 'Westshire', postalCode: 'FB1 4AA', country: 'GB' }],
};

interface WorkerRow {
  readonly n: number;
  readonly given: string;
  readonly family: string;
  readonly gender: 'female' | 'male';
}

const WORKERS: readonly WorkerRow[] = [
  { n: 1, given: 'Sarah', family: 'Whitfield', gender: 'female' },
  { n: 2, given: 'Daniel', family: 'Osei', gender: 'male' },
  { n: 3, given: 'Megan', family: 'Pritchard', gender: 'female' },
  { n: 4, given: 'Tariq', family: 'Aziz', gender: 'male' },
];

export const linkWorkerId = (n: number): string => `lw-${n}`;
export const linkWorkerRoleId = (n: number): string => `lw-${n}-role`;

export function linkWorkerResources(): (Practitioner | PractitionerRole)[] {
  return WORKERS.flatMap((w): (Practitioner | PractitionerRole)[] => [
    {
      resourceType: 'Practitioner',
      id: linkWorkerId(w.n),
      identifier: [{ system: LOCAL_SYSTEM.lwStaff, value: `FCC-${String(w.n).padStart(3, '0')}` }],
      active: true,
      name: [{ use: 'official', given: [w.given], family: w.family }],
      gender: w.gender,
    },
    {
      resourceType: 'PractitionerRole',
      id: linkWorkerRoleId(w.n),
      active: true,
      practitioner: { reference: `Practitioner/${linkWorkerId(w.n)}`, display: `${w.given} ${w.family}` },
      organization: { reference: `Organization/${DEMO_IDS.linkWorkerOrg}`, display: LINK_WORKER_ORG.name },
      code: [{ text: 'Social prescribing link worker' }],
      healthcareService: [{ reference: `HealthcareService/${DEMO_IDS.linkWorkerService}` }],
      telecom: [
        { system: 'phone', value: `07700 90050${w.n}`, use: 'work' },
        { system: 'email', value: `${w.given.toLowerCase()}.${w.family.toLowerCase()}@fernbridge-connect.example.org`, use: 'work' },
      ],
    },
  ]);
}

/**
 * The service manager of Fernbridge Community Connect, and a second social prescribing organisation with one link
 * worker: the sandbox identity provider signs them in (manager views, access-control between organisations), so their
 * `fhirUser` references must resolve. The manager's role is not a link-worker role, so no cases are assigned to it.
 */
export const SERVICE_MANAGER = { id: 'lw-manager', roleId: 'lw-manager-role' } as const;
export const OTHER_ORG = { id: 'lw-other-org', ods: 'Y99960', name: 'Harbourside Wellbeing Hub', workerId: 'lw-other-1', roleId: 'lw-other-1-role' } as const;

export function otherStaffResources(): (Organization | Practitioner | PractitionerRole)[] {
  return [
    {
      resourceType: 'Practitioner',
      id: SERVICE_MANAGER.id,
      identifier: [{ system: LOCAL_SYSTEM.lwStaff, value: 'FCC-100' }],
      active: true,
      name: [{ use: 'official', given: ['Nina'], family: 'Kaur' }],
      gender: 'female',
    },
    {
      resourceType: 'PractitionerRole',
      id: SERVICE_MANAGER.roleId,
      active: true,
      practitioner: { reference: `Practitioner/${SERVICE_MANAGER.id}`, display: 'Nina Kaur' },
      organization: { reference: `Organization/${DEMO_IDS.linkWorkerOrg}`, display: LINK_WORKER_ORG.name },
      code: [{ text: 'Social prescribing service manager' }],
      telecom: [{ system: 'email', value: 'nina.kaur@fernbridge-connect.example.org', use: 'work' }],
    },
    {
      resourceType: 'Organization',
      id: OTHER_ORG.id,
      identifier: [{ system: IDENTIFIER_SYSTEM.odsOrganisation, value: OTHER_ORG.ods }],
      active: true,
      type: [{ coding: [{ system: FHIR_SYSTEM.organizationType, code: 'cg', display: 'Community Group' }], text: 'Social prescribing service' }],
      name: OTHER_ORG.name,
      telecom: [{ system: 'email', value: 'referrals@harbourside-wellbeing.example.org', use: 'work' }],
    },
    {
      resourceType: 'Practitioner',
      id: OTHER_ORG.workerId,
      active: true,
      name: [{ use: 'official', given: ['Owen'], family: 'Price' }],
      gender: 'male',
    },
    {
      resourceType: 'PractitionerRole',
      id: OTHER_ORG.roleId,
      active: true,
      practitioner: { reference: `Practitioner/${OTHER_ORG.workerId}`, display: 'Owen Price' },
      organization: { reference: `Organization/${OTHER_ORG.id}`, display: OTHER_ORG.name },
      code: [{ text: 'Social prescribing link worker' }],
      telecom: [{ system: 'email', value: 'owen.price@harbourside-wellbeing.example.org', use: 'work' }],
    },
  ];
}

/** Community organisations that run the directory's services. */
export const PROVIDERS = {
  'org-fernbridge-advice': 'Fernbridge Advice Centre',
  'org-vale-foodbank': 'Vale Food Bank',
  'org-westshire-carers': 'Westshire Carers Centre',
  'org-calm-waters': 'Calm Waters Wellbeing',
  'org-fernbridge-leisure': 'Fernbridge Leisure Trust',
  'org-open-studio': 'Open Studio Arts',
  'org-good-neighbours': 'Good Neighbours Fernbridge',
  'org-green-roots': 'Green Roots Community Garden',
  'org-vale-housing': 'Vale Housing Advice',
  'org-westshire-library': 'Westshire Libraries',
} as const;
export type ProviderId = keyof typeof PROVIDERS;

/** Fictional ODS-format code of each provider (Y9997n, in PROVIDERS order): what its staff's `org` claim carries. */
export const providerOds = (id: ProviderId): string => `Y9997${Object.keys(PROVIDERS).indexOf(id)}`;

/**
 * A member of staff of a community group who answers onward referrals in SP Link's portal (role `provider`): the
 * walking group's organiser, so the demo's onward referral to Healthy Steps has someone to see it.
 */
export const GROUP_STAFF = { id: 'grp-leisure-1', roleId: 'grp-leisure-1-role', org: 'org-fernbridge-leisure', given: 'Gail', family: 'Hughes' } as const satisfies { org: ProviderId } & Record<string, string>;

export function groupStaffResources(): (Practitioner | PractitionerRole)[] {
  return [
    { resourceType: 'Practitioner', id: GROUP_STAFF.id, active: true, name: [{ use: 'official', given: [GROUP_STAFF.given], family: GROUP_STAFF.family }], gender: 'female' },
    {
      resourceType: 'PractitionerRole',
      id: GROUP_STAFF.roleId,
      active: true,
      practitioner: { reference: `Practitioner/${GROUP_STAFF.id}`, display: `${GROUP_STAFF.given} ${GROUP_STAFF.family}` },
      organization: { reference: `Organization/${GROUP_STAFF.org}`, display: PROVIDERS[GROUP_STAFF.org] },
      code: [{ text: 'Community group organiser' }],
    },
  ];
}

export function providerResources(): Organization[] {
  return Object.entries(PROVIDERS).map(([id, name], i) => ({
    resourceType: 'Organization',
    id,
    identifier: [{ system: IDENTIFIER_SYSTEM.odsOrganisation, value: providerOds(id as ProviderId) }],
    active: true,
    type: [{ coding: [{ system: FHIR_SYSTEM.organizationType, code: 'cg', display: 'Community Group' }] }],
    name,
    telecom: [{ system: 'phone', value: `01632 9606${String(i + 10)}`, use: 'work' }],
    address: [{ use: 'work', city: 'Fernbridge', district: 'Westshire', country: 'GB' }],
  }));
}

/** The area the directory covers, and the venues services run from. */
export const VENUES = {
  'loc-community-centre': { name: 'Brook Street Community Centre', line: 'Brook Street', postcode: 'FB1 4AB' },
  'loc-library': { name: 'Fernbridge Library', line: 'Market Square', postcode: 'FB1 1CC' },
  'loc-allotments': { name: 'Canal Side Allotments', line: 'Towpath Lane', postcode: 'FB2 6DD' },
  'loc-leisure-centre': { name: 'Fernbridge Leisure Centre', line: 'Park Road', postcode: 'FB3 2EE' },
  'loc-advice-centre': { name: 'Fernbridge Advice Centre', line: '12 Market Street', postcode: 'FB1 1FF' },
} as const;
export type VenueId = keyof typeof VENUES;

export function locationResources(): Location[] {
  const area: Location = {
    resourceType: 'Location',
    id: DEMO_IDS.area,
    status: 'active',
    mode: 'kind',
    name: 'Fernbridge and the Vale',
    description: 'Postcode districts FB1, FB2 and FB3',
    physicalType: { coding: [{ system: FHIR_SYSTEM.locationPhysicalType, code: 'area', display: 'Area' }] },
  };
  const venues = Object.entries(VENUES).map(
    ([id, v]): Location => ({
      resourceType: 'Location',
      id,
      status: 'active',
      mode: 'instance',
      name: v.name,
      address: { use: 'work', line: [v.line], city: 'Fernbridge', district: 'Westshire', postalCode: v.postcode, country: 'GB' },
      physicalType: { coding: [{ system: FHIR_SYSTEM.locationPhysicalType, code: 'bu', display: 'Building' }] },
      partOf: { reference: `Location/${DEMO_IDS.area}` },
    }),
  );
  return [area, ...venues];
}
