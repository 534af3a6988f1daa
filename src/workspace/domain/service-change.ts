import type { Bundle, HealthcareService } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { buildProvenance } from '../../referral-model/provenance.js';
import { joinUrl } from '../../referral-model/references.js';
import type { Actor } from './actor.js';

/**
 * The FHIR transaction that writes a directory service as a manager or provider changed it: the HealthcareService `PUT`
 * conditional on the version they saw (If-Match: a concurrent change fails it with 412 and nothing is written) and a
 * Provenance naming them on behalf of their organisation.
 */
export function serviceChangeBundle(hs: HealthcareService, opts: { ifMatchVersion: string; actor: Actor; organization?: string; activityText: string; directoryBase: string; now: Date }): Bundle {
  if (!hs.id) throw new TypeError('HealthcareService without id');
  const url = `HealthcareService/${hs.id}`;
  const provenance = buildProvenance({
    targets: [url],
    recorded: opts.now,
    activity: 'UPDATE',
    activityText: opts.activityText,
    agents: [{
      role: 'author',
      who: { reference: opts.actor.practitioner, display: opts.actor.name },
      onBehalfOf: { ...(opts.organization ? { reference: opts.organization } : {}), identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: opts.actor.orgOds } },
    }],
    sources: [joinUrl(opts.directoryBase, `${url}/_history/${opts.ifMatchVersion}`)],
  });
  const { meta: _meta, ...resource } = hs;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource, request: { method: 'PUT', url, ifMatch: `W/"${opts.ifMatchVersion}"` } },
      { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } },
    ],
  };
}
