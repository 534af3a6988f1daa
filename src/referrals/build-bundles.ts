import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import { gpProvenance } from '../referral-model/provenance.js';
import { buildServiceRequest } from './build-service-request.js';
import { buildReferralTask } from './build-task.js';
import type { ReferralInput } from './referral-input.js';
import type { ReferralContext } from './types.js';

/**
 * The write plans for a new referral (docs/ARCHITECTURE.md, the loop, steps 1–2). Both are single FHIR transactions, and the
 * ServiceRequest and Task are conditional creates on the SP Link referral id, so a retried request
 * finds what the first attempt wrote instead of writing it twice.
 */

const post = (fullUrl: string, resource: Resource, ifNoneExist?: string): BundleEntry => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: resource.resourceType, ...(ifNoneExist ? { ifNoneExist } : {}) },
});

export const referralSearchKey = (system: string, id: string) => `identifier=${encodeURIComponent(`${system}|${id}`)}`;
export const taskSearchKey = (id: string) => referralSearchKey(IDENTIFIER_SYSTEM.referralTask, id);

export interface EhrOnlyPlan {
  kind: 'ehr-then-outbox';
  /** ServiceRequest + Provenance for the EHR. */
  ehrBundle: Bundle;
  serviceRequest: ServiceRequest;
  /** Build the Task once the ServiceRequest's absolute URL is known (outbox payload). */
  taskFor(serviceRequestUrl: string): Task;
}

export interface SameServerPlan {
  kind: 'single-transaction';
  /** ServiceRequest + Task + Provenance in one transaction on the shared FHIR base. */
  bundle: Bundle;
  serviceRequest: ServiceRequest;
  task: Task;
}

export function planEhrThenOutbox(input: ReferralInput, ctx: ReferralContext, uuid: () => string = randomUUID): EhrOnlyPlan {
  const sr = buildServiceRequest(input, ctx);
  const srUrl = `urn:uuid:${uuid()}`;
  const prov = gpProvenance({ targets: [srUrl], author: ctx.requester, recorded: ctx.now, activity: 'CREATE' });
  return {
    kind: 'ehr-then-outbox',
    serviceRequest: sr,
    ehrBundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [post(srUrl, sr, referralSearchKey(ctx.identifierSystem, ctx.referralId)), post(`urn:uuid:${uuid()}`, prov)],
    },
    taskFor: (serviceRequestUrl) => buildReferralTask(input, ctx, serviceRequestUrl),
  };
}

export function planSingleTransaction(input: ReferralInput, ctx: ReferralContext, uuid: () => string = randomUUID): SameServerPlan {
  const sr = buildServiceRequest(input, ctx);
  const srUrl = `urn:uuid:${uuid()}`;
  const taskUrl = `urn:uuid:${uuid()}`;
  const task = buildReferralTask(input, ctx, srUrl);
  const prov = gpProvenance({ targets: [srUrl, taskUrl], author: ctx.requester, recorded: ctx.now, activity: 'CREATE' });
  return {
    kind: 'single-transaction',
    serviceRequest: sr,
    task,
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        post(srUrl, sr, referralSearchKey(ctx.identifierSystem, ctx.referralId)),
        post(taskUrl, task, taskSearchKey(ctx.referralId)),
        post(`urn:uuid:${uuid()}`, prov),
      ],
    },
  };
}
