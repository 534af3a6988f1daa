import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  applyPatch,
  badRequest,
  deepClone,
  fhirpathPatchTypedValue,
  gone,
  matchesSearchRequest,
  normalizeOperationOutcome,
  notFound,
  OperationOutcomeError,
  parseFhirPathPatchParameters,
  preconditionFailed,
  toTypedValue,
} from '@medplum/core';
import type { Operation, SearchRequest, WithId } from '@medplum/core';
import { FhirRepository, getExtraEntries } from '@medplum/fhir-router';
import type {
  CreateResourceOptions,
  DeleteResourceOptions,
  ReadHistoryOptions,
  SearchOptions,
  TransactionOptions,
  UpdateResourceOptions,
} from '@medplum/fhir-router';
import type { Bundle, BundleEntry, Parameters, Reference, Resource } from '@medplum/fhirtypes';
import { normaliseBaseUrl, parseReference, sameBase } from '../referral-model/references.js';
import type { Db } from '../store/db.js';
import { historyBundle, type HistoryItem } from './history.js';
import { typeStatisticsOf, type TypeStatistics } from './type-statistics.js';
import { indexRows } from './index-rows.js';
import { afterCondition, buildSearchSql, orderBy, Params } from './search-sql.js';
import { TransactionReads } from './transaction-reads.js';
import { versionWriteStatement, type VersionWrite } from './write-sql.js';

export type ChangeInteraction = 'create' | 'update' | 'delete';

export interface FhirStoreOptions {
  /** Which FHIR server in the database (e.g. `ehr`, `lw`): each store is independent. */
  readonly store: string;
  /** The server's public base URL: absolute references to it are indexed and searched as relative ones. */
  readonly baseUrl?: string;
  /** Checks a resource before it is stored; throws (an OperationOutcomeError → 400) to refuse it. */
  readonly validate?: (resource: Resource) => Promise<void>;
  /** Adjusts a resource before it is validated and stored, e.g. activating a requested Subscription. */
  readonly prepare?: (resource: Resource) => void;
  /** Called after a transaction that wrote something has committed (e.g. to wake a change-journal reader). */
  readonly onCommit?: () => void;
}

/** A committed change from the journal (`fhir_changes`); for a delete, `resource` is the last version before it. */
export interface CommittedChange {
  readonly seq: number;
  readonly interaction: ChangeInteraction;
  readonly resource: WithId<Resource>;
}

/** A held lease on a consumer of a store's change journal; `token` fences positions recorded under it. */
export interface ConsumerLease {
  readonly holder: string;
  readonly token: number;
}

/** Page size when a search names no `_count`. */
export const DEFAULT_SEARCH_COUNT = 20;

interface CurrentRow {
  rid: number;
  version: number;
  deleted: boolean;
  content: WithId<Resource>;
}

/** A resource's current row as read: 404 when there is none, 410 when it is deleted. */
function liveContent<T extends Resource>(row: Pick<CurrentRow, 'deleted' | 'content'> | undefined): WithId<T> {
  if (!row) throw new OperationOutcomeError(notFound);
  if (row.deleted) throw new OperationOutcomeError(gone);
  return row.content as WithId<T>;
}

/** Opens (creating if needed) one store in the database. */
export async function openFhirStore(db: Db, opts: FhirStoreOptions): Promise<DbFhirRepository> {
  await db.query('INSERT INTO fhir_stores (store) VALUES ($1) ON CONFLICT (store) DO NOTHING', [opts.store]);
  // Normalised once, so every comparison with a reference's base below is with the same spelling.
  return new DbFhirRepository(db, opts.baseUrl ? { ...opts, baseUrl: normaliseBaseUrl(opts.baseUrl) } : opts, false, undefined, typeStatisticsOf(db));
}

/**
 * A FHIR repository on SP Link's `Db` (PGlite or PostgreSQL), for Medplum's FhirRouter. Resources are JSONB,
 * every version is kept (deletes are tombstones), and search-index rows are written with each version, in the
 * same database transaction. Every write transaction first locks its store's row in `fhir_stores`, so writes to
 * one store are serialised across connections and instances: `lastUpdated` stamps strictly increase in commit
 * order, `If-Match` is checked against the row it updates, and a conditional create's search and create cannot
 * interleave with another's. Reads take no lock.
 */
export class DbFhirRepository extends FhirRepository {
  private locked = false;
  /** Versions this transaction wrote, per resource type. */
  private readonly written = new Map<string, number>();
  private finished = false;
  /** What this transaction read and wrote under the store lock (used on transaction handles only). */
  private readonly reads = new TransactionReads();

