import { FhirClient } from '../fhir/client.js';
import { FhirHttpError } from '../fhir/errors.js';
import type { RetryPolicy } from '../fhir/retry.js';
import { parsePage, type OrukPage } from './oruk-schema.js';

/** One item of a `/services` page: its id and last change as listed (the rest of the record comes from `/services/{id}`). */
export interface OrukListing {
  readonly id: string;
  readonly lastModified?: string;
  readonly name?: string;
}

/** An item of a listing the importer cannot even address (no id): reported, never fetched. */
export interface UnaddressableItem {
  readonly position: number;
  readonly name?: string;
}

/** Pages a feed may have before the reader stops (a server that never says last_page). */
const MAX_PAGES = 10_000;

/**
 * Reads an Open Referral UK API (HSDS 3.0 read endpoints): `/services` page by page (`page` from 1, `per_page`,
 * optionally `modified_after`) and each service fully nested from `/services/{id}`. Every request goes through
 * SP Link's shared HTTP client (per-attempt timeout, retries with backoff honouring `Retry-After`, typed errors);
 * ORUK is JSON, not FHIR, so it asks for `application/json`. A page that is not an ORUK page fails the whole read:
 * the feed is broken, not one record.
 */
export class OrukFeedClient {
  readonly #http: FhirClient;

  constructor(
    readonly baseUrl: string,
    private readonly perPage: number,
    opts: { retry?: Partial<RetryPolicy>; headers?: Record<string, string> } = {},
  ) {
    this.#http = new FhirClient({ baseUrl, headers: { accept: 'application/json', ...opts.headers }, ...(opts.retry ? { retry: opts.retry } : {}) });
  }

  /** Every listed service, page by page; `onPage` hears how many are listed so far and the total the feed announces. */
  async list(
    opts: { modifiedAfter?: Date; signal?: AbortSignal; onPage?: (listedSoFar: number, totalItems: number | undefined) => void } = {},
  ): Promise<{ listings: OrukListing[]; unaddressable: UnaddressableItem[]; totalItems?: number }> {
    const listings: OrukListing[] = [];
    const unaddressable: UnaddressableItem[] = [];
    const seen = new Set<string>();
    let totalItems: number | undefined;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const q = new URLSearchParams({ page: String(page), per_page: String(this.perPage) });
      if (opts.modifiedAfter) q.set('modified_after', opts.modifiedAfter.toISOString());
      const body: OrukPage = parsePage(await this.#http.request('GET', `services?${q}`, undefined, opts.signal ? { signal: opts.signal } : {}));
      totalItems ??= body.total_items;
      let fresh = 0;
      body.contents.forEach((item, i) => {
        const raw = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
        const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id).trim() : '';
        const name = typeof raw.name === 'string' && raw.name.trim() ? raw.name : undefined;
        if (!id) {
          unaddressable.push({ position: (page - 1) * this.perPage + i + 1, ...(name ? { name } : {}) });
          return;
        }
        if (seen.has(id)) return; // a record that moved between pages while we read
        seen.add(id);
        fresh++;
        listings.push({ id, ...(typeof raw.last_modified === 'string' ? { lastModified: raw.last_modified } : {}), ...(name ? { name } : {}) });
      });
      opts.onPage?.(listings.length + unaddressable.length, totalItems);
      const total = body.total_pages;
      if (body.last_page === true || body.contents.length === 0 || (total !== undefined && page >= total)) break;
      if (fresh === 0 && body.contents.length > 0) throw new Error(`the feed served page ${page} again (no new records); stopping`);
    }
    return { listings, unaddressable, ...(totalItems !== undefined ? { totalItems } : {}) };
  }

  /** One service fully nested, or `undefined` when the feed no longer serves it (404/410). */
  async service(id: string, signal?: AbortSignal): Promise<unknown> {
    try {
      return await this.#http.request('GET', `services/${encodeURIComponent(id)}`, undefined, signal ? { signal } : {});
    } catch (err) {
      if (err instanceof FhirHttpError && (err.status === 404 || err.status === 410)) return undefined;
      throw err;
    }
  }
}
