import type { Bundle, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { LinkWorkerEndpointConfig, TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import type { FhirClient } from '../fhir/client.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { planEhrThenOutbox, planSingleTransaction, taskSearchKey } from './build-bundles.js';
import type { DirectoryCache } from './directory-cache.js';
import { outboxRowId, type ReferralOutbox } from './outbox-port.js';
import { newReferralId, referralIdForSubmission } from './referral-id.js';
import type { ReferralInput } from './referral-input.js';
import { resolveService } from './resolve-service.js';
import type { ReferralContext } from './types.js';

export interface ReferralDeps {
  /** The EHR, as the GP (their access token). */
  ehr: FhirClient;
  /** The link-worker endpoint, as SP Link (backend credentials). */
  lw: FhirClient;
  db: Db;
  tenant: TenantConfig;
  endpoint: LinkWorkerEndpointConfig;
  directory: DirectoryCache;
  /** Absent until the reconciler's outbox is wired: the Task is then delivered directly (conditional create). */
  outbox?: ReferralOutbox;
  /** Profile validation of every resource SP Link writes; throws on a non-conforming resource. */
  validate: (r: Resource) => void;
  logger: Logger;
  now?: () => Date;
  newId?: () => string;
}

export interface LaunchIdentity {
  patient: string;
  iss: string;
  /** Relative reference at the EHR, e.g. `Practitioner/gp-1`. */
  practitioner: string;
  practitionerName?: string;
}

const norm = (u: string) => u.replace(/\/+$/, '');

/** `ServiceRequest/abc/_history/1` or an absolute Location → `abc`. */
function idFromLocation(loc: string | undefined, type: string): string | undefined {
  const m = loc ? new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})`).exec(loc) : null;
  return m?.[1];
}

export interface CreatedReferral {
  referralId: string;
  serviceRequestId: string;
  /** True when this submission had already created the referral: nothing new was written. */
  alreadySent?: true;
}

async function findReferral(ehr: FhirClient, referralId: string, patientId: string): Promise<ServiceRequest | undefined> {
  // Within the patient's compartment: what a patient-scoped token may search.
  const b = await ehr.search<ServiceRequest>('ServiceRequest', { subject: `Patient/${patientId}`, identifier: `${IDENTIFIER_SYSTEM.referral}|${referralId}`, _count: '2' });
  return b.entry?.find((e) => e.resource?.resourceType === 'ServiceRequest')?.resource;
}

/**
 * Creates a referral (docs/ARCHITECTURE.md, the loop, steps 1–2): ServiceRequest + Provenance in one EHR transaction with the
 * GP's token, and the Task for the link-worker endpoint — in that same transaction when both are one
 * server, otherwise through the outbox. Every resource is built and validated before anything is written,
 * so bad input writes nothing.
 */
export async function createReferral(deps: ReferralDeps, who: LaunchIdentity, input: ReferralInput): Promise<CreatedReferral> {
  const now = deps.now?.() ?? new Date();
  const referralId = input.submissionId ? referralIdForSubmission(deps.tenant.id, who.patient, input.submissionId) : (deps.newId ?? newReferralId)();
  if (input.submissionId) {
    // A resend of a form that already reached the EHR (its answer was lost, or a double click): answer with
    // that referral and write nothing, not even a second Provenance.
    const existing = await findReferral(deps.ehr, referralId, who.patient);
    if (existing) {
      if (existing.subject?.reference !== `Patient/${who.patient}`) {
        // Only a clash of ids or a foreign write can get here: never answer with another patient's referral.
        throw new SpLinkError('ERR_PATIENT_MISMATCH', { message: 'This referral id is already used in another record. Reload SP Link and send again.' });
      }
      return { referralId, serviceRequestId: existing.id!, alreadySent: true };
    }
  }
  const patient = await deps.ehr.read<Patient>('Patient', who.patient);
  const nhsNumber = patient.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber)?.value;
  if (!nhsNumber) {
    throw new SpLinkError('ERR_VALIDATION', { message: 'This patient has no NHS number in the record.',
      fields: [{ path: 'patientId', message: 'This patient has no NHS number in the record. Add it, then refer: the link-worker service needs it to find the referral.' }],
    });
  }
  const directory = await deps.directory.get(deps.endpoint.id, deps.lw);
  const service = resolveService(input.service, directory, deps.endpoint);
  const ctx: ReferralContext = {
    referralId,
    identifierSystem: IDENTIFIER_SYSTEM.referral,
    now,
    ehrBase: norm(deps.tenant.ehr.fhirBase),
    patient: { id: who.patient, nhsNumber, resource: patient },
    requester: { reference: who.practitioner, ...(who.practitionerName ? { display: who.practitionerName } : {}) },
    service,
  };
  const log = deps.logger.child({ tenantId: deps.tenant.id, referralId: ctx.referralId });

  if (norm(deps.tenant.ehr.fhirBase) === norm(deps.endpoint.fhirBase)) {
    const plan = planSingleTransaction(input, ctx);
    for (const e of plan.bundle.entry ?? []) deps.validate(e.resource!);
    const res = await deps.ehr.transaction(plan.bundle);
    const srId = idFromLocation(res.entry?.[0]?.response?.location, 'ServiceRequest') ?? res.entry?.[0]?.resource?.id;
    if (!srId) throw new SpLinkError('ERR_FHIR_REQUEST_FAILED', { message: 'The clinical system did not confirm the referral.' });
    await audit(deps, who, srId, ctx.referralId, 'single-transaction');
    return { referralId: ctx.referralId, serviceRequestId: srId };
  }

  const plan = planEhrThenOutbox(input, ctx);
  const draftTask = plan.taskFor(`${ctx.ehrBase}/ServiceRequest/pending`);
  for (const r of [...(plan.ehrBundle.entry ?? []).map((e) => e.resource!), draftTask]) deps.validate(r);

  const row = deps.outbox
    ? outboxRowId(await deps.outbox.enqueue(deps.db, { tenantId: deps.tenant.id, endpointId: deps.endpoint.id, referralIdentifier: ctx.referralId, task: draftTask }))
    : undefined;
  const res: Bundle = await deps.ehr.transaction(plan.ehrBundle);
  const srId = idFromLocation(res.entry?.[0]?.response?.location, 'ServiceRequest') ?? res.entry?.[0]?.resource?.id;
  if (!srId) throw new SpLinkError('ERR_FHIR_REQUEST_FAILED', { message: 'The clinical system did not confirm the referral.' });
  const srUrl = `${ctx.ehrBase}/ServiceRequest/${srId}`;
  if (deps.outbox && row !== undefined) {
    await deps.outbox.markReferralWritten(deps.db, row, srUrl);
    await audit(deps, who, srId, ctx.referralId, 'outbox');
  } else {
    // No outbox wired: deliver now, conditionally, so a retry finds the Task instead of duplicating it.
    const task = plan.taskFor(srUrl);
    await deps.lw.create(task, { ifNoneExist: taskSearchKey(ctx.referralId) });
    await audit(deps, who, srId, ctx.referralId, 'direct');
  }
  log.info('referral created');
  return { referralId: ctx.referralId, serviceRequestId: srId };
}

async function audit(deps: ReferralDeps, who: LaunchIdentity, srId: string, referralId: string, delivery: string): Promise<void> {
  await recordAudit(deps.db, {
    actor: who.practitioner,
    action: 'referral-create',
    tenantId: deps.tenant.id,
    resourceRef: `ServiceRequest/${srId}`,
    details: { referralId, delivery },
  });
}
