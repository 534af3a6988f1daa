import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, HealthcareService, Location, Organization, Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { FhirClient } from '../fhir/client.js';
import { FhirHttpError } from '../fhir/errors.js';
import { parseLocation } from '../fhir/write-result.js';
import { buildProvenance, SP_LINK_AGENT } from '../referral-model/provenance.js';
import { OrukFeedClient, type OrukListing } from './feed-client.js';
import { emptyCounts, type DirectoryImportStore, type DirectoryChangeKind, type FeedRecordState, type ImportCounts, type ImportRun, type ImportTrigger } from './import-store.js';
import { changedFields, mergeIntoDirectory, retired, stableJson, withoutMeta } from './merge.js';
import { parseService } from './oruk-schema.js';
import { directoryResourceId, mapOrukService, type MappedService } from './oruk-to-fhir.js';

/** A configured Open Referral UK feed (config `directory.feeds[]`). */
export interface DirectoryFeed {
  readonly id: string;
  readonly name: string;
  /** The API's base, e.g. https://api.example.gov.uk/oruk (serving `/services`). */
  readonly url: string;
  readonly perPage: number;
}

export interface ImportDeps {
  readonly store: DirectoryImportStore;
  /** The FHIR server that holds the directory (a link-worker endpoint), with SP Link's backend identity. */
  readonly directory: FhirClient;
  /** Every configured feed's id: a service listed only by feeds no longer configured is retired. */
  readonly configuredFeedIds: readonly string[];
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Builds the reader of a feed (tests inject faults). */
  readonly feedClient?: (feed: DirectoryFeed) => OrukFeedClient;
}

/** What the import is doing: listing the feed's pages, then reading and writing records. */
export interface ImportProgress {
  readonly phase: 'listing' | 'records' | 'retiring';
  readonly done: number;
  readonly total?: number;
}

export interface ImportOptions {
  readonly trigger: ImportTrigger;
  /** Read only records modified on or after this (ORUK `modified_after`); services are not retired on such a run. */
  readonly modifiedAfter?: Date;
  /** Retire every service even when the feed lists none (otherwise an empty listing is taken for a broken feed). */
  readonly allowEmpty?: boolean;
  readonly onProgress?: (p: ImportProgress) => void;
  readonly signal?: AbortSignal;
}

/** A record the import skipped, with why. */
export interface RejectedRecord {
  readonly orukId?: string;
  readonly name?: string;
  readonly reasons: readonly string[];
}

export interface ImportReport {
  readonly run: ImportRun;
  readonly rejected: readonly RejectedRecord[];
}

const hashOf = (v: unknown) => createHash('sha256').update(stableJson(v)).digest('hex');
const isLive = (s: FeedRecordState, configured: ReadonlySet<string>) => !s.goneAt && configured.has(s.feedId);
const newer = (a: string | undefined, b: string | undefined) => a !== undefined && (b === undefined || Date.parse(a) > Date.parse(b));
const sameTime = (a: string | undefined, b: string | undefined) => (a === undefined ? b === undefined : b !== undefined && Date.parse(a) === Date.parse(b));

/**
 * One import of one feed (docs/OPERATIONS.md, "Directory imports"): list the feed, read each new or changed record
 * fully, check it against the ORUK profile (a bad record is reported with its reasons and skipped, never half-written),
 * map it to FHIR and upsert it by its ORUK id (the FHIR id is derived from it) in one transaction with its
 * Organization, Locations and a Provenance; then, on a full read, retire (mark inactive, never delete) the services no
 * configured feed lists any more. A service several feeds list is written from the newest record. What the
 * directory already holds and others maintain (capacity, a newer verification) is kept. Re-running changes nothing
 * when nothing changed.
 */
