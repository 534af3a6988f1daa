import type { Bundle, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { LinkWorkerEndpointConfig, TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import type { FhirClient } from '../fhir/client.js';
import { locationReference } from '../fhir/write-result.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { planEhrThenOutbox, planSingleTransaction, taskSearchKey } from './build-bundles.js';
import type { DirectoryCache } from './directory-cache.js';
import { outboxRowId, type ReferralOutbox } from './outbox-port.js';
import { newReferralId, referralIdForSubmission } from './referral-id.js';
import type { ReferralInput } from './referral-input.js';
import type { ReferralRoute } from '../referral-model/referral-routes.js';
import { resolveService } from './resolve-service.js';
import type { ReferralContext } from './types.js';
import { sameBase } from '../referral-model/references.js';
import type { CreatedReferral } from '../gp-app-contract/index.js';

export type { CreatedReferral };

export interface ReferralDeps {
  /** The EHR, as the GP (their access token). */
  ehr: FhirClient;
  /** The link-worker endpoint, as SP Link (backend credentials). */
  lw: FhirClient;
  db: Db;
  tenant: TenantConfig;
  endpoint: LinkWorkerEndpointConfig;
  directory: DirectoryCache;
  /**
   * The client of another configured endpoint, for a provider that takes referrals direct at its own FHIR server
   * (`directReferrals` with `via: endpoint`). Absent: such a route is refused as unwatched.
   */
  endpointClient?: (endpointId: string) => Promise<{ endpoint: LinkWorkerEndpointConfig; client: FhirClient } | undefined>;
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


/** `ServiceRequest/abc/_history/1` or an absolute Location → `abc`. */
function idFromLocation(loc: string | undefined, type: string): string | undefined {
  const p = locationReference(loc);
  return p?.resourceType === type ? p.id : undefined;
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
      const route = await deps.directory
        .get(deps.endpoint.id, deps.lw)
        .then((d) => resolveService(input.service, d, deps.endpoint).route)
        .catch(() => undefined);
      return { referralId, serviceRequestId: existing.id!, ...(route ? { contact: route.contact, route: route.kind } : {}), alreadySent: true };
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
  const target = await taskEndpoint(deps, service.route.endpointId);
  const answer = { contact: service.route.contact, route: service.route.kind };
  const ctx: ReferralContext = {
    referralId,
    identifierSystem: IDENTIFIER_SYSTEM.referral,
    now,
    ehrBase: deps.tenant.ehr.fhirBase,
    patient: { id: who.patient, nhsNumber, resource: patient },
    requester: { reference: who.practitioner, ...(who.practitionerName ? { display: who.practitionerName } : {}) },
    service,
  };
  const log = deps.logger.child({ tenantId: deps.tenant.id, referralId: ctx.referralId });

  if (sameBase(deps.tenant.ehr.fhirBase, target.endpoint.fhirBase)) {
    const plan = planSingleTransaction(input, ctx);
    for (const e of plan.bundle.entry ?? []) deps.validate(e.resource!);
    const res = await deps.ehr.transaction(plan.bundle);
    const srId = idFromLocation(res.entry?.[0]?.response?.location, 'ServiceRequest') ?? res.entry?.[0]?.resource?.id;
    if (!srId) throw new SpLinkError('ERR_FHIR_REQUEST_FAILED', { message: 'The clinical system did not confirm the referral.' });
    await audit(deps, who, srId, ctx.referralId, 'single-transaction', service.route);
    return { referralId: ctx.referralId, serviceRequestId: srId, ...answer };
  }

  const plan = planEhrThenOutbox(input, ctx);
  const draftTask = plan.taskFor(`${ctx.ehrBase}/ServiceRequest/pending`);
  for (const r of [...(plan.ehrBundle.entry ?? []).map((e) => e.resource!), draftTask]) deps.validate(r);

  const row = deps.outbox
    ? outboxRowId(await deps.outbox.enqueue(deps.db, { tenantId: deps.tenant.id, endpointId: target.endpoint.id, referralIdentifier: ctx.referralId, task: draftTask }))
    : undefined;
  const res: Bundle = await deps.ehr.transaction(plan.ehrBundle);
  const srId = idFromLocation(res.entry?.[0]?.response?.location, 'ServiceRequest') ?? res.entry?.[0]?.resource?.id;
  if (!srId) throw new SpLinkError('ERR_FHIR_REQUEST_FAILED', { message: 'The clinical system did not confirm the referral.' });
  const srUrl = `${ctx.ehrBase}/ServiceRequest/${srId}`;
  if (deps.outbox && row !== undefined) {
    await deps.outbox.markReferralWritten(deps.db, row, srUrl);
    await audit(deps, who, srId, ctx.referralId, 'outbox', service.route);
  } else {
    // No outbox wired: deliver now, conditionally, so a retry finds the Task instead of duplicating it.
    const task = plan.taskFor(srUrl);
    await target.client.create(task, { ifNoneExist: taskSearchKey(ctx.referralId) });
    await audit(deps, who, srId, ctx.referralId, 'direct', service.route);
  }
  log.info({ route: service.route.kind, endpointId: target.endpoint.id }, 'referral created');
  return { referralId: ctx.referralId, serviceRequestId: srId, ...answer };
}

/** The endpoint a route writes its Task to: the tenant's own, or a direct provider's (config refuses unknown ids). */
async function taskEndpoint(deps: ReferralDeps, endpointId: string): Promise<{ endpoint: LinkWorkerEndpointConfig; client: FhirClient }> {
  if (endpointId === deps.endpoint.id) return { endpoint: deps.endpoint, client: deps.lw };
  const other = await deps.endpointClient?.(endpointId);
  if (!other) {
    throw new SpLinkError('ERR_CONFIG_INVALID', {
      message: 'SP Link cannot send referrals to this service yet. Tell IT support, or let the link worker decide.',
      details: { problem: `direct route to unknown link-worker endpoint "${endpointId}"` },
    });
  }
  return other;
}

async function audit(deps: ReferralDeps, who: LaunchIdentity, srId: string, referralId: string, delivery: string, route: ReferralRoute): Promise<void> {
  await recordAudit(deps.db, {
    actor: who.practitioner,
    action: 'referral-create',
    tenantId: deps.tenant.id,
    resourceRef: `ServiceRequest/${srId}`,
    details: { referralId, delivery, route: route.kind, endpointId: route.endpointId },
  });
}
