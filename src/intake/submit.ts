import { createHash } from 'node:crypto';
import type { Patient, Resource, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { LinkWorkerEndpointConfig } from '../config/schema.js';
import type { FhirClient } from '../fhir/client.js';
import { matchInEhr } from '../identity/patient-search.js';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import type { OwnerReference } from '../referral-model/referral-routes.js';
import { taskSearchKey } from '../referrals/build-bundles.js';
import { gpRecordRow } from '../referrals/gp-record.js';
import { outboxRowId, type ReferralOutbox } from '../referrals/outbox-port.js';
import { referralIdForSubmission } from '../referrals/referral-id.js';
import { recordAudit } from '../store/audit.js';
import { countByContactSince, insertCommunityReferral, type CommunityReferralRow } from '../store/community-referrals.js';
import type { Db } from '../store/db.js';
import { buildCommunityTask } from './build-task.js';
import { combinePractices, type CombinedMatch, type PracticeAnswer } from './practice-match.js';
import { isAgencyReferral, type AgencyReferral } from './agency-referral.js';
import type { SelfReferral } from './self-referral-input.js';

/**
 * Sends a self or agency referral (the driver): the per-contact limit, identity matching in every practice's EHR, then the
 * referral row, and the link-worker Task through the outbox, in one database transaction. Everything is built and
 * validated before anything is written; a refused submission writes nothing.
 */

export interface IntakeDeps {
  db: Db;
  endpoint: LinkWorkerEndpointConfig;
  /** The link-worker endpoint, with SP Link's backend identity. */
  lw: () => Promise<FhirClient>;
  /** Each practice whose referrals go to this endpoint: its EHR, with SP Link's backend identity. */
  practices: readonly { tenantId: string; name: string; odsCode?: string; ehr: () => Promise<FhirClient> }[];
  /** The link-worker organisation that owns these Tasks. */
  owner: () => Promise<OwnerReference>;
  outbox?: ReferralOutbox;
  validate: (r: Resource) => void;
  logger: Logger;
  perContactPerDay: number;
  now?: () => Date;
}

export type SubmitResult =
  | { kind: 'sent'; referralId: string; alreadySent: boolean }
  | { kind: 'limited' };

export const contactHash = (key: string) => createHash('sha256').update(`sp-link-contact:${key}`).digest('hex');

async function matchEverywhere(deps: IntakeDeps, person: SelfReferral['person']): Promise<CombinedMatch> {
  const answers = await Promise.all(deps.practices.map(async (p): Promise<PracticeAnswer> => {
    try {
      return { tenantId: p.tenantId, decision: await matchInEhr(await p.ehr(), person) };
    } catch (err) {
      deps.logger.warn({ tenantId: p.tenantId, err: (err as Error).message }, 'identity matching: the practice could not be searched');
      return { tenantId: p.tenantId, error: (err as Error).message.slice(0, 300) };
    }
  }));
  return combinePractices(answers);
}

/** The NHS number the matched record holds (the Task is then for the patient by NHS number). */
async function recordNhsNumber(deps: IntakeDeps, m: CombinedMatch): Promise<string | undefined> {
  const practice = deps.practices.find((p) => p.tenantId === m.tenantId);
  if (!practice || !m.patientId) return undefined;
  const patient = await (await practice.ehr()).read<Patient>('Patient', m.patientId);
  return patient.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber && i.value)?.value?.replace(/\s/g, '');
}

/** Who sent it: the public form, or a registered agency system with its own identifier of the referral (the retry key). */
export interface SubmitOptions {
  submissionId: string;
  contactKeys: string[];
  /** An agency system of the client registry: a retry with the same key finds the first referral. */
  client?: { clientId: string; clientKey: string };
  /** A signed-in user of a known agency (the agency form): who the audit trail names, with their agency. */
  sender?: { actor: string; details: Record<string, string> };
}

