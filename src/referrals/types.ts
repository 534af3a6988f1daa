import type { Patient } from '@medplum/fhirtypes';
import type { ServiceTypeCode } from '../referral-model/codes.js';
import type { OwnerReference, ReferralRoute } from '../referral-model/referral-routes.js';

/** The link-worker organisation (or service) that owns the Task (one definition, with the routes). */
export type { OwnerReference };

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
  /** Whoever will contact the person: the provider's service (direct) or the link-worker organisation. */
  performer: OwnerReference;
  /** The directory service the GP chose, when it goes via the link-worker service: the GP's suggestion. */
  suggested?: OwnerReference;
  owner: OwnerReference;
  serviceType: ServiceTypeCode;
}

/** A resolved service with its route: who receives the Task, where, and who will contact the person. */
export interface RoutedService extends ResolvedService {
  route: ReferralRoute;
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