  constructor(
    private readonly rootDb: Db,
    private readonly opts: FhirStoreOptions,
    private readonly inTx = false,
    /** The transaction running in the current async context, shared by a repository and its transaction handles. */
    private readonly active = new AsyncLocalStorage<DbFhirRepository>(),
    /** Keeps the planner's per-type estimates fresh on the embedded database (type-statistics.ts). */
    private readonly stats?: TypeStatistics,
  ) {
    super();
  }

  /**
   * Where this repository's statements go: its own transaction, or, for the outer repository called from code
   * running inside one of its transactions (an authorisation hook reading a resource during a transaction
   * Bundle, say), that transaction. Such reads see the transaction's own writes, and on PGlite (one
   * connection) they cannot wait for the very transaction they run in.
   */
  private get db(): Db {
    if (this.inTx) return this.rootDb;
    const tx = this.joined();
    return tx ? tx.rootDb : this.rootDb;
  }

  /**
   * The reads of the transaction this call runs in, when that transaction holds the store's write lock: then no
   * other writer can change what it read (see TransactionReads).
   */
  private lockedReads(): TransactionReads | undefined {
    const tx = this.inTx ? this : this.joined();
    return tx?.locked ? tx.reads : undefined;
  }

  /** The transaction of the current async context, while it is still open. */
  private joined(): DbFhirRepository | undefined {
    const tx = this.active.getStore();
    return tx && !tx.finished ? tx : undefined;
  }

  get store(): string {
    return this.opts.store;
  }

  setMode(): void {
    // One mode: every read sees committed data.
  }

  generateId(): string {
    return randomUUID();
  }

  override async withTransaction<TResult>(callback: (repo: this) => Promise<TResult>, options?: TransactionOptions): Promise<TResult> {
    const current = this.inTx ? this : this.joined();
    if (current) {
      // Nested: joins the transaction already open (Medplum's conditional writes inside a Bundle, for one).
      if (options?.serializable) await current.lockStore();
      return callback(current as this);
    }
    let written: ReadonlyMap<string, number> = new Map();
    const result = await this.rootDb.transaction(async (tx) => {
      const repo = new DbFhirRepository(tx, this.opts, true, this.active) as this;
      try {
        return await this.active.run(repo, async () => {
          // Medplum asks for a serializable transaction around conditional writes: search then write, atomically.
          if (options?.serializable) await repo.lockStore();
          const out = await callback(repo);
          written = repo.written;
          return out;
        });
      } finally {
        repo.finished = true;
      }
    });
    if (written.size > 0) this.committed(written);
    return result;
  }

  async createResource<T extends Resource>(resource: T, options?: CreateResourceOptions): Promise<WithId<T>> {
    const body = deepClone(resource);
    // FHIR create ignores a client-supplied id; ids assigned by a transaction Bundle or a seed are kept.
    if (!options?.assignedId) delete body.id;
    body.id ??= this.generateId();
    const ready = await this.checked(body as WithId<T>);
    if (!this.inTx && !this.joined()) {
      // On its own, a create is one statement (atomic without a transaction); only a taken id needs more.
      const created = await this.insert(this.rootDb, ready);
      if (created) {
        this.committed(new Map([[created.resourceType, 1]]));
        return created;
      }
    }
    return this.withTransaction((repo) => repo.write(ready, 'create'));
  }

  async updateResource<T extends Resource>(resource: T, options?: UpdateResourceOptions): Promise<WithId<T>> {
    if (!resource.id) throw new OperationOutcomeError(badRequest('Missing id'));
    const body = await this.checked(deepClone(resource) as WithId<T>);
    return this.withTransaction((repo) => repo.write(body, 'update', options?.ifMatch));
  }

  async patchResource<T extends Resource>(
    resourceType: T['resourceType'],
    id: string,
    patch: Operation[] | Parameters,
    options?: UpdateResourceOptions,
  ): Promise<WithId<T>> {
    return this.withTransaction(async (repo) => {
      await repo.lockStore();
      const resource = await repo.readResource<T>(resourceType, id);
      try {
        if (Array.isArray(patch)) {
          const errors = applyPatch(resource, patch).filter(Boolean);
          if (errors.length > 0) throw new OperationOutcomeError(badRequest(errors.map((e) => (e as Error).message).join('\n')));
        } else if (patch.parameter) {
          fhirpathPatchTypedValue(toTypedValue(resource), parseFhirPathPatchParameters(patch));
        }
      } catch (err) {
        throw new OperationOutcomeError(normalizeOperationOutcome(err));
      }
      return repo.write(await repo.checked(resource), 'update', options?.ifMatch);
    });
  }

