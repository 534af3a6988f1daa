import type { HealthcareService } from '@medplum/fhirtypes';
import type { LinkWorkerEndpointConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import { IDENTIFIER_SYSTEM, SERVICE_TYPES } from '../referral-model/codes.js';
import { toDirectoryEntry } from './directory.js';
import type { ReferralInput } from './referral-input.js';
import type { OwnerReference, ResolvedService } from './types.js';

const absolute = (ref: string, base: string) => (/^https?:/.test(ref) ? ref : `${base.replace(/\/+$/, '')}/${ref}`);

/**
 * Turns the GP's choice into performer/owner references from the directory (pure; the caller supplies the
 * directory). "Link worker to decide" goes to the organisation behind the link-worker service, or to the
 * endpoint's configured ODS code when the directory does not list one.
 */
export function resolveService(
  choice: ReferralInput['service'],
  directory: readonly HealthcareService[],
  endpoint: Pick<LinkWorkerEndpointConfig, 'fhirBase' | 'name' | 'organizationOdsCode'>,
): ResolvedService {
  if (choice.kind === 'directory') {
    const hs = directory.find((s) => s.id === choice.healthcareServiceId && s.active !== false);
    if (!hs) {
      throw new SpLinkError('ERR_VALIDATION', { message: 'That service is no longer in the directory.',
        fields: [{ path: 'service.healthcareServiceId', message: 'That service is no longer in the directory; choose another or let the link worker decide' }],
      });
    }
    if (toDirectoryEntry(hs)?.acceptingReferrals === false) {
      // The GP app does not offer it; a stale page or another client must not get round that.
      throw new SpLinkError('ERR_VALIDATION', { message: `${hs.name} is not taking new referrals at the moment.`,
        fields: [{ path: 'service.healthcareServiceId', message: `${hs.name} is not taking new referrals at the moment; choose another service or let the link worker decide` }],
      });
    }
    const code = hs.type?.flatMap((t) => t.coding ?? []).map((c) => c.code).find((c) => SERVICE_TYPES.some((t) => t.code === c));
    return {
      kind: 'directory',
      performer: { reference: absolute(`HealthcareService/${hs.id}`, endpoint.fhirBase), display: hs.name },
      owner: hs.providedBy ? { ...hs.providedBy } : linkWorkerOwner(directory, endpoint),
      serviceType: (code as ResolvedService['serviceType'] | undefined) ?? 'link-worker',
    };
  }
  const owner = linkWorkerOwner(directory, endpoint);
  return {
    kind: 'link-worker-decides',
    owner,
    performer: owner.reference ? { ...owner, reference: absolute(owner.reference, endpoint.fhirBase) } : owner,
    serviceType: 'link-worker',
  };
}

function linkWorkerOwner(directory: readonly HealthcareService[], endpoint: Pick<LinkWorkerEndpointConfig, 'name' | 'organizationOdsCode'>): OwnerReference {
  if (endpoint.organizationOdsCode) {
    return { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: endpoint.organizationOdsCode }, display: endpoint.name };
  }
  const lw = directory.find((s) => s.active !== false && s.type?.some((t) => t.coding?.some((c) => c.code === 'link-worker')) && s.providedBy?.reference);
  if (lw?.providedBy) return { ...lw.providedBy };
  return { display: endpoint.name };
}
