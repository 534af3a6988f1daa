import type { Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { DEMO_IDS, FHIR_SYSTEM, LOCAL_SYSTEM, ODS } from './constants.js';

/** Riverside Medical Practice, Fernbridge: a fictional GP practice and its three GPs (EHR server). */
export const GP_PRACTICE: Organization = {
  resourceType: 'Organization',
  id: DEMO_IDS.gpPractice,
  identifier: [{ system: IDENTIFIER_SYSTEM.odsOrganisation, value: ODS.gpPractice }],
  active: true,
  type: [{ coding: [{ system: FHIR_SYSTEM.organizationType, code: 'prov', display: 'Healthcare Provider' }], text: 'GP practice' }],
  name: 'Riverside Medical Practice',
  telecom: [
    { system: 'phone', value: '01632 960100', use: 'work' },
    { system: 'email', value: 'reception@riverside-practice.example.org', use: 'work' },
  ],
  address: [{ use: 'work', line: ['1 Mill Lane'], city: 'Fernbridge', district: 'Westshire', postalCode: 'FB1 1AA', country: 'GB' }],
};

interface GpRow {
  readonly n: number;
  readonly given: string;
  readonly family: string;
  readonly gender: 'female' | 'male';
  readonly gmc: string;
}

const GPS: readonly GpRow[] = [
  { n: 1, given: 'Amara', family: 'Okafor', gender: 'female', gmc: '7100001' },
  { n: 2, given: 'Thomas', family: 'Hughes', gender: 'male', gmc: '7100002' },
  { n: 3, given: 'Priya', family: 'Raman', gender: 'female', gmc: '7100003' },
];

export const gpId = (n: number): string => `gp-${n}`;
export const gpRoleId = (n: number): string => `gp-${n}-role`;

export function gpResources(): (Practitioner | PractitionerRole)[] {
  return GPS.flatMap((gp): (Practitioner | PractitionerRole)[] => [
    {
      resourceType: 'Practitioner',
      id: gpId(gp.n),
      identifier: [{ system: LOCAL_SYSTEM.gmcNumber, value: gp.gmc }],
      active: true,
      name: [{ use: 'official', prefix: ['Dr'], given: [gp.given], family: gp.family }],
      gender: gp.gender,
      telecom: [{ system: 'email', value: `${gp.given.toLowerCase()}.${gp.family.toLowerCase()}@riverside-practice.example.org`, use: 'work' }],
    },
    {
      resourceType: 'PractitionerRole',
      id: gpRoleId(gp.n),
      active: true,
      practitioner: { reference: `Practitioner/${gpId(gp.n)}`, display: `Dr ${gp.given} ${gp.family}` },
      organization: { reference: `Organization/${DEMO_IDS.gpPractice}`, display: GP_PRACTICE.name },
      code: [{ coding: [{ system: FHIR_SYSTEM.practitionerRole, code: 'doctor', display: 'Doctor' }], text: 'General practitioner' }],
      telecom: [{ system: 'phone', value: `01632 96010${gp.n}`, use: 'work' }],
    },
  ]);
}
