import type { HealthcareService, Organization, Reference, ServiceRequest } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from './codes.js';
import { relativeToBase } from './references.js';

/** The organisation (or service) that owns a referral Task. */
export type OwnerReference = Reference<Organization | HealthcareService>;

/** A provider that takes referrals direct (one entry of `directReferrals` in src/config/schema.ts). */
export type DirectReferral =
  | { readonly via: 'workspace'; readonly organization: string; readonly odsCode: string; readonly name: string }
  | { readonly via: 'endpoint'; readonly organization: string; readonly odsCode: string; readonly name: string; readonly endpoint: string };

/**
 * Where a referral goes, so that someone always sees it (docs/CONFIGURATION.md, "Referral routes"):
 * - `link-worker`: the default. The Task is owned by the link-worker organisation behind the endpoint; a chosen
 *   directory service travels as the GP's suggestion.
 * - `direct`: a provider configured in `directReferrals` takes the referral itself, in SP Link's workspace
 *   (`via: workspace`, the Task stays at this endpoint) or in its own FHIR server (`via: endpoint`, the Task is
 *   written to that endpoint, which the reconciler watches).
 */
export type ReferralRoute =
  | { readonly kind: 'link-worker'; readonly endpointId: string; readonly owner: OwnerReference; readonly contact: string }
  | {
      readonly kind: 'direct';
      readonly via: DirectReferral['via'];
      /** The endpoint the Task is written to. */
      readonly endpointId: string;
      readonly owner: OwnerReference;
      readonly contact: string;
    };

/** No route anybody watches: the link-worker organisation cannot be named (a configuration problem). */
export interface UnwatchedRoute {
  readonly kind: 'unwatched';
  readonly endpointId: string;
  /** For the operator: what is wrong and how to fix it. */
  readonly problem: string;
}

/** What routing needs of a link-worker endpoint's configuration (no `directReferrals`: every route is the default). */
export interface RouteEndpoint {
  readonly id: string;
  readonly fhirBase: string;
  readonly name: string;
  readonly organizationOdsCode?: string | undefined;
  readonly directReferrals?: readonly DirectReferral[];
}
type Endpoint = RouteEndpoint;

const relative = (ref: string | undefined, base: string): string | undefined => (ref ? relativeToBase(ref, base) : undefined);

/** The `directReferrals` entry that provides this service (by providedBy reference or ODS identifier), if any. */
export function directProviderOf(hs: HealthcareService, endpoint: Endpoint): DirectReferral | undefined {
  const by = hs.providedBy;
  if (!by) return undefined;
  const ref = relative(by.reference, endpoint.fhirBase);
  const ods = by.identifier?.system === IDENTIFIER_SYSTEM.odsOrganisation ? by.identifier.value : undefined;
  return endpoint.directReferrals?.find((d) => (ref !== undefined && d.organization === ref) || (ods !== undefined && d.odsCode === ods));
}

const isLinkWorkerService = (s: HealthcareService) => s.active !== false && s.type?.some((t) => t.coding?.some((c) => c.code === 'link-worker'));

/**
 * The organisation behind the link-worker service: the endpoint's configured ODS code, else the provider of the
 * directory's link-worker service. Undefined when neither says: a Task owned by a name alone is in nobody's caseload.
 */
export function linkWorkerOwner(directory: readonly HealthcareService[], endpoint: Endpoint): OwnerReference | undefined {
  const lw = directory.find((s) => isLinkWorkerService(s) && s.providedBy?.reference);
  if (endpoint.organizationOdsCode) {
    const reference = lw?.providedBy?.reference;
    return {
      ...(reference ? { reference } : {}),
      identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: endpoint.organizationOdsCode },
      display: endpoint.name,
    } as OwnerReference;
  }
  return lw?.providedBy ? ({ ...lw.providedBy } as OwnerReference) : undefined;
}

/** The default route, or `unwatched` when the link-worker organisation cannot be named. */
export function linkWorkerRoute(directory: readonly HealthcareService[], endpoint: Endpoint): ReferralRoute | UnwatchedRoute {
  const owner = linkWorkerOwner(directory, endpoint);
  if (!owner) {
    return {
      kind: 'unwatched',
      endpointId: endpoint.id,
      problem: `nobody would see referrals at link-worker endpoint "${endpoint.id}": set organizationOdsCode (the link-worker organisation's ODS code) or list a HealthcareService of type link-worker with providedBy in its directory`,
    };
  }
  return { kind: 'link-worker', endpointId: endpoint.id, owner, contact: owner.display ?? endpoint.name };
}

/** The route of one directory service (or of "link worker to decide" without one). Pure. */
export function routeFor(hs: HealthcareService | undefined, directory: readonly HealthcareService[], endpoint: Endpoint): ReferralRoute | UnwatchedRoute {
  const direct = hs ? directProviderOf(hs, endpoint) : undefined;
  if (!direct) return linkWorkerRoute(directory, endpoint);
  const owner = { reference: direct.organization, identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: direct.odsCode }, display: direct.name } as OwnerReference;
  if (direct.via === 'workspace') return { kind: 'direct', via: 'workspace', endpointId: endpoint.id, owner, contact: direct.name };
  // At the provider's own server the Organization has its own id: name the owner by ODS code only.
  return { kind: 'direct', via: 'endpoint', endpointId: direct.endpoint, owner: { identifier: owner.identifier, display: direct.name } as OwnerReference, contact: direct.name };
}

/**
 * Every directory service with its route (what `sp-link doctor` reports), or the problem when the default route,
 * which every undirected referral takes, is unwatched.
 */
export function directoryRoutes(
  directory: readonly HealthcareService[],
  endpoint: Endpoint,
): { ok: true; routes: { service: HealthcareService; route: ReferralRoute }[] } | { ok: false; problem: string } {
  const fallback = linkWorkerRoute(directory, endpoint);
  if (fallback.kind === 'unwatched') return { ok: false, problem: fallback.problem };
  const routes = directory
    .filter((s) => s.active !== false && s.id && s.name)
    .map((service) => ({ service, route: routeFor(service, directory, endpoint) }))
    .filter((r): r is { service: HealthcareService; route: ReferralRoute } => r.route.kind !== 'unwatched');
  return { ok: true, routes };
}

/**
 * The directory service the GP suggested, when the referral went via the link-worker service: the HealthcareService
 * reference in `ServiceRequest.supportingInfo` (src/referrals/build-service-request.ts). One reading for every surface.
 */
export function suggestedService(sr: Pick<ServiceRequest, 'supportingInfo'> | undefined): Reference | undefined {
  return sr?.supportingInfo?.find(isServiceReference);
}

/** True for a reference to a HealthcareService (by `type`, or by the reference's resource type). */
export const isServiceReference = (r: Reference): boolean => r.type === 'HealthcareService' || /(^|\/)HealthcareService\//.test(r.reference ?? '');

/** How a route reads to an integration engineer, e.g. "direct to Vale Housing Advice (its staff use the SP Link workspace)". */
export function describeRoute(route: ReferralRoute): string {
  if (route.kind === 'link-worker') return `via the link-worker service (${route.contact})`;
  return route.via === 'workspace'
    ? `direct to ${route.contact} (its staff use the SP Link workspace)`
    : `direct to ${route.contact} (its own FHIR endpoint "${route.endpointId}", watched by the reconciler)`;
}
