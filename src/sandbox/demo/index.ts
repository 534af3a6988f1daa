import type { Resource } from '@medplum/fhirtypes';
import type { SandboxBaseUrls } from './constants.js';
import { daysAgo } from './constants.js';
import { LINK_WORKER_ORG, groupStaffResources, linkWorkerResources, locationResources, otherStaffResources, providerResources } from './link-workers.js';
import { encounterResources } from './encounters.js';
import { patientResources } from './patients.js';
import { GP_PRACTICE, gpResources } from './practice.js';
import { referralServiceRequests, referralTasks } from './referrals.js';
import { serviceResources } from './services.js';

export type { SandboxBaseUrls } from './constants.js';
export { DEMO_IDS, ODS } from './constants.js';
export { DEMO_PATIENT_COUNT, patientId, patientNhsNumber } from './patients.js';
export { DEMO_SERVICE_IDS } from './services.js';
export { referralId, taskId } from './referrals.js';
export { testNhsNumbers, formatNhsNumber } from './nhs-number.js';

/**
 * The GP practice's EHR: the practice, its GPs, patients (with their needs as problem-list
 * Conditions), their contacts with the practice (Encounters) and the referral ServiceRequests. Ids are fixed; dates count back from `now`'s
 * date, so seeding twice on one day gives identical data.
 */
export function ehrSeed(urls: SandboxBaseUrls, now: Date = new Date()): Resource[] {
  return [GP_PRACTICE, ...gpResources(), ...patientResources(), ...encounterResources(now), ...referralServiceRequests(urls, now)].map(clone);
}

/**
 * The link-worker service: its organisation and link workers, the community providers, venues
 * and the HealthcareService directory, and the referral Tasks with their outcome Observations.
 */
export function lwSeed(urls: SandboxBaseUrls, now: Date = new Date()): Resource[] {
  return [
    LINK_WORKER_ORG,
    ...linkWorkerResources(),
    ...otherStaffResources(),
    ...providerResources(),
    ...groupStaffResources(),
    ...locationResources(),
    ...serviceResources(daysAgo(now, 1, 8)),
    ...referralTasks(urls, now),
  ].map(clone);
}

/** Seeds are handed to servers that may keep them; never share the module-level constants. */
const clone = <T extends Resource>(r: T): T => structuredClone(r);