  async deleteResource(resourceType: string, id: string, options?: DeleteResourceOptions): Promise<void> {
    await this.withTransaction(async (repo) => {
      await repo.lockStore();
      const current = await repo.current(resourceType, id, true);
      if (!current) throw new OperationOutcomeError(notFound);
      if (current.deleted) return; // deleting something deleted succeeds (R4 http.html#delete: idempotent)
      if (options?.ifMatch && String(current.version) !== options.ifMatch) throw new OperationOutcomeError(preconditionFailed);
      await repo.store1({ kind: 'delete', rid: current.rid, version: current.version + 1, resourceType, id }, 'delete');
    });
  }

  async readResource<T extends Resource>(resourceType: string, id: string): Promise<WithId<T>> {
    // A resource this transaction wrote is read back as written, without a statement.
    const own = this.lockedReads()?.read(resourceType, id);
    if (own === null) throw new OperationOutcomeError(gone);
    if (own) return own as WithId<T>;
    return liveContent<T>(await this.current(resourceType, id, false));
  }

  async readReference<T extends Resource>(reference: Reference<T>): Promise<WithId<T>> {
    const p = this.ownTarget(reference.reference);
    if (!p) throw new OperationOutcomeError(notFound);
    return p.version ? this.readVersion<T>(p.resourceType, p.id, p.version) : this.readResource<T>(p.resourceType, p.id);
  }

  /**
   * `_include` asks for every match's target: a page of 100 ServiceRequests names 100 Patients (or one Patient 100
   * times). Each distinct reference is read once, and the current versions of one type in one statement.
   */
  async readReferences<T extends Resource>(references: readonly Reference<T>[]): Promise<(T | Error)[]> {
    const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
    const distinct = [...new Set(references.map((r) => r.reference))];
    // Current versions on this server, other than what this transaction wrote (readReference reads those back as
    // written); versioned, foreign and unparseable references go through readReference one by one.
    const batched = new Map<string, { resourceType: string; id: string }>();
    const idsByType = new Map<string, Set<string>>();
    for (const reference of distinct) {
      const p = this.ownTarget(reference);
      if (!reference || !p || p.version || this.lockedReads()?.read(p.resourceType, p.id) !== undefined) continue;
      batched.set(reference, p);
      idsByType.set(p.resourceType, (idsByType.get(p.resourceType) ?? new Set<string>()).add(p.id));
    }
    const rows = new Map<string, Pick<CurrentRow, 'deleted' | 'content'>>();
    for (const [resourceType, ids] of idsByType) {
      const found = await this.db.query<Pick<CurrentRow, 'deleted' | 'content'> & { id: string }>(
        'SELECT id, deleted, content FROM fhir_resources WHERE store = $1 AND resource_type = $2 AND id = ANY($3::text[])',
        [this.store, resourceType, [...ids]],
      );
      for (const row of found.rows) rows.set(`${resourceType}/${row.id}`, row);
    }
    const reads = new Map(distinct.map((reference) => {
      const p = reference === undefined ? undefined : batched.get(reference);
      const read = p
        ? Promise.resolve().then(() => liveContent<T>(rows.get(`${p.resourceType}/${p.id}`)))
        : this.readReference<T>({ reference });
      return [reference, read.catch(asError)] as const;
    }));
    return Promise.all(references.map((r) => reads.get(r.reference)!));
  }

  async readVersion<T extends Resource>(resourceType: string, id: string, vid: string): Promise<WithId<T>> {
    if (!/^\d{1,9}$/.test(vid)) throw new OperationOutcomeError(notFound);
    const { rows } = await this.db.query<{ content: WithId<T> | null }>(
      `SELECT v.content FROM fhir_versions v JOIN fhir_resources r ON r.rid = v.rid
       WHERE r.store = $1 AND r.resource_type = $2 AND r.id = $3 AND v.version = $4`,
      [this.store, resourceType, id, Number(vid)],
    );
    const row = rows[0];
    if (!row) throw new OperationOutcomeError(notFound);
    if (!row.content) throw new OperationOutcomeError(gone);
    return row.content;
  }

  async readHistory<T extends Resource>(resourceType: string, id: string, options?: ReadHistoryOptions): Promise<Bundle<WithId<T>>> {
    const current = await this.current(resourceType, id, false);
    if (!current) throw new OperationOutcomeError(notFound);
    const { rows } = await this.db.query<HistoryRow>(
      `SELECT version, last_updated, content FROM fhir_versions WHERE rid = $1 ORDER BY version DESC LIMIT $2 OFFSET $3`,
      [current.rid, options?.limit ?? 100, options?.offset ?? 0],
    );
    const items = rows.map((r) => historyItem(resourceType, id, r));
    return historyBundle(items, current.version) as Bundle<WithId<T>>;
  }