export async function submitSelfReferral(deps: IntakeDeps, r: SelfReferral | AgencyReferral, o: SubmitOptions): Promise<SubmitResult> {
  const now = deps.now?.() ?? new Date();
  const source = isAgencyReferral(r) ? 'agency' : 'self';
  const referralId = o.client
    ? referralIdForSubmission(`intake:${deps.endpoint.id}`, `client:${o.client.clientId}`, o.client.clientKey)
    : referralIdForSubmission(`intake:${deps.endpoint.id}`, source, o.submissionId);
  const existing = await deps.db.query('SELECT 1 FROM community_referrals WHERE referral_id = $1', [referralId]);
  if (existing.rows.length) return { kind: 'sent', referralId, alreadySent: true };
  const hashes = o.contactKeys.map(contactHash);
  // A registered agency system is limited per client (its rate limit), not per contact: one hostel phone may serve many.
  if (!o.client && (await countByContactSince(deps.db, hashes, new Date(now.getTime() - 24 * 3600_000))) >= deps.perContactPerDay) return { kind: 'limited' };

  const match = await matchEverywhere(deps, r.person);
  const nhsNumber = match.outcome === 'matched' ? await recordNhsNumber(deps, match) : undefined;
  const task = buildCommunityTask(r, {
    referralId,
    identifierSystem: IDENTIFIER_SYSTEM.referral,
    now,
    owner: await deps.owner(),
    ...(match.outcome === 'matched' ? { matched: { patientId: match.patientId!, ...(nhsNumber ? { nhsNumber } : {}) } } : {}),
  });
  deps.validate(task);

  // Linked, and the person agreed that their GP is told: the referral goes into the GP record too.
  const practice = deps.practices.find((p) => p.tenantId === match.tenantId);
  const gpRow = match.outcome === 'matched' && r.consent.gp && nhsNumber && practice
    ? gpRecordRow(task, { tenantId: practice.tenantId, endpointId: deps.endpoint.id, referralId, patientId: match.patientId!, nhsNumber, practice, now })
    : undefined;

  const row: Omit<CommunityReferralRow, 'submittedAt'> = {
    referralId,
    ...(match.tenantId ? { tenantId: match.tenantId } : {}),
    endpointId: deps.endpoint.id,
    source,
    ...(o.client ? { clientId: o.client.clientId, clientKey: o.client.clientKey } : {}),
    matchOutcome: match.outcome,
    match: match as unknown as Record<string, unknown>,
    ...(match.patientId ? { patientId: match.patientId } : {}),
    shareWithGp: r.consent.gp,
    contactHashes: hashes,
    taskIdentifier: referralId,
  };
  try {
    await deps.db.transaction(async (tx) => {
      await insertCommunityReferral(tx, { ...row, submittedAt: now.toISOString() });
      if (deps.outbox) {
        const id = outboxRowId(await deps.outbox.enqueue(tx, { tenantId: match.tenantId ?? '', endpointId: deps.endpoint.id, referralIdentifier: referralId, task }));
        await deps.outbox.markReferralWritten(tx, id, task.focus!.reference!);
        if (gpRow) await deps.outbox.enqueueGpRecord(tx, gpRow);
      }
      await recordAudit(tx, {
        actor: o.client ? `client:${o.client.clientId}` : (o.sender?.actor ?? `public:${source}-referral`),
        action: 'community-referral-create',
        ...(match.tenantId ? { tenantId: match.tenantId } : {}),
        resourceRef: `community-referral/${referralId}`,
        details: { referralId, source, match: match.outcome, shareWithGp: r.consent.gp, ...(isAgencyReferral(r) ? { verified: r.verified } : {}), ...o.sender?.details },
      });
    });
  } catch (err) {
    // The same submission sent twice at once: the first one's row stands.
    if (/duplicate key|unique/i.test((err as Error).message)) return { kind: 'sent', referralId, alreadySent: true };
    throw err;
  }
  if (!deps.outbox) await deliverNow(deps, task, referralId);
  deps.logger.info({ referralId, source, match: match.outcome }, 'community referral received');
  return { kind: 'sent', referralId, alreadySent: false };
}

/** Without the reconciler's outbox: the Task now, conditionally, so a retry finds it instead of duplicating it. */
async function deliverNow(deps: IntakeDeps, task: Task, referralId: string): Promise<void> {
  await (await deps.lw()).create(task, { ifNoneExist: taskSearchKey(referralId) });
}
