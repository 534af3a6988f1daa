import { CANONICAL_BASE } from '../../referral-model/codes.js';

/** Base URLs of the two sandbox servers; seeds need both to write absolute cross-server references. */
export interface SandboxBaseUrls {
  readonly ehr: string;
  readonly lw: string;
}

/** Fictional ODS-format codes (Y-prefixed, not allocated to real organisations). */
export const ODS = {
  gpPractice: 'Y99901',
  linkWorkerService: 'Y99950',
} as const;

/** Fixed ids of the organisations the rest of SP Link's sandbox config points at. */
export const DEMO_IDS = {
  gpPractice: 'gp-practice',
  linkWorkerOrg: 'lw-service',
  linkWorkerService: 'svc-link-worker',
  area: 'loc-fernbridge',
} as const;

/** Identifier systems local to the fictional organisations (not SP Link's). */
export const LOCAL_SYSTEM = {
  gmcNumber: 'https://fhir.hl7.org.uk/Id/gmc-number',
  lwStaff: 'https://fernbridge-connect.example.org/Id/staff',
  lwOutcome: 'https://fernbridge-connect.example.org/Id/outcome',
} as const;

/** R4 code systems used by the demo data. */
export const FHIR_SYSTEM = {
  taskCode: 'http://hl7.org/fhir/CodeSystem/task-code',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  referralMethod: 'http://terminology.hl7.org/CodeSystem/service-referral-method',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
} as const;

/** The referral status-reason extension (declared in fhir-profiles/input/fsh/extensions.fsh). */
export const STATUS_REASON_EXTENSION = `${CANONICAL_BASE}/StructureDefinition/status-reason`;

/** `hour`:`minute` UTC, `days` before `now`'s date: stable for a whole day, so a re-seed the same day is identical. */
export function daysAgo(now: Date, days: number, hour = 10, minute = 0): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days, hour, minute)).toISOString();
}