  /** Type-level history (`GET [type]/_history`), newest first, optionally since an instant. */
  async readTypeHistory(resourceType: string, options: ReadHistoryOptions & { since?: string }): Promise<Bundle> {
    const since = options.since ?? '-infinity';
    if (options.since && Number.isNaN(Date.parse(options.since))) throw new OperationOutcomeError(badRequest('Invalid _since'));
    const where = 'r.store = $1 AND r.resource_type = $2 AND v.last_updated >= $3::timestamptz';
    const args = [this.store, resourceType, since];
    const [{ rows }, count] = await Promise.all([
      this.db.query<HistoryRow & { id: string }>(
        `SELECT r.id, v.version, v.last_updated, v.content FROM fhir_versions v JOIN fhir_resources r ON r.rid = v.rid
         WHERE ${where} ORDER BY v.last_updated DESC, v.rid DESC LIMIT $4 OFFSET $5`,
        [...args, options.limit ?? 100, options.offset ?? 0],
      ),
      this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_versions v JOIN fhir_resources r ON r.rid = v.rid WHERE ${where}`, args),
    ]);
    return historyBundle(
      rows.map((r) => historyItem(resourceType, r.id, r)),
      count.rows[0]?.n ?? 0,
    );
  }

  async search<T extends Resource>(searchRequest: SearchRequest<T>, options?: SearchOptions): Promise<Bundle<WithId<T>>> {
    const p = new Params();
    const base = [`r.store = ${p.add(this.store)}`, `r.resource_type = ${p.add(searchRequest.resourceType)}`, 'NOT r.deleted'];
    const { where, residual, sort, whereParams } = buildSearchSql(searchRequest, p, this.baseUrl);
    const count = Math.max(0, searchRequest.count ?? DEFAULT_SEARCH_COUNT);
    const offset = Math.max(0, searchRequest.offset ?? 0);
    const conditions = [...base, ...where];
    const wantTotal = !options?.resourceOnly && searchRequest.total !== 'none' && searchRequest.cursor === undefined;

    const pageConditions = [...conditions];
    if (searchRequest.cursor !== undefined) pageConditions.push(afterCondition(sort, decodeCursor(searchRequest.cursor), p));
    const selectSort = sort.map((c, i) => `(${c.expr})::text AS s${i}`).join(', ');
    const sqlBase = `SELECT r.content, ${selectSort} FROM fhir_resources r WHERE ${pageConditions.join(' AND ')} ORDER BY ${orderBy(sort)}`;

    let page: PageRow<T>[];
    let more: boolean;
    let total: number | undefined;
    if (residual.length === 0) {
      const totalQuery = wantTotal ? this.countWhere(conditions, p.values.slice(0, whereParams)) : Promise.resolve(undefined);
      // Under the store lock, a first page without totals or includes is kept, and the same query asked again
      // (Medplum's identity resolution, then the conditional create, search each ifNoneExist) answered from it.
      const reads = !wantTotal && offset === 0 && count > 0 && !searchRequest.include && !searchRequest.revInclude ? this.lockedReads() : undefined;
      const key = reads && `${sqlBase}\n${JSON.stringify(p.values)}`;
      const kept = key ? reads?.search<PageRow<T>>(key, count + 1) : undefined;
      const rowsQuery =
        count === 0
          ? Promise.resolve([] as PageRow<T>[])
          : kept
            ? Promise.resolve(kept)
            : this.db.query<PageRow<T>>(`${sqlBase} LIMIT ${count + 1} OFFSET ${offset}`, p.values).then((r) => r.rows);
      const [rows, n] = await Promise.all([rowsQuery, totalQuery]);
      if (key && !kept) reads?.keepSearch(key, searchRequest.resourceType, rows, rows.length <= count);
      more = rows.length > count;
      page = rows.slice(0, count);
      total = n;
    } else {
      // Filters the index cannot answer (rare modifiers) are applied here, on the rows the others selected.
      const rest: SearchRequest = { resourceType: searchRequest.resourceType, filters: residual };
      const { rows } = await this.db.query<PageRow<T>>(sqlBase, p.values);
      const matching = rows.filter((r) => matchesSearchRequest(r.content, rest));
      if (wantTotal) total = matching.length;
      page = matching.slice(offset, offset + count);
      more = matching.length > offset + count;
    }

    const entries: BundleEntry<WithId<T>>[] = page.map((r) => ({ search: { mode: 'match' }, resource: r.content }));
    if ((searchRequest.include || searchRequest.revInclude) && entries.length > 0) {
      await getExtraEntries(this, searchRequest, page.map((r) => r.content), entries as BundleEntry[]);
    }
    const bundle: Bundle<WithId<T>> = { resourceType: 'Bundle', type: 'searchset', ...(entries.length ? { entry: entries } : {}) };
    if (total !== undefined) bundle.total = total;
    const last = page.at(-1);
    if (more && last) {
      const cursor = encodeCursor(sort.map((_c, i) => last[`s${i}`] as string));
      bundle.link = [{ relation: 'next', url: `${searchRequest.resourceType}?${nextQuery(searchRequest, cursor)}` }];
    }
    return bundle;
  }

  async searchByReference<T extends Resource>(
    searchRequest: SearchRequest<T>,
    referenceField: string,
    references: string[],
  ): Promise<Record<string, WithId<T>[]>> {
    const out: Record<string, WithId<T>[]> = {};
    for (const reference of references) {
      out[reference] = await this.searchResources<T>({
        ...searchRequest,
        filters: [...(searchRequest.filters ?? []), { code: referenceField, operator: 'eq', value: reference }],
      });
    }
    return out;
  }

  /** Committed changes after `afterSeq`, oldest first (the change journal). */
  async changesSince(afterSeq: number, limit = 100): Promise<CommittedChange[]> {
    const { rows } = await this.db.query<{ seq: number; interaction: ChangeInteraction; content: WithId<Resource> }>(
      `SELECT c.seq, c.interaction,
              COALESCE(v.content, (SELECT p.content FROM fhir_versions p WHERE p.rid = c.rid AND p.version = c.version - 1)) AS content
       FROM fhir_changes c JOIN fhir_versions v ON v.rid = c.rid AND v.version = c.version
       WHERE c.store = $1 AND c.seq > $2 ORDER BY c.seq LIMIT $3`,
      [this.store, afterSeq, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), interaction: r.interaction, resource: r.content }));
  }

  /** The newest journal position of this store (0 when nothing was written). */
  async lastChangeSeq(): Promise<number> {
    const { rows } = await this.db.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM fhir_changes WHERE store = $1', [this.store]);
    return Number(rows[0]?.seq ?? 0);
  }

  /** Where a consumer of the change journal got to (0 before its first change). */
  async consumerPosition(consumer: string): Promise<number> {
    const { rows } = await this.db.query<{ last_seq: number }>('SELECT last_seq FROM fhir_change_consumers WHERE store = $1 AND consumer = $2', [
      this.store,
      consumer,
    ]);
    return Number(rows[0]?.last_seq ?? 0);
  }

  /**
   * Records that a consumer has finished every change up to `seq` (never moves it back). With `lease`, only while
   * that lease is still held, unexpired and not taken over: false (nothing recorded) when it was lost.
   */
  async recordConsumerPosition(consumer: string, seq: number, lease?: ConsumerLease): Promise<boolean> {
    if (lease) {
      const { rowCount } = await this.db.query(
        `UPDATE fhir_change_consumers SET last_seq = greatest(last_seq, $3)
         WHERE store = $1 AND consumer = $2 AND holder = $4 AND fencing_token = $5 AND lease_expires_at > now()`,
        [this.store, consumer, seq, lease.holder, lease.token],
      );
      return rowCount > 0;
    }
    await this.db.query(
      `INSERT INTO fhir_change_consumers (store, consumer, last_seq) VALUES ($1, $2, $3)
       ON CONFLICT (store, consumer) DO UPDATE SET last_seq = greatest(fhir_change_consumers.last_seq, EXCLUDED.last_seq)`,
      [this.store, consumer, seq],
    );
    return true;
  }

  /**
   * Takes or renews the lease on a consumer of this store's journal for `ttlMs`, so that one instance of several
   * sharing the database consumes it. Succeeds when nobody holds it, `holder` already does, or the lease expired
   * (its holder stopped or died); undefined when another holder has it. A change of holder increments the fencing
   * token, so positions recorded under the old lease are refused.
   */
  async acquireConsumerLease(consumer: string, holder: string, ttlMs: number): Promise<ConsumerLease | undefined> {
    const { rows } = await this.db.query<{ fencing_token: number }>(
      `INSERT INTO fhir_change_consumers AS c (store, consumer, holder, fencing_token, lease_expires_at)
       VALUES ($1, $2, $3, 1, now() + make_interval(secs => $4::double precision / 1000))
       ON CONFLICT (store, consumer) DO UPDATE SET
         fencing_token = CASE WHEN c.holder = EXCLUDED.holder AND c.lease_expires_at > now() THEN c.fencing_token ELSE c.fencing_token + 1 END,
         holder = EXCLUDED.holder,
         lease_expires_at = EXCLUDED.lease_expires_at
       WHERE c.holder IS NULL OR c.holder = EXCLUDED.holder OR c.lease_expires_at IS NULL OR c.lease_expires_at <= now()
       RETURNING fencing_token`,
      [this.store, consumer, holder, ttlMs],
    );
    const row = rows[0];
    return row ? { holder, token: Number(row.fencing_token) } : undefined;
  }

  /** Gives a consumer lease up (a graceful stop), so another instance takes over at once instead of at expiry. */
  async releaseConsumerLease(consumer: string, lease: ConsumerLease): Promise<void> {
    await this.db.query(
      `UPDATE fhir_change_consumers SET lease_expires_at = now()
       WHERE store = $1 AND consumer = $2 AND holder = $3 AND fencing_token = $4`,
      [this.store, consumer, lease.holder, lease.token],
    );
  }

  /** Who holds a consumer's lease now (undefined when nobody does or it expired). */
  async consumerLeaseHolder(consumer: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ holder: string }>(
      'SELECT holder FROM fhir_change_consumers WHERE store = $1 AND consumer = $2 AND lease_expires_at > now()',
      [this.store, consumer],
    );
    return rows[0]?.holder;
  }

  /** How many resources the store holds now (deleted ones not counted). */
  async resourceCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM fhir_resources WHERE store = $1 AND NOT deleted', [this.store]);
    return rows[0]?.n ?? 0;
  }

  /** True when nothing was ever stored here (not even something since deleted). */
  async isEmpty(): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM fhir_resources WHERE store = $1 LIMIT 1', [this.store]);
    return rows.length === 0;
  }

  /**
   * Stores versions exactly as they were kept elsewhere (ids, version ids and `lastUpdated` stamps unchanged,
   * deletions as items without a resource), e.g. another server's history or an earlier data file, in one
   * transaction. Version ids must be whole numbers. Nothing is journalled: it is not a change anyone subscribed to.
   */
  async importHistory(items: readonly HistoryItem[]): Promise<void> {
    const byResource = new Map<string, HistoryItem[]>();
    for (const item of items) {
      if (!/^[1-9]\d{0,8}$/.test(item.versionId)) throw new Error(`${item.resourceType}/${item.id}: version id "${item.versionId}" is not a whole number`);
      if (Number.isNaN(Date.parse(item.lastUpdated))) throw new Error(`${item.resourceType}/${item.id}: invalid lastUpdated "${item.lastUpdated}"`);
      const key = `${item.resourceType}/${item.id}`;
      byResource.set(key, [...(byResource.get(key) ?? []), item]);
    }
    await this.withTransaction(async (repo) => {
      await repo.lockStore();
      repo.reads.forget();
      let newest = 0;
      for (const [key, versions] of byResource) {
        versions.sort((a, b) => Number(a.versionId) - Number(b.versionId));
        const latest = versions.at(-1)!;
        const lastContent = [...versions].reverse().find((v) => v.resource)?.resource;
        if (!lastContent) throw new Error(`${key}: no version with content`);
        if (await repo.current(latest.resourceType, latest.id, true)) throw new Error(`${key} is already stored`);
        const { rows } = await repo.db.query<{ rid: number }>(
          `INSERT INTO fhir_resources (store, resource_type, id, version, last_updated, deleted, content)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING rid`,
          [this.store, latest.resourceType, latest.id, Number(latest.versionId), latest.lastUpdated, !latest.resource, lastContent],
        );
        const rid = Number(rows[0]!.rid);
        for (const v of versions) {
          await repo.db.query('INSERT INTO fhir_versions (rid, version, last_updated, content) VALUES ($1, $2, $3, $4)', [
            rid,
            Number(v.versionId),
            v.lastUpdated,
            v.resource ?? null,
          ]);
          newest = Math.max(newest, Date.parse(v.lastUpdated));
        }
        if (latest.resource) await repo.writeIndex(rid, latest.resource);
      }
      // The store's clock continues after the newest imported stamp, so later versions sort after them.
      await repo.db.query('UPDATE fhir_stores SET last_stamp = greatest(last_stamp, $2::timestamptz) WHERE store = $1', [
        this.store,
        new Date(newest).toISOString(),
      ]);
    });
  }

  /** Removes every resource, version, index row and journal entry of this store (the store's clock keeps running). */
  async clear(): Promise<void> {
    await this.withTransaction(async (repo) => {
      await repo.lockStore();
      repo.reads.forget();
      await repo.db.query('DELETE FROM fhir_resources WHERE store = $1', [this.store]);
    });
  }

  /** Current resources of one type (for small sets, e.g. Subscriptions). */
  async currentOfType<T extends Resource>(resourceType: T['resourceType']): Promise<WithId<T>[]> {
    const { rows } = await this.db.query<{ content: WithId<T> }>(
      'SELECT content FROM fhir_resources WHERE store = $1 AND resource_type = $2 AND NOT deleted ORDER BY rid',
      [this.store, resourceType],
    );
    return rows.map((r) => r.content);
  }

  /** After a commit that wrote something: wake journal readers, and keep the planner's estimates fresh. */
  private committed(written: ReadonlyMap<string, number>): void {
    this.stats?.noteWrites(written);
    this.opts.onCommit?.();
  }

  private get baseUrl(): string | undefined {
    return this.opts.baseUrl;
  }

  /** A reference's target when it is on this server (relative, or absolute on its own base); else undefined. */
  private ownTarget(reference: string | undefined): ReturnType<typeof parseReference> {
    const p = parseReference(reference);
    return p && (p.base === undefined || (this.baseUrl !== undefined && sameBase(p.base, this.baseUrl))) ? p : undefined;
  }

  /**
   * Prepares and validates a resource before anything is written or locked (the outcome does not depend on the
   * stored state), with the meta it will have in form if not in value, so the store lock is held only for the write.
   */
  private async checked<T extends Resource>(body: WithId<T>): Promise<WithId<T>> {
    this.opts.prepare?.(body);
    body.meta = { ...body.meta, versionId: '1', lastUpdated: new Date().toISOString() };
    await this.opts.validate?.(body);
    return body;
  }

  /** Stores a new resource in one statement; undefined, with nothing written, when its id is taken. */
  private async insert<T extends Resource>(db: Db, body: WithId<T>): Promise<WithId<T> | undefined> {
    body.meta = { ...body.meta, versionId: '1' };
    const stored = await this.run(db, { kind: 'insert', resource: body, index: indexRows(body, this.baseUrl) }, 'create');
    if (!stored) return undefined;
    body.meta = { ...body.meta, lastUpdated: stored.stamp };
    return body;
  }

  /** Creates or updates a checked resource inside this repository's transaction. */
  private async write<T extends Resource>(body: WithId<T>, mode: 'create' | 'update', ifMatch?: string): Promise<WithId<T>> {
    if (mode === 'create') {
      // The usual case, a new id, is one statement; it takes the store lock like any other write.
      const created = await this.insert(this.db, body);
      this.locked = true;
      if (created) return created;
    }
    await this.lockStore();
    const current = await this.current(body.resourceType, body.id, true);
    if (mode === 'create' && current && !current.deleted) throw new OperationOutcomeError(badRequest('Assigned ID is already in use'));
    if (ifMatch !== undefined && (!current || current.deleted || String(current.version) !== ifMatch)) {
      throw new OperationOutcomeError(preconditionFailed);
    }
    // An update that changes nothing but meta makes no new version (as HAPI does).
    if (current && !current.deleted && sameContent(current.content, body)) return current.content as WithId<T>;
    if (!current) {
      const created = await this.insert(this.db, body);
      if (!created) throw new Error(`${body.resourceType}/${body.id} appeared while the store was locked`);
      return created;
    }
    const version = current.version + 1;
    body.meta = { ...body.meta, versionId: String(version) };
    const index = indexRows(body, this.baseUrl);
    const stored = await this.store1({ kind: 'update', rid: current.rid, version, resource: body, index }, current.deleted ? 'create' : 'update');
    body.meta = { ...body.meta, lastUpdated: stored.stamp };
    return body;
  }

  /** Runs one version write inside this repository's transaction; the row it wrote must exist. */
  private async store1(write: VersionWrite, interaction: ChangeInteraction): Promise<{ rid: number; stamp: string }> {
    const stored = await this.run(this.db, write, interaction);
    if (!stored) throw new Error('the row to write a version of has gone');
    return stored;
  }

  private async run(db: Db, write: VersionWrite, interaction: ChangeInteraction): Promise<{ rid: number; stamp: string } | undefined> {
    const { sql, params } = versionWriteStatement(this.store, write, interaction);
    const { rows } = await db.query<{ rid: number; last_updated: Date | string }>(sql, params);
    const row = rows[0];
    if (!row) return undefined;
    const type = write.kind === 'delete' ? write.resourceType : write.resource.resourceType;
    this.written.set(type, (this.written.get(type) ?? 0) + 1);
    const stamp = new Date(row.last_updated).toISOString();
    // The statement took the store lock: what the transaction wrote is what a read in it would find.
    const tx = this.inTx ? this : this.joined();
    if (write.kind === 'delete') tx?.reads.wrote(write.resourceType, write.id, null);
    else tx?.reads.wrote(write.resource.resourceType, write.resource.id!, { ...write.resource, meta: { ...write.resource.meta, lastUpdated: stamp } } as WithId<Resource>);
    return { rid: Number(row.rid), stamp };
  }

  /** The search-index rows of a resource's current version (the caller removed any earlier ones). */
  private async writeIndex(rid: number, resource: Resource): Promise<void> {
    const index = indexRows(resource, this.baseUrl);
    if (index.length === 0) return;
    await this.db.query(
      `INSERT INTO fhir_search_index (rid, code, system, value, exact, low, high, num)
       SELECT $1, x.code, x.system, x.value, x.exact, x.low, x.high, x.num
       FROM jsonb_to_recordset($2::jsonb) AS x(code text, system text, value text, exact text, low timestamptz, high timestamptz, num numeric)`,
      [rid, JSON.stringify(index)],
    );
  }

  private async current(resourceType: string, id: string, forUpdate: boolean): Promise<CurrentRow | undefined> {
    const { rows } = await this.db.query<CurrentRow>(
      `SELECT rid, version, deleted, content FROM fhir_resources WHERE store = $1 AND resource_type = $2 AND id = $3${forUpdate ? ' FOR UPDATE' : ''}`,
      [this.store, resourceType, id],
    );
    const row = rows[0];
    return row ? { ...row, rid: Number(row.rid) } : undefined;
  }

  /** Takes this store's write lock for the rest of the transaction (see the class comment). */
  private async lockStore(): Promise<void> {
    if (this.locked) return;
    if (!this.inTx) throw new Error('lockStore() outside a transaction');
    const { rowCount } = await this.db.query('SELECT 1 FROM fhir_stores WHERE store = $1 FOR UPDATE', [this.store]);
    if (rowCount === 0) throw new Error(`FHIR store "${this.store}" does not exist; open it with openFhirStore()`);
    this.locked = true;
  }

  private async countWhere(conditions: string[], values: unknown[]): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM fhir_resources r WHERE ${conditions.join(' AND ')}`, values);
    return rows[0]?.n ?? 0;
  }
}

type PageRow<T extends Resource> = { content: WithId<T> } & Record<`s${number}`, string>;

interface HistoryRow {
  version: number;
  last_updated: Date | string;
  content: Resource | null;
}

function historyItem(resourceType: string, id: string, r: HistoryRow): HistoryItem {
  return {
    resourceType,
    id,
    versionId: String(r.version),
    lastUpdated: new Date(r.last_updated).toISOString(),
    ...(r.content ? { resource: r.content } : {}),
  };
}

function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.every((v) => typeof v === 'string')) return values;
  } catch {
    // fall through
  }
  throw new OperationOutcomeError(badRequest('Invalid _cursor'));
}