export async function importFeed(deps: ImportDeps, feed: DirectoryFeed, opts: ImportOptions): Promise<ImportReport> {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ module: 'directory-import', feed: feed.id });
  const mode = opts.modifiedAfter ? 'incremental' : 'full';
  const run = await deps.store.startRun(feed.id, opts.trigger, mode);
  const counts = emptyCounts();
  const rejected: RejectedRecord[] = [];
  const progress = opts.onProgress ?? (() => undefined);
  const configured = new Set(deps.configuredFeedIds);
  const rank = (feedId: string) => deps.configuredFeedIds.indexOf(feedId);
  const reject = async (r: RejectedRecord) => {
    rejected.push(r);
    counts.rejected++;
    log.warn({ orukId: r.orukId, reasons: r.reasons }, 'directory record rejected');
    await deps.store.recordChange({ runId: run.id, feedId: feed.id, ...(r.orukId ? { orukId: r.orukId } : {}), ...(r.name ? { name: r.name } : {}), change: 'rejected', detail: r.reasons });
  };
  try {
    const reader = deps.feedClient?.(feed) ?? new OrukFeedClient(feed.url, feed.perPage);
    const listed = await reader.list({
      ...(opts.modifiedAfter ? { modifiedAfter: opts.modifiedAfter } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onPage: (listedSoFar, total) => progress({ phase: 'listing', done: listedSoFar, ...(total !== undefined ? { total } : {}) }),
    });
    counts.listed = listed.listings.length;
    for (const u of listed.unaddressable) await reject({ ...(u.name ? { name: u.name } : {}), reasons: [`listing item ${u.position}: id: required`] });

    const [state, existing] = await Promise.all([deps.store.records(), readDirectory(deps.directory, opts.signal)]);
    const writer = new DirectoryWriter(deps.directory, feed, run.id, now);
    const importRecord = async (item: OrukListing): Promise<keyof ImportCounts | undefined> => {
      const raw = await reader.service(item.id, opts.signal);
      if (raw === undefined) {
        await reject({ orukId: item.id, ...(item.name ? { name: item.name } : {}), reasons: ['listed but /services/{id} answers 404 (not found)'] });
        return undefined;
      }
      const parsed = parseService(raw);
      if (!parsed.ok) {
        await reject({ orukId: parsed.id ?? item.id, ...(parsed.name ?? item.name ? { name: parsed.name ?? item.name } : {}), reasons: parsed.reasons });
        return undefined;
      }
      const service = parsed.service;
      if (service.id !== item.id) {
        await reject({ orukId: item.id, name: service.name, reasons: [`id: /services/${item.id} served a record with id ${service.id}`] });
        return undefined;
      }
      const contentHash = hashOf(raw);
      const lastModified = service.last_modified ?? item.lastModified;
      const others = (state.get(item.id) ?? []).filter((s) => s.feedId !== feed.id && isLive(s, configured));
      // Several feeds list this service: the newest record is the one the directory holds; on a tie, the feed
      // configured first (so two feeds serving the same record do not take turns writing it).
      if (others.some((o) => newer(o.lastModified, lastModified) || (sameTime(o.lastModified, lastModified) && rank(o.feedId) < rank(feed.id)))) {
        await deps.store.saveRecord(feed.id, item.id, run.id, lastModified, contentHash);
        return 'merged';
      }
      const mapped = mapOrukService(service, { feedId: feed.id, feedName: feed.name }, now());
      const before = existing.get(mapped.healthcareService.id!);
      const result = await writer.upsert(mapped, before);
      await deps.store.saveRecord(feed.id, item.id, run.id, lastModified, contentHash);
      if (result.kind === 'unchanged') return 'unchanged';
      await deps.store.recordChange({
        runId: run.id,
        feedId: feed.id,
        orukId: item.id,
        resourceId: mapped.healthcareService.id!,
        name: service.name,
        change: result.kind,
        detail: result.fields,
        ...(result.provenanceId ? { provenanceId: result.provenanceId } : {}),
      });
      return result.kind;
    };
    const unchanged: string[] = [];
    let done = 0;
    for (const item of listed.listings) {
      opts.signal?.throwIfAborted();
      progress({ phase: 'records', done: done++, total: listed.listings.length });
      const mine = state.get(item.id)?.find((s) => s.feedId === feed.id);
      const hsId = directoryResourceId('HealthcareService', item.id);
      const current = existing.get(hsId);
      // Listed as before and still in the directory: nothing to read.
      if (mine && !mine.goneAt && item.lastModified !== undefined && mine.lastModified === item.lastModified && current) {
        unchanged.push(item.id);
        counts.unchanged++;
        continue;
      }
      const outcome = await importRecord(item);
      if (outcome) counts[outcome]++;
    }
    progress({ phase: 'records', done, total: listed.listings.length });
    await deps.store.touchRecords(feed.id, unchanged, run.id);

    if (mode === 'full') {
      const listedIds = new Set(listed.listings.map((l) => l.id));
      const goneHere = [...state.values()].flat().filter((s) => !s.goneAt && ((s.feedId === feed.id && !listedIds.has(s.orukId)) || !configured.has(s.feedId)));
      if (listed.listings.length === 0 && goneHere.length > 0 && !opts.allowEmpty) {
        throw new Error(`the feed listed no services while ${goneHere.length} were listed before; nothing was retired (if the feed really is empty now, import with --allow-empty)`);
      }
      let retiredCount = 0;
      for (const s of goneHere) {
        progress({ phase: 'retiring', done: retiredCount++, total: goneHere.length });
        await deps.store.markGone(s.feedId, s.orukId);
        const stillListed = (state.get(s.orukId) ?? []).some((o) => o !== s && isLive(o, configured) && !(o.feedId === feed.id && !listedIds.has(o.orukId)));
        if (stillListed || listedIds.has(s.orukId)) continue;
        const hs = existing.get(directoryResourceId('HealthcareService', s.orukId));
        if (!hs || hs.active === false) continue;
        const provenanceId = await writer.retire(hs);
        counts.inactivated++;
        await deps.store.recordChange({ runId: run.id, feedId: feed.id, orukId: s.orukId, resourceId: hs.id!, ...(hs.name ? { name: hs.name } : {}), change: 'inactivated', detail: ['no configured feed lists it any more'], ...(provenanceId ? { provenanceId } : {}) });
      }
    }
    const finished = await deps.store.finishRun(run.id, 'succeeded', counts);
    log.info({ counts }, 'directory import finished');
    return { run: finished, rejected };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err: message, counts }, 'directory import failed');
    const failed = await deps.store.finishRun(run.id, 'failed', counts, message);
    return { run: failed, rejected };
  }

}

