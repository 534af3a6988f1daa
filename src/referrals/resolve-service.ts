import type { HealthcareService } from '@medplum/fhirtypes';
import { SpLinkError } from '../errors.js';
import { SERVICE_TYPES } from '../referral-model/codes.js';
import { toDirectoryEntry } from './directory.js';
import type { ReferralInput } from './referral-input.js';
import { directoryRoutes, routeFor, type ReferralRoute, type RouteEndpoint, type UnwatchedRoute } from '../referral-model/referral-routes.js';
import type { OwnerReference, ResolvedService, RoutedService } from './types.js';
import { joinUrl } from '../referral-model/references.js';

const absolute = (ref: string, base: string) => (/^https?:/.test(ref) ? ref : joinUrl(base, ref));

/**
 * Turns the GP's choice into the referral's route, performer and owner (pure; the caller supplies the directory).
 * The performer is whoever will contact the person: the provider's service for a direct route, else the
 * link-worker organisation, with the chosen service carried as the GP's suggestion (referral-routes.ts).
 */
export function resolveService(
  choice: ReferralInput['service'],
  directory: readonly HealthcareService[],
  endpoint: RouteEndpoint,
): RoutedService {
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
    const route = watched(routeFor(hs, directory, endpoint));
    const service: OwnerReference = { reference: absolute(`HealthcareService/${hs.id}`, endpoint.fhirBase), ...(hs.name ? { display: hs.name } : {}) };
    const isLinkWorkerService = route.kind === 'link-worker' && code === 'link-worker';
    return {
      kind: 'directory',
      route,
      // Direct: the provider's service does the work. Via the link-worker service: the organisation that will
      // contact the person, and the chosen service (unless it is the link-worker service itself) as a suggestion.
      performer: route.kind === 'direct' || isLinkWorkerService ? service : withAbsolute(route.owner, endpoint.fhirBase),
      ...(route.kind === 'link-worker' && !isLinkWorkerService ? { suggested: service } : {}),
      owner: route.owner,
      serviceType: (code as ResolvedService['serviceType'] | undefined) ?? 'link-worker',
    };
  }
  const route = watched(routeFor(undefined, directory, endpoint));
  return { kind: 'link-worker-decides', route, owner: route.owner, performer: withAbsolute(route.owner, endpoint.fhirBase), serviceType: 'link-worker' };
}

const unwatchedError = (problem: string, endpointId: string) =>
  new SpLinkError('ERR_CONFIG_INVALID', {
    message: 'SP Link cannot send referrals yet: the link-worker service is not set up. Tell IT support.',
    details: { endpoint: endpointId, problem },
  });

function watched(route: ReferralRoute | UnwatchedRoute): ReferralRoute {
  if (route.kind === 'unwatched') throw unwatchedError(route.problem, route.endpointId);
  return route;
}

/** Refuses a directory whose referrals nobody would see (ERR_CONFIG_INVALID, the problem in `details` for the log). */
export function requireWatchedDirectory(directory: readonly HealthcareService[], endpoint: RouteEndpoint): void {
  const r = directoryRoutes(directory, endpoint);
  if (!r.ok) throw unwatchedError(r.problem, endpoint.id);
}

const withAbsolute = (r: OwnerReference, base: string): OwnerReference => (r.reference ? { ...r, reference: absolute(r.reference, base) } : { ...r });
