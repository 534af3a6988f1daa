import type { HealthcareService } from '@medplum/fhirtypes';
import type { FhirClient } from '../fhir/client.js';

/**
 * The link-worker directory, read with SP Link's backend credentials and cached per endpoint for
 * `ttlMs` (default 60 s): a GP's search and the referral that follows cost one FHIR search, and
 * capacity shown is at most a minute old. Paging is followed to the end (directories are small).
 */
export class DirectoryCache {
  readonly #entries = new Map<string, { at: number; services: Promise<HealthcareService[]> }>();
  constructor(private readonly ttlMs = 60_000) {}

  get(endpointId: string, client: FhirClient): Promise<HealthcareService[]> {
    const hit = this.#entries.get(endpointId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.services;
    const services = (async () => {
      const out: HealthcareService[] = [];
      for await (const page of client.searchAll<HealthcareService>('HealthcareService', { _count: 200 })) {
        for (const e of page.entry ?? []) if (e.resource?.resourceType === 'HealthcareService') out.push(e.resource);
      }
      return out;
    })();
    this.#entries.set(endpointId, { at: Date.now(), services });
    services.catch(() => this.#entries.delete(endpointId));
    return services;
  }

  invalidate(endpointId?: string): void {
    if (endpointId) this.#entries.delete(endpointId);
    else this.#entries.clear();
  }
}
