import type { Communication, Observation, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import { IDENTIFIER_SYSTEM, SNOMED } from '../fhir/codes.js';
import type { FhirClient } from '../fhir/client.js';
import { summariseReferral, type ReferralSummary } from './referral-view.js';

const resources = <T extends Resource>(b: { entry?: { resource?: Resource }[] }, type: T['resourceType']): T[] =>
  (b.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);

/**
 * The patient's social prescribing referrals as the GP sees them. From the EHR with the GP's token:
 * the ServiceRequests, then (in parallel) outcome Observations and Communications `based-on` them. From the
 * link-worker endpoint with SP Link's credentials: the Tasks, for the live status between reconciler runs.
 * At most four FHIR requests per view; if the link-worker endpoint is down the view still shows the record.
 */
export async function listReferrals(ehr: FhirClient, lw: FhirClient | undefined, patientId: string, logger: Logger): Promise<ReferralSummary[]> {
  const srBundle = await ehr.search<ServiceRequest>('ServiceRequest', {
    subject: `Patient/${patientId}`,
    category: `http://snomed.info/sct|${SNOMED.referralToSocialPrescribing.code}`,
    _sort: '-authored',
    _count: 50,
  });
  const srs = resources<ServiceRequest>(srBundle, 'ServiceRequest');
  if (srs.length === 0) return [];
  const basedOn = srs.map((s) => `ServiceRequest/${s.id}`).join(',');
  const referralIds = srs.flatMap((s) => s.identifier?.filter((i) => i.system === IDENTIFIER_SYSTEM.referral).map((i) => i.value) ?? []);
  const [obs, comms, tasks] = await Promise.all([
    ehr.search<Observation>('Observation', { subject: `Patient/${patientId}`, 'based-on': basedOn, _count: 200 }),
    ehr.search<Communication>('Communication', { subject: `Patient/${patientId}`, 'based-on': basedOn, _count: 200 }),
    lw && referralIds.length
      ? lw
          .search<Task>('Task', { identifier: referralIds.map((v) => `${IDENTIFIER_SYSTEM.referralTask}|${v}`).join(','), _count: 100 })
          .catch((err: unknown) => {
            logger.warn({ err: (err as Error).message }, 'link-worker tasks unavailable; showing record status only');
            return { entry: [] };
          })
      : Promise.resolve({ entry: [] }),
  ]);
  const observations = resources<Observation>(obs, 'Observation');
  const communications = resources<Communication>(comms, 'Communication');
  const taskByReferral = new Map<string, Task>();
  for (const t of resources<Task>(tasks, 'Task')) {
    const id = t.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referralTask)?.value;
    if (id) taskByReferral.set(id, t);
  }
  return srs.map((sr) => {
    const rid = sr.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referral)?.value;
    return summariseReferral(sr, { task: rid ? taskByReferral.get(rid) : undefined, observations, communications }, IDENTIFIER_SYSTEM.referral);
  });
}