/** Every HealthcareService the directory holds, by id. */
async function readDirectory(client: FhirClient, signal?: AbortSignal): Promise<Map<string, HealthcareService>> {
  const out = new Map<string, HealthcareService>();
  for await (const page of client.searchAll<HealthcareService>('HealthcareService', { _count: 200 }, signal ? { signal } : {})) {
    for (const e of page.entry ?? []) if (e.resource?.resourceType === 'HealthcareService' && e.resource.id) out.set(e.resource.id, e.resource);
  }
  return out;
}

type UpsertResult = { kind: 'unchanged' } | { kind: Exclude<DirectoryChangeKind, 'rejected' | 'inactivated'>; fields: string[]; provenanceId?: string };

/** Writes directory records: one transaction per service (its Organization and Locations once per run, a Provenance). */
class DirectoryWriter {
  readonly #written = new Set<string>();

  constructor(
    private readonly client: FhirClient,
    private readonly feed: DirectoryFeed,
    private readonly runId: number,
    private readonly now: () => Date,
  ) {}

  async upsert(mapped: MappedService, before: HealthcareService | undefined): Promise<UpsertResult> {
    let current = before;
    for (let attempt = 1; ; attempt++) {
      const next = mergeIntoDirectory(mapped.healthcareService, current);
      const fields = changedFields(current, next);
      if (current && fields.length === 0) return { kind: 'unchanged' };
      const kind = !current ? 'created' : current.active === false && next.active !== false ? 'reactivated' : 'updated';
      const parts: Resource[] = [...(mapped.organization ? [mapped.organization] : []), ...mapped.locations].filter((r) => !this.#written.has(`${r.resourceType}/${r.id}`));
      try {
        const provenanceId = await this.write(next, current, parts, kind === 'created' ? 'CREATE' : 'UPDATE', kind === 'created' ? `Added from ${this.feed.name}` : kind === 'reactivated' ? `Listed again by ${this.feed.name}` : `Updated from ${this.feed.name}`);
        for (const p of parts) this.#written.add(`${p.resourceType}/${p.id}`);
        return { kind, fields, ...(provenanceId ? { provenanceId } : {}) };
      } catch (err) {
        // Someone (a provider's capacity update) changed it since we read it: read again and merge once more.
        if (!(err instanceof FhirHttpError) || (err.status !== 412 && err.status !== 409) || attempt >= 3) throw err;
        current = await this.client.read<HealthcareService>('HealthcareService', mapped.healthcareService.id!).catch(() => undefined);
      }
    }
  }

  async retire(hs: HealthcareService): Promise<string | undefined> {
    return this.write(retired(hs), hs, [], 'UPDATE', `No longer listed by ${this.feed.name}`);
  }

  private async write(hs: HealthcareService, current: HealthcareService | undefined, parts: readonly Resource[], activity: 'CREATE' | 'UPDATE', activityText: string): Promise<string | undefined> {
    const targets = [`HealthcareService/${hs.id}`, ...parts.map((p) => `${p.resourceType}/${p.id}`)];
    const provenance = buildProvenance({
      targets,
      recorded: this.now(),
      activity,
      activityText,
      agents: [{ role: 'assembler', who: SP_LINK_AGENT }],
      sources: [{ reference: `${this.feed.url}/services/${hs.identifier?.[0]?.value ?? ''}`, display: `${this.feed.name} (import run ${this.runId})` }],
    });
    const put = (r: Resource, ifMatch?: string): BundleEntry => ({
      resource: withoutMeta(r),
      request: { method: 'PUT', url: `${r.resourceType}/${r.id}`, ...(ifMatch ? { ifMatch: `W/"${ifMatch}"` } : {}) },
    });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        ...parts.map((p) => put(p as Organization | Location)),
        put(hs, current?.meta?.versionId),
        { resource: provenance, request: { method: 'POST', url: 'Provenance' } },
      ],
    };
    const response = await this.client.transaction(bundle);
    return parseLocation(response.entry?.at(-1)?.response?.location).id;
  }
}
