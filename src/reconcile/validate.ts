import { validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { PROFILE } from '../referral-model/codes.js';
import { validateForWrite } from '../fhir/validate/index.js';
import { loadBaseR4 } from '../fhir/validate/definitions.js';
import type { ValidateFn } from './runtime.js';

/**
 * What the reconciler checks before every write. Resources SP Link authors (Observations, Communications,
 * Flags, Provenance, Subscriptions, its own referrals and Tasks) must conform to SP Link's profiles
 * (`validateForWrite`). A ServiceRequest or Task another system created is only having its status changed,
 * so it is held to base FHIR R4: SP Link must not refuse to close the loop on a referral it did not author.
 */
export const defaultValidate: ValidateFn = (resource: Resource) => {
  const foreign =
    (resource.resourceType === 'ServiceRequest' && !resource.meta?.profile?.includes(PROFILE.referral)) ||
    (resource.resourceType === 'Task' && !resource.meta?.profile?.includes(PROFILE.referralTask));
  if (foreign) {
    loadBaseR4();
    validateResource(resource);
    return;
  }
  validateForWrite(resource);
};
