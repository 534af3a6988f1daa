import type { Observation, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import { loadImdLookup, NO_IMD_LOOKUP, type ImdLookup } from './imd-lookup.js';
import { referralFact, type ReferralFact } from './referral-fact.js';
import { saveFacts } from './report-store.js';

/** One referral as the reconciler last applied it: the latest Task version and what it read with it. */
export interface CapturedReferral {
  endpointId: string;
  endpointName: string;
  tenantId: string;
  task: Task & { id: string };
  /** The GP record's referral: its equality monitoring answers fill what the Patient lacks. */
  serviceRequest: ServiceRequest;
  patient?: Patient;
  observations: readonly Observation[];
}

/**
 * The report store's intake: the reconciler hands over each referral whose Task version it applied, and the
 * facts are written in one statement per batch. Reports are never worth a referral: a failure here is logged
 * and counted, never thrown into the loop (the next Task version writes the fact again).
 */
export interface ReportCapture {
  capture(referrals: readonly CapturedReferral[]): Promise<void>;
}

export async function createReportCapture(o: { db: Db; config: Pick<Config, 'tenants' | 'reports'>; logger: Logger; imd?: ImdLookup }): Promise<ReportCapture> {
  const imd = o.imd ?? (o.config.reports.imdLookupFile ? await loadImdLookup(o.config.reports.imdLookupFile) : NO_IMD_LOOKUP);
  const tenants = new Map(o.config.tenants.map((t) => [t.id, t]));
  return {
    async capture(referrals) {
      const facts: ReferralFact[] = [];
      for (const r of referrals) {
        const t = tenants.get(r.tenantId);
        try {
          facts.push(referralFact(r.task, r.serviceRequest, r.patient, r.observations, {
            endpointId: r.endpointId, serviceName: r.endpointName, tenantId: r.tenantId,
            practiceName: t?.name ?? r.tenantId, ...(t?.odsCode ? { practiceOds: t.odsCode } : {}), ...(t?.pcn ? { pcn: t.pcn } : {}),
            imdDecileOf: (pc) => imd.decileOf(pc),
          }));
        } catch (err) {
          o.logger.warn({ err, endpoint: r.endpointId, taskId: r.task.id }, 'referral not captured for reports');
        }
      }
      try {
        await saveFacts(o.db, facts);
      } catch (err) {
        o.logger.error({ err, referrals: facts.length }, 'report store write failed; the next Task versions write these referrals again');
      }
    },
  };
}
