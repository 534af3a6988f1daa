import { randomUUID } from 'node:crypto';
import type { Bundle, Communication, ServiceRequest } from '@medplum/fhirtypes';
import { SpLinkError } from '../errors.js';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import { gpProvenance } from '../referral-model/provenance.js';
import { acknowledgementIdentifier, buildAcknowledgement, safeguardingConcerns } from '../referral-model/safeguarding.js';
import { recordAudit } from '../store/audit.js';
import type { AcknowledgementResult } from '../gp-app-contract/index.js';
import type { LaunchIdentity, ReferralDeps } from './create-referral.js';
import { referralSearchKey } from './build-bundles.js';

/**
 * A clinician acknowledges a safeguarding concern on one of the patient's referrals: an
 * SPLinkSafeguardingAcknowledgement (who, when, answering which concern) and its Provenance, in one EHR
 * transaction with the GP's token. A conditional create on the concern's key, so a second press (or a second GP
 * at the same moment) finds the first acknowledgement instead of writing another.
 */
export async function acknowledgeSafeguarding(
  deps: Pick<ReferralDeps, 'ehr' | 'db' | 'tenant' | 'endpoint' | 'validate' | 'now'>,
  who: LaunchIdentity,
  serviceRequestId: string,
  concernKey: string,
): Promise<AcknowledgementResult> {
  const sr = await deps.ehr.read<ServiceRequest>('ServiceRequest', serviceRequestId);
  if (sr.subject?.reference !== `Patient/${who.patient}`) {
    throw new SpLinkError('ERR_PATIENT_MISMATCH', { message: 'That referral belongs to a different patient.' });
  }
  const found = await deps.ehr.search<Communication>('Communication', { subject: `Patient/${who.patient}`, 'based-on': `ServiceRequest/${sr.id}`, _count: 200 });
  const comms = (found.entry ?? []).map((e) => e.resource).filter((r): r is Communication => r?.resourceType === 'Communication');
  const concern = safeguardingConcerns(sr, comms).find((c) => c.key === concernKey);
  if (!concern) throw new SpLinkError('ERR_NOT_FOUND', { message: 'That safeguarding concern is not on this referral. Refresh the page to see the current concerns.' });
  if (concern.acknowledged) return { acknowledged: concern.acknowledged };

  const now = deps.now?.() ?? new Date();
  const clinician = { reference: who.practitioner, ...(who.practitionerName ? { display: who.practitionerName } : {}) };
  const ack = buildAcknowledgement({ concern, patientId: who.patient, clinician, service: deps.endpoint.name, at: now });
  const ackUrl = `urn:uuid:${randomUUID()}`;
  const prov = gpProvenance({ targets: [ackUrl], author: clinician, recorded: now, activity: 'CREATE' });
  deps.validate(ack);
  deps.validate(prov);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: ackUrl, resource: ack, request: { method: 'POST', url: 'Communication', ifNoneExist: referralSearchKey(IDENTIFIER_SYSTEM.safeguardingAcknowledgement, acknowledgementIdentifier(concern.key)) } },
      { fullUrl: `urn:uuid:${randomUUID()}`, resource: prov, request: { method: 'POST', url: 'Provenance' } },
    ],
  };
  await deps.ehr.transaction(bundle);
  await recordAudit(deps.db, { actor: who.practitioner, action: 'safeguarding-acknowledge', tenantId: deps.tenant.id, resourceRef: `ServiceRequest/${sr.id}`, details: { concern: concern.source } });
  return { acknowledged: { by: clinician.display ?? clinician.reference, at: now.toISOString() } };
}
