import type { Encounter, Patient } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { FhirClient } from '../fhir/client.js';
import { FhirError, FhirHttpError } from '../fhir/errors.js';
import { countGpDemand, gpDemandWindows, type GpDemandCount } from '../reports/gp-demand.js';
import { dueGpDemand, gpDemandFailed, saveGpDemand, type GpDemandDue, type GpDemandResult } from '../reports/gp-demand-store.js';
import type { Db } from '../store/db.js';
import { londonDate } from '../time/london.js';
import { describeFailure } from './feed/change-feed.js';

export interface GpDemandSweepResult {
  counted: number;
  missing: number;
  /** Not counted this time: tried again later. */
  retried: number;
  /** Attempts used up: left in the queue with the cause. */
  failed: number;
}

export interface GpDemandSweepDeps {
  db: Db;
  /** The EHR client of each tenant (SP Link's backend identity; needs `system/Patient.rs system/Encounter.rs`). */
  ehr: ReadonlyMap<string, FhirClient>;
  logger: Logger;
  now: Date;
  /** Most referrals per sweep (the rest wait for the next). */
  batch?: number;
  maxAttempts?: number;
}

const BASE_DELAY_MS = 15 * 60_000;
const MAX_DELAY_MS = 24 * 3_600_000;

/** The cause a person reading the queue can act on, for the failures that need someone. */
function causeOf(err: unknown): string {
  if (err instanceof FhirHttpError && (err.status === 401 || err.status === 403)) {
    return `${err.message} — grant SP Link's backend client at the EHR system/Patient.rs and system/Encounter.rs (tenants[].ehr.auth.scope) and check with \`sp-link doctor\``;
  }
  return describeFailure(err);
}

/** The person's record and their Encounters in both windows (one search, every page). */
async function readRecord(ehr: FhirClient, q: GpDemandDue): Promise<{ patient: Patient | undefined; encounters: Encounter[] }> {
  let patient: Patient | undefined;
  try {
    patient = await ehr.read<Patient>('Patient', q.patientId);
  } catch (err) {
    // The record is gone from the practice's system: the person is missing, not an error to retry.
    if (err instanceof FhirHttpError && (err.status === 404 || err.status === 410)) return { patient: undefined, encounters: [] };
    throw err;
  }
  const w = gpDemandWindows(q.referralDay);
  const encounters: Encounter[] = [];
  // A day either side of the windows: dates are compared as calendar days in England after reading.
  for await (const page of ehr.searchAll<Encounter>('Encounter', { patient: `Patient/${q.patientId}`, date: [`ge${w.before.from}`, `le${w.after.to}`], _count: '100' })) {
    for (const e of page.entry ?? []) if (e.resource?.resourceType === 'Encounter') encounters.push(e.resource);
  }
  return { patient, encounters };
}

/**
 * One sweep: every queued referral whose 6 months after have passed is counted from the GP record (the person's
 * Patient and Encounters) and its counts written, the queue row dropped with it. A failure is retried with backoff on
 * later sweeps and, after `maxAttempts`, left in the queue with an actionable cause (logged; `gpDemandQueueStatus`).
 * Counting is idempotent, so instances sweeping at once or a sweep repeated after a crash write the same figures.
 */
export async function sweepGpDemand(d: GpDemandSweepDeps): Promise<GpDemandSweepResult> {
  const out: GpDemandSweepResult = { counted: 0, missing: 0, retried: 0, failed: 0 };
  const maxAttempts = d.maxAttempts ?? 8;
  const due = await dueGpDemand(d.db, londonDate(d.now), d.now, d.batch ?? 500);
  const results: GpDemandResult[] = [];
  for (const q of due) {
    const ehr = d.ehr.get(q.tenantId);
    let count: GpDemandCount;
    try {
      if (!ehr) throw new Error(`no EHR is configured for tenant "${q.tenantId}" any more; add it back to tenants[] or delete the referral's row from gp_demand_queue`);
      const { patient, encounters } = await readRecord(ehr, q);
      count = countGpDemand(q.referralDay, patient, encounters);
    } catch (err) {
      const attempts = q.attempts + 1;
      const giveUp = attempts >= maxAttempts || (err instanceof FhirError && !err.transient && !(err instanceof FhirHttpError && err.status >= 500));
      const cause = causeOf(err);
      const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1));
      await gpDemandFailed(d.db, q.referralKey, cause, giveUp ? { giveUp: true } : { retryAt: new Date(d.now.getTime() + delay) });
      if (giveUp) {
        out.failed++;
        d.logger.error({ tenant: q.tenantId, attempts, cause }, 'GP demand not counted: left in the queue until the cause is fixed');
      } else {
        out.retried++;
        d.logger.warn({ tenant: q.tenantId, attempts, cause }, 'GP demand not counted; tried again later');
      }
      continue;
    }
    results.push({ referralKey: q.referralKey, count });
    if (count.kind === 'counted') out.counted++;
    else out.missing++;
  }
  await saveGpDemand(d.db, results);
  if (due.length) d.logger.info({ ...out }, 'GP demand sweep');
  return out;
}
