import {
  allOk,
  badRequest,
  created,
  deepClone,
  gone,
  multipleMatches,
  notFound,
  OperationOutcomeError,
  preconditionFailed,
} from '@medplum/core';
import type { SearchRequest, WithId } from '@medplum/core';
import type { CreateResourceOptions, DeleteResourceOptions, ReadHistoryOptions } from '@medplum/fhir-router';
import { getExtraEntries, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { historyBundle, type HistoryItem } from './history.js';
import { isSimpleSearch, searchPage } from './search.js';
import {
  canonicalJson,
  copyDeletions,
  copyHistory,
  copyResources,
  keyOf,
  replaceMap,
  STATE_FORMAT,
  type DeletionRecord,
  type RepositoryState,
  type Snapshot,
  type StoreMaps,
} from './store.js';

export type ChangeInteraction = 'create' | 'update' | 'delete';

/** A committed (or, inside a transaction, pending) write; for deletes, the last version before it. */
export interface Change {
  readonly interaction: ChangeInteraction;
  readonly resource: WithId<Resource>;
}

export interface SandboxRepositoryOptions {
  /** Called on every resource about to be stored (after meta is set); throws to refuse it. */
  validate: (resource: Resource) => Promise<void>;
  /** Adjusts a resource before it is stored, e.g. activating a requested Subscription. */
  prepare?: (resource: Resource) => void;
}

/**
 * Medplum's MemoryRepository with what a FHIR server needs and it lacks: integer version ids,
 * strictly increasing `lastUpdated`, validation on every write, 410 Gone after delete, deletion
 * entries in history, type-level history, real transaction rollback (snapshot and restore; the
 * caller serialises all access, so a snapshot cannot interleave with another request), a change
 * journal for notifications, and export/import for persistence.
 */
export class SandboxRepository extends MemoryRepository {
  private deletions = new Map<string, DeletionRecord[]>();
  private versions = new Map<string, number>();
  private pending: Change[] = [];
  private lastStamp = 0;
  private inTransaction = false;

  constructor(private readonly opts: SandboxRepositoryOptions) {
    super();
  }

  /** MemoryRepository keeps its maps private; this subclass shares them on purpose. */
  private get maps(): StoreMaps {
    return this as unknown as StoreMaps;
  }

  override async createResource<T extends Resource>(
    resource: T,
    options?: CreateResourceOptions,
    update = false,
  ): Promise<WithId<T>> {
    const body = deepClone(resource);
    // FHIR create ignores a client-supplied id; ids assigned by a transaction or the seed are kept.
    if (!update && !options?.assignedId) delete body.id;
    body.id ??= this.generateId();
    const { resourceType, id } = body as WithId<T>;
    const key = keyOf(resourceType, id);
    const current = this.maps.resources.get(resourceType)?.get(id);
    if (!update && current) throw new OperationOutcomeError(badRequest('Assigned ID is already in use'));
    if (current && sameContent(current, body)) return deepClone(current) as WithId<T>;
    this.opts.prepare?.(body);

    const version = (this.versions.get(key) ?? 0) + 1;
    body.meta = { ...body.meta, versionId: String(version), lastUpdated: this.tick() };
    await this.opts.validate(body);
    // Seeding mode makes MemoryRepository keep the meta.versionId/lastUpdated set above.
    const stored = await this.withSeeding(() => super.createResource(body, options, true));
    this.versions.set(key, version);
    this.pending.push({ interaction: current ? 'update' : 'create', resource: stored });
    return stored;
  }

  override async conditionalCreate<T extends Resource>(
    resource: T,
    search: SearchRequest<T>,
    options?: CreateResourceOptions,
  ): Promise<{ resource: WithId<T>; outcome: OperationOutcome }> {
    if (search.resourceType !== resource.resourceType) {
      throw new OperationOutcomeError(badRequest('If-None-Exist search type must match the resource type'));
    }
    const bundle = await this.search({ ...search, count: 2, offset: 0, sortRules: undefined });
    const matches = (bundle.entry ?? []).map((e) => e.resource as WithId<T>);
    if (matches.length > 1) throw new OperationOutcomeError(multipleMatches);
    const existing = matches[0];
    if (existing) {
      if (!options?.assignedId && resource.id && resource.id !== existing.id) {
        throw new OperationOutcomeError(badRequest('Resource ID did not match resolved ID', `${resource.resourceType}.id`));
      }
      return { resource: existing, outcome: allOk };
    }
    return { resource: await this.createResource(resource, options), outcome: created };
  }

  override async search<T extends Resource>(searchRequest: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    if (!isSimpleSearch(searchRequest)) return super.search(searchRequest);
    const stored = this.maps.resources.get(searchRequest.resourceType)?.values() ?? [];
    const { page, total } = searchPage(stored, searchRequest);
    const entries: BundleEntry[] = page.map((r) => ({ search: { mode: 'match' }, resource: deepClone(r) }));
    if ((searchRequest.include || searchRequest.revInclude) && entries.length > 0) {
      await getExtraEntries(this, searchRequest, entries.map((e) => e.resource as WithId<T>), entries);
    }
    return { resourceType: 'Bundle', type: 'searchset', ...(entries.length ? { entry: entries as BundleEntry<WithId<T>>[] } : {}), total };
  }

  override async readResource<T extends Resource>(resourceType: string, id: string): Promise<T> {
    const current = this.maps.resources.get(resourceType)?.get(id);
    if (current) return deepClone(current) as T;
    throw new OperationOutcomeError(this.everExisted(resourceType, id) ? gone : notFound);
  }

  override async readVersion<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<T> {
    const version = this.maps.history.get(resourceType)?.get(id)?.find((v) => v.meta?.versionId === versionId);
    if (version) return deepClone(version) as T;
    const deleted = this.deletions.get(keyOf(resourceType, id))?.some((d) => d.versionId === versionId);
    throw new OperationOutcomeError(deleted ? gone : notFound);
  }

  override async deleteResource(resourceType: string, id: string, options?: DeleteResourceOptions): Promise<void> {
    const current = this.maps.resources.get(resourceType)?.get(id);
    if (!current) {
      // Deleting something already deleted succeeds (R4 http.html#delete: idempotent).
      if (this.everExisted(resourceType, id)) return;
      throw new OperationOutcomeError(notFound);
    }
    if (options?.ifMatch && current.meta?.versionId !== options.ifMatch) {
      throw new OperationOutcomeError(preconditionFailed);
    }
    const key = keyOf(resourceType, id);
    const version = (this.versions.get(key) ?? 0) + 1;
    this.maps.resources.get(resourceType)?.delete(id);
    const record = { resourceType, id, versionId: String(version), lastUpdated: this.tick() };
    this.deletions.set(key, [...(this.deletions.get(key) ?? []), record]);
    this.versions.set(key, version);
    this.pending.push({ interaction: 'delete', resource: deepClone(current) as WithId<Resource> });
  }

  override async readHistory<T extends Resource>(
    resourceType: string,
    id: string,
    options?: ReadHistoryOptions,
  ): Promise<Bundle<T>> {
    if (!this.everExisted(resourceType, id)) throw new OperationOutcomeError(notFound);
    return historyBundle(this.historyItems(resourceType, id), options) as Bundle<T>;
  }

  /** Type-level history (`GET [type]/_history`), newest first, optionally since an instant. */
  async readTypeHistory(resourceType: string, options: ReadHistoryOptions & { since?: string }): Promise<Bundle> {
    const items: HistoryItem[] = [];
    for (const id of this.maps.history.get(resourceType)?.keys() ?? []) items.push(...this.historyItems(resourceType, id));
    const since = options.since ? Date.parse(options.since) : undefined;
    if (since !== undefined && Number.isNaN(since)) throw new OperationOutcomeError(badRequest('Invalid _since'));
    const selected = since === undefined ? items : items.filter((i) => Date.parse(i.lastUpdated) >= since);
    return historyBundle(selected, options);
  }

  override async withTransaction<TResult>(callback: (repo: this) => Promise<TResult>): Promise<TResult> {
    if (this.inTransaction) return callback(this);
    const snapshot = this.snapshot();
    this.inTransaction = true;
    try {
      return await callback(this);
    } catch (err) {
      this.restore(snapshot);
      throw err;
    } finally {
      this.inTransaction = false;
    }
  }

  /** Writes made since the last call, in order. */
  takeChanges(): Change[] {
    const changes = this.pending;
    this.pending = [];
    return changes;
  }

  /** Current resources of one type, as stored (do not mutate). */
  currentOfType(resourceType: string): readonly Resource[] {
    return [...(this.maps.resources.get(resourceType)?.values() ?? [])];
  }

  exportState(): RepositoryState {
    const versions = [...this.maps.history.values()].flatMap((byId) => [...byId.values()].flat());
    const deletions = [...this.deletions.values()].flat();
    return { format: STATE_FORMAT, versions, deletions };
  }

  /** Replaces everything with a previously exported state. */
  importState(state: RepositoryState): void {
    if (state.format !== STATE_FORMAT) throw new Error(`unsupported sandbox data format ${String(state.format)}`);
    this.clear();
    for (const v of state.versions) {
      const { resourceType, id } = v as WithId<Resource>;
      const byType = this.maps.history.get(resourceType) ?? new Map<string, Resource[]>();
      this.maps.history.set(resourceType, byType);
      byType.set(id, [...(byType.get(id) ?? []), v]);
      this.bump(keyOf(resourceType, id), v.meta?.versionId, v.meta?.lastUpdated);
    }
    for (const d of state.deletions) {
      const key = keyOf(d.resourceType, d.id);
      this.deletions.set(key, [...(this.deletions.get(key) ?? []), d]);
      this.bump(key, d.versionId, d.lastUpdated);
    }
    for (const [type, byId] of this.maps.history) {
      for (const [id, list] of byId) {
        const latest = list.reduce((a, b) => (Number(b.meta?.versionId) > Number(a.meta?.versionId) ? b : a));
        if (Number(latest.meta?.versionId) !== this.versions.get(keyOf(type, id))) continue; // deleted last
        const current = this.maps.resources.get(type) ?? new Map<string, Resource>();
        this.maps.resources.set(type, current);
        current.set(id, latest);
      }
    }
  }

  override clear(): void {
    super.clear();
    this.deletions.clear();
    this.versions.clear();
    this.pending = [];
  }

  private bump(key: string, versionId: string | undefined, lastUpdated: string | undefined): void {
    this.versions.set(key, Math.max(this.versions.get(key) ?? 0, Number(versionId) || 0));
    this.lastStamp = Math.max(this.lastStamp, lastUpdated ? Date.parse(lastUpdated) || 0 : 0);
  }

  private everExisted(resourceType: string, id: string): boolean {
    return this.maps.history.get(resourceType)?.has(id) ?? false;
  }

  private historyItems(resourceType: string, id: string): HistoryItem[] {
    const versions: HistoryItem[] = (this.maps.history.get(resourceType)?.get(id) ?? []).map((resource) => ({
      resourceType,
      id,
      versionId: resource.meta?.versionId ?? '',
      lastUpdated: resource.meta?.lastUpdated ?? '',
      resource,
    }));
    const deletions: HistoryItem[] = (this.deletions.get(keyOf(resourceType, id)) ?? []).map((d) => ({ ...d }));
    return [...versions, ...deletions];
  }

  /** A strictly increasing clock, so `_lastUpdated` cursors and sorts never see ties. */
  private tick(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  private snapshot(): Snapshot {
    return {
      resources: copyResources(this.maps.resources),
      history: copyHistory(this.maps.history),
      deletions: copyDeletions(this.deletions),
      versions: new Map(this.versions),
      pending: this.pending.slice(),
    };
  }

  private restore(s: Snapshot): void {
    replaceMap(this.maps.resources, s.resources);
    replaceMap(this.maps.history, s.history);
    this.deletions = s.deletions;
    this.versions = s.versions;
    this.pending = s.pending;
  }
}

/** True when an update would change nothing but meta (then no new version is made, as HAPI does). */
function sameContent(current: Resource, next: Resource): boolean {
  const strip = (r: Resource): unknown => ({ ...r, meta: { ...r.meta, versionId: undefined, lastUpdated: undefined } });
  return canonicalJson(strip(current)) === canonicalJson(strip(next));
}
