import type { Communication, Observation, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import { IDENTIFIER_SYSTEM, SNOMED } from '../referral-model/codes.js';
import type { FhirClient } from '../fhir/client.js';
import { orderForGp, summariseReferral, type ReferralSummary } from './referral-view.js';
import type { ResponseTargets } from '../referral-model/response-targets.js';
import type { TaskHistoryCache } from './task-history-cache.js';

const resources = <T extends Resource>(b: { entry?: { resource?: Resource }[] }, type: T['resourceType']): T[] =>
  (b.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);

/**
 * Every version of a Task (newest first from the server), or undefined when the endpoint will not say. From `cache`
 * when it holds the history of the version the Task has now (a history never changes below its newest version).
 */
async function taskHistory(lw: FhirClient, task: Task, logger: Logger, cache: TaskHistoryCache | undefined): Promise<readonly Task[] | undefined> {
  if (!task.id) return undefined;
  const known = cache?.get(lw.baseUrl, task);
  if (known) return known;
  try {
    const b = await lw.request<{ entry?: { resource?: Resource }[] }>('GET', `Task/${encodeURIComponent(task.id)}/_history?_count=100`);
    const history = resources<Task>(b, 'Task');
    cache?.set(lw.baseUrl, task, history);
    return history;
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'link-worker task history unavailable; showing the latest status only');
    return undefined;
  }
}

/**
 * The patient's social prescribing referrals as the GP sees them, what needs the GP's attention first. From the EHR with the GP's token:
 * the ServiceRequests, then (in parallel) outcome Observations and Communications `based-on` them. From the
 * link-worker endpoint with SP Link's credentials: the Tasks, for the live status between reconciler runs.
 * Then each Task's `_history` (in parallel), so the timeline keeps every status with its time: read again only for
 * Tasks that changed since `history` last saw them. If the link-worker endpoint is down the view still shows the
 * record. No search asks for a total (`_total=none`): counting the matches is work the server can skip.
 */
export async function listReferrals(
  ehr: FhirClient,
  lw: FhirClient | undefined,
  patientId: string,
  logger: Logger,
  options: { now?: Date; targets?: ResponseTargets; history?: TaskHistoryCache } = {},
): Promise<ReferralSummary[]> {
  const srBundle = await ehr.search<ServiceRequest>('ServiceRequest', {
    subject: `Patient/${patientId}`,
    category: `http://snomed.info/sct|${SNOMED.referralToSocialPrescribing.code}`,
    _sort: '-authored',
    _count: 50,
    _total: 'none',
  });
  const srs = resources<ServiceRequest>(srBundle, 'ServiceRequest');
  if (srs.length === 0) return [];
  const basedOn = srs.map((s) => `ServiceRequest/${s.id}`).join(',');
  const referralIds = srs.flatMap((s) => s.identifier?.filter((i) => i.system === IDENTIFIER_SYSTEM.referral).map((i) => i.value) ?? []);
  const [obs, comms, tasks] = await Promise.all([
    ehr.search<Observation>('Observation', { subject: `Patient/${patientId}`, 'based-on': basedOn, _count: 200, _total: 'none' }),
    ehr.search<Communication>('Communication', { subject: `Patient/${patientId}`, 'based-on': basedOn, _count: 200, _total: 'none' }),
    lw && referralIds.length
      ? lw
          .search<Task>('Task', { identifier: referralIds.map((v) => `${IDENTIFIER_SYSTEM.referralTask}|${v}`).join(','), _count: 100, _total: 'none' })
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
  const histories = new Map<string, readonly Task[] | undefined>();
  if (lw) await Promise.all([...taskByReferral].map(async ([rid, t]) => histories.set(rid, await taskHistory(lw, t, logger, options.history))));
  const now = options.now ?? new Date();
  return orderForGp(
    srs.map((sr) => {
      const rid = sr.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referral)?.value;
      const history = rid ? histories.get(rid) : undefined;
      return summariseReferral(sr, { task: rid ? taskByReferral.get(rid) : undefined, observations, communications }, IDENTIFIER_SYSTEM.referral, {
        now,
        ...(options.targets ? { targets: options.targets } : {}),
        ...(history ? { taskHistory: history } : {}),
      });
    }),
  );
}
