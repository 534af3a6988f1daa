import type { HealthcareService, Location } from '@medplum/fhirtypes';
import { DirectoryIndex } from '../directory/search.js';
import type { FhirClient } from '../fhir/client.js';

interface Read {
  readonly services: HealthcareService[];
  readonly locations: Location[];
  /** Built on first search, once per read. */
  index?: DirectoryIndex;
}

/**
 * The link-worker directory, read with SP Link's backend credentials and cached per endpoint for
 * `ttlMs` (default 60 s): a GP's search and the referral that follows cost one FHIR search (services with their
 * Locations, `_include`), capacity shown is at most a minute old, and the search index is built once per read.
 * Paging is followed to the end.
 */
export class DirectoryCache {
  readonly #entries = new Map<string, { at: number; read: Promise<Read> }>();
  constructor(private readonly ttlMs = 60_000) {}

  async get(endpointId: string, client: FhirClient): Promise<HealthcareService[]> {
    return (await this.read(endpointId, client)).services;
  }

  /** The directory prepared for searching (src/directory/search.ts). */
  async index(endpointId: string, client: FhirClient): Promise<DirectoryIndex> {
    const read = await this.read(endpointId, client);
    read.index ??= DirectoryIndex.build(read.services, read.locations);
    return read.index;
  }

  private read(endpointId: string, client: FhirClient): Promise<Read> {
    const hit = this.#entries.get(endpointId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.read;
    const read = (async (): Promise<Read> => {
      const services: HealthcareService[] = [];
      const locations = new Map<string, Location>();
      for await (const page of client.searchAll<HealthcareService | Location>('HealthcareService', { _count: 200, _include: 'HealthcareService:location' })) {
        for (const e of page.entry ?? []) {
          if (e.resource?.resourceType === 'HealthcareService') services.push(e.resource);
          else if (e.resource?.resourceType === 'Location' && e.resource.id) locations.set(e.resource.id, e.resource);
        }
      }
      return { services, locations: [...locations.values()] };
    })();
    this.#entries.set(endpointId, { at: Date.now(), read });
    read.catch(() => this.#entries.delete(endpointId));
    return read;
  }

  invalidate(endpointId?: string): void {
    if (endpointId) this.#entries.delete(endpointId);
    else this.#entries.clear();
  }
}