/** The query of the next page: the same search with `_cursor` instead of `_offset`. */
function nextQuery(req: SearchRequest, cursor: string): string {
  const params = new URLSearchParams();
  for (const f of req.filters ?? []) params.append(f.operator === 'eq' ? f.code : `${f.code}:${f.operator}`, f.value);
  if (req.sortRules?.length) params.set('_sort', req.sortRules.map((r) => `${r.descending ? '-' : ''}${r.code}`).join(','));
  for (const t of req.include ?? []) params.append(t.modifier ? `_include:${t.modifier}` : '_include', includeValue(t));
  for (const t of req.revInclude ?? []) params.append(t.modifier ? `_revinclude:${t.modifier}` : '_revinclude', includeValue(t));
  if (req.count !== undefined) params.set('_count', String(req.count));
  params.set('_cursor', cursor);
  return params.toString();
}

const includeValue = (t: { resourceType: string; searchParam: string; targetType?: string }): string =>
  [t.resourceType, t.searchParam, t.targetType].filter(Boolean).join(':');

/** True when two versions differ only in meta.versionId / meta.lastUpdated. */
function sameContent(current: Resource, next: Resource): boolean {
  const strip = (r: Resource): unknown => ({ ...r, meta: { ...r.meta, versionId: undefined, lastUpdated: undefined } });
  return canonicalJson(strip(current)) === canonicalJson(strip(next));
}

/** JSON with sorted keys, to compare resources regardless of property order (JSONB reorders keys). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
