import type { Bundle, ServiceRequest, Task } from '@medplum/fhirtypes';
import { referralSourceOf } from '../referral-model/referral-source.js';
import { SpLinkError } from '../errors.js';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM, STATUS_REASONS } from '../referral-model/codes.js';
import { FhirHttpError } from '../fhir/errors.js';
import { recordAudit } from '../store/audit.js';
import { gpProvenance } from '../referral-model/provenance.js';
import { isTaskStatus, isTerminalTaskStatus } from '../referral-model/task-status.js';
import type { CancelReason, CancelResult } from '../gp-app-contract/index.js';
import type { LaunchIdentity, ReferralDeps } from './create-referral.js';

/**
 * The GP cancels a referral (src/referral-model/README.md: "a referral the GP revoked cancels the Task"): the
 * ServiceRequest becomes `revoked` with If-Match on the version the GP saw, with its Provenance, in one EHR
 * transaction. The Task at the link-worker endpoint is then cancelled at once with SP Link's credentials;
 * if that fails, the reconciler's revoke rule cancels it on its next pass.
 */
export async function cancelReferral(
  deps: ReferralDeps,
  who: LaunchIdentity,
  serviceRequestId: string,
  seenVersion: string | undefined,
  reason: CancelReason,
): Promise<CancelResult> {
  const sr = await deps.ehr.read<ServiceRequest>('ServiceRequest', serviceRequestId);
  if (sr.subject?.reference !== `Patient/${who.patient}`) {
    throw new SpLinkError('ERR_PATIENT_MISMATCH', { message: 'That referral belongs to a different patient.' });
  }
  if (referralSourceOf(sr) !== 'gp') {
    throw new SpLinkError('ERR_FORBIDDEN', { message: 'This referral was made by the person or an agency, not the practice, so it cannot be cancelled here.' });
  }
  if (sr.status !== 'active' && sr.status !== 'on-hold' && sr.status !== 'draft') {
    throw new SpLinkError('ERR_TASK_VERSION_CONFLICT', { message: 'This referral has already finished, so it cannot be cancelled.' });
  }
  if (seenVersion && sr.meta?.versionId && seenVersion !== sr.meta.versionId) {
    throw new SpLinkError('ERR_TASK_VERSION_CONFLICT', { message: 'This referral changed since you opened it. Check its new status before cancelling.' });
  }
  const reasonEntry = STATUS_REASONS.find((r) => r.code === reason)!;
  const now = deps.now?.() ?? new Date();
  const reasonConcept = { coding: [{ system: CODE_SYSTEM.statusReason, code: reasonEntry.code, display: reasonEntry.display }] };
  const updated: ServiceRequest = {
    ...sr,
    status: 'revoked',
    // R4 ServiceRequest has no statusReason: SP Link's status-reason extension says why it was revoked.
    extension: [...(sr.extension ?? []).filter((e) => e.url !== EXTENSION.statusReason), { url: EXTENSION.statusReason, valueCodeableConcept: reasonConcept }],
    note: [...(sr.note ?? []), { authorReference: { reference: who.practitioner, display: who.practitionerName }, time: now.toISOString(), text: `Cancelled by the referrer: ${reasonEntry.display}` }],
  };
  const prov = gpProvenance({ targets: [`ServiceRequest/${sr.id}`], author: { reference: who.practitioner, display: who.practitionerName }, recorded: now, activity: 'UPDATE' });
  deps.validate(updated);
  deps.validate(prov);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: updated, request: { method: 'PUT', url: `ServiceRequest/${sr.id}`, ifMatch: `W/"${sr.meta?.versionId ?? ''}"` } },
      { resource: prov, request: { method: 'POST', url: 'Provenance' } },
    ],
  };
  try {
    await deps.ehr.transaction(bundle);
  } catch (err) {
    if (err instanceof FhirHttpError && (err.status === 412 || err.status === 409)) {
      throw new SpLinkError('ERR_TASK_VERSION_CONFLICT', { message: 'This referral changed while you were cancelling it. Check its new status.' });
    }
    throw err;
  }
  const taskCancelled = await cancelTask(deps, sr, reason).catch((err: unknown) => {
    deps.logger.warn({ tenantId: deps.tenant.id, err: (err as Error).message }, 'task cancel deferred to the reconciler');
    return false;
  });
  await recordAudit(deps.db, { actor: who.practitioner, action: 'referral-cancel', tenantId: deps.tenant.id, resourceRef: `ServiceRequest/${sr.id}`, details: { reason, taskCancelled } });
  return { status: 'revoked', taskCancelled };
}

async function cancelTask(deps: ReferralDeps, sr: ServiceRequest, reason: CancelReason): Promise<boolean> {
  const referralId = sr.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referral)?.value;
  if (!referralId) return false;
  const found = await deps.lw.search<Task>('Task', { identifier: `${IDENTIFIER_SYSTEM.referralTask}|${referralId}` });
  const task = found.entry?.map((e) => e.resource).find((r): r is Task => r?.resourceType === 'Task');
  if (!task) return false;
  if (isTaskStatus(task.status) && isTerminalTaskStatus(task.status)) return task.status === 'cancelled';
  const entry = STATUS_REASONS.find((r) => r.code === reason)!;
  const next: Task = {
    ...task,
    status: 'cancelled',
    statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: entry.code, display: entry.display }], text: entry.display },
    lastModified: (deps.now?.() ?? new Date()).toISOString(),
  };
  deps.validate(next);
  await deps.lw.update(next, { ifMatch: task.meta?.versionId });
  return true;
}
