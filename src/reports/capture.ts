import type { Observation, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import { loadImdLookup, NO_IMD_LOOKUP, type ImdLookup } from './imd-lookup.js';
import { referralFact, type ReferralFact } from './referral-fact.js';
import { queueGpDemand, type GpDemandQueued } from './gp-demand-store.js';
import { londonDateOf } from '../time/london.js';
import { onwardFact, type OnwardFact } from './onward-fact.js';
import { saveFacts, saveOnwardFacts } from './report-store.js';

/** One referral as the reconciler last applied it: the latest Task version and what it read with it. */
export interface CapturedReferral {
  endpointId: string;
  endpointName: string;
  tenantId: string;
  task: Task & { id: string };
  /** The GP record's referral: its equality monitoring answers fill what the Patient lacks. */
  serviceRequest: ServiceRequest;
  patient?: Patient;
  /** The Patient's id at the tenant's EHR (ServiceRequest.subject): where GP demand is counted, once its window closes. */
  patientId?: string;
  observations: readonly Observation[];
}

/**
 * The report store's intake: the reconciler hands over each referral whose Task version it applied, and the
 * facts are written in one statement per batch. Reports are never worth a referral: a failure here is logged
 * and counted, never thrown into the loop (the next Task version writes the fact again).
 */
export interface ReportCapture {
  capture(referrals: readonly CapturedReferral[]): Promise<void>;
  /** Onward referrals (sub-Tasks) seen at the link-worker endpoint `endpointId`, every version; never throws. */
  captureOnward?(endpointId: string, tasks: readonly Task[]): Promise<void>;
}

export async function createReportCapture(o: { db: Db; config: Pick<Config, 'tenants' | 'reports'>; logger: Logger; imd?: ImdLookup }): Promise<ReportCapture> {
  const imd = o.imd ?? (o.config.reports.imdLookupFile ? await loadImdLookup(o.config.reports.imdLookupFile) : NO_IMD_LOOKUP);
  const tenants = new Map(o.config.tenants.map((t) => [t.id, t]));
  return {
    async capture(referrals) {
      const facts: ReferralFact[] = [];
      const queue: GpDemandQueued[] = [];
      for (const r of referrals) {
        const t = tenants.get(r.tenantId);
        try {
          facts.push(referralFact(r.task, r.serviceRequest, r.patient, r.observations, {
            endpointId: r.endpointId, serviceKey: r.endpointId, serviceName: r.endpointName, tenantId: r.tenantId,
            practiceName: t?.name ?? r.tenantId, ...(t?.odsCode ? { practiceOds: t.odsCode } : {}), ...(t?.pcn ? { pcn: t.pcn } : {}),
            imdDecileOf: (pc) => imd.decileOf(pc),
          }));
          const fact = facts[facts.length - 1]!;
          const referralDay = londonDateOf(fact.referredAt);
          if (r.patientId && referralDay) queue.push({ referralKey: fact.key, tenantId: r.tenantId, patientId: r.patientId, referralDay });
        } catch (err) {
          o.logger.warn({ err, endpoint: r.endpointId, taskId: r.task.id }, 'referral not captured for reports');
        }
      }
      try {
        await saveFacts(o.db, facts);
        // After the facts it refers to; a referral already queued or counted is left alone.
        await queueGpDemand(o.db, queue);
      } catch (err) {
        o.logger.error({ err, referrals: facts.length }, 'report store write failed; the next Task versions write these referrals again');
      }
    },
    async captureOnward(endpointId, tasks) {
      const facts: OnwardFact[] = [];
      for (const t of tasks) {
        if (!t.id) continue;
        const f = onwardFact(t as Task & { id: string }, endpointId);
        if (f) facts.push(f);
      }
      try {
        await saveOnwardFacts(o.db, facts);
      } catch (err) {
        o.logger.error({ err, onward: facts.length }, 'report store write of onward referrals failed; their next versions write them again');
      }
    },
  };
}
