import type { HealthcareService, Organization, Patient, Reference } from '@medplum/fhirtypes';
import type { ServiceTypeCode } from '../referral-model/codes.js';

/** The link-worker organisation (or service) that owns the Task. */
export type OwnerReference = Reference<Organization | HealthcareService>;

/** The launch patient as read from the EHR, reduced to what a referral carries. */
export interface ReferralPatient {
  /** Logical id at the EHR. */
  id: string;
  nhsNumber?: string;
  /** The EHR's Patient resource: copied (demographics only) into the Task so the link worker can make contact. */
  resource?: Patient;
}

/**
 * Where the referral goes, resolved by the server from the link-worker directory (never taken from the browser):
 * `performer` is absolute (it is written into the GP record), `owner` is as the link-worker server knows it.
 */
export interface ResolvedService {
  kind: 'directory' | 'link-worker-decides';
  performer: OwnerReference;
  owner: OwnerReference;
  serviceType: ServiceTypeCode;
}

/** Everything a referral needs besides the GP's input; supplied by the driver, never by the browser. */
export interface ReferralContext {
  referralId: string;
  /** Identifier system for SP Link referral ids (tenant-configurable; default IDENTIFIER_SYSTEM.referral). */
  identifierSystem: string;
  now: Date;
  /** EHR FHIR base, no trailing slash. */
  ehrBase: string;
  patient: ReferralPatient;
  /** The launching clinician (`fhirUser`, relative to the EHR base, e.g. `Practitioner/gp-1`). */
  requester: { reference: string; display?: string };
  service: ResolvedService;
}
