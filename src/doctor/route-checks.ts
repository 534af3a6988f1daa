import type { HealthcareService } from '@medplum/fhirtypes';
import type { FhirClient } from '../fhir/client.js';
import { describeRoute, directoryRoutes, type RouteEndpoint } from '../referral-model/referral-routes.js';
import type { DoctorCheck } from './types.js';

const CHECK = 'referral routes: every directory service reaches a caseload';

/**
 * Reads the endpoint's directory (with SP Link's backend identity, as the GP app does) and reports where referrals
 * to its services go (docs/CONFIGURATION.md, "Referral routes"). FAIL when referrals would reach nobody: the
 * link-worker organisation cannot be named. WARN for a configured direct provider no directory service names.
 * Configuration already refuses direct routes nobody watches (src/config/schema.ts).
 */
export async function checkReferralRoutes(label: string, client: FhirClient, endpoint: RouteEndpoint): Promise<DoctorCheck[]> {
  const directory: HealthcareService[] = [];
  try {
    for await (const page of client.searchAll<HealthcareService>('HealthcareService', { _count: 200 })) {
      for (const e of page.entry ?? []) if (e.resource?.resourceType === 'HealthcareService') directory.push(e.resource);
    }
  } catch (err) {
    return [{ endpoint: label, check: CHECK, status: 'FAIL', detail: `directory not readable: ${(err as Error).message}`, fix: 'Grant system/HealthcareService.rs to SP Link\'s client at this endpoint: the GP app offers its services.' }];
  }
  const result = directoryRoutes(directory, endpoint);
  if (!result.ok) {
    const problem = result.problem;
    return [{ endpoint: label, check: CHECK, status: 'FAIL', detail: problem, fix: 'Set organizationOdsCode on this endpoint (the link-worker organisation\'s ODS code), or list its link-worker HealthcareService with providedBy.' }];
  }
  const routes = result.routes;
  const byRoute = new Map<string, string[]>();
  for (const { service, route } of routes) byRoute.set(describeRoute(route), [...(byRoute.get(describeRoute(route)) ?? []), service.name ?? service.id ?? '?']);
  const detail = routes.length
    ? [...byRoute].map(([how, names]) => `${names.length} ${how}: ${names.join(', ')}`).join('; ')
    : 'no services in the directory: every referral goes to the link-worker service ("link worker to decide")';
  const checks: DoctorCheck[] = [{ endpoint: label, check: CHECK, status: 'PASS', detail }];
  for (const d of endpoint.directReferrals ?? []) {
    if (routes.some(({ route }) => route.kind === 'direct' && route.contact === d.name)) continue;
    checks.push({
      endpoint: label,
      check: `referral routes: direct provider ${d.name} offers a service`,
      status: 'WARN',
      detail: `no directory service is provided by ${d.organization} or ODS ${d.odsCode}`,
      fix: 'Check organization and odsCode in directReferrals against HealthcareService.providedBy in the directory.',
    });
  }
  return checks;
}
