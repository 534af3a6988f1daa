import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { allOk, badRequest, normalizeErrorString, OperationOutcomeError } from '@medplum/core';
import { FhirRouter } from '@medplum/fhir-router';
import type { FhirRequest, FhirRouteHandler, HttpMethod } from '@medplum/fhir-router';
import type { CapabilityStatementRestSecurity, Resource, Subscription } from '@medplum/fhirtypes';
import type { Request, Router } from 'express';
import {
  ChangeReader,
  DbFhirRepository,
  openFhirStore,
  serialiseConditionalBundles,
  type ChangeInteraction,
  type CommittedChange,
} from '../fhir-store/index.js';
import { logger as rootLogger } from '../observability/logger.js';
import { openDb, type Db } from '../store/db.js';
import { authorizedRouter, authorizeOrThrow, type AuthorizeFn } from './authorize.js';
import { buildCapabilityStatement } from './capability.js';
import { readSandboxDataFile, retireSandboxDataFile } from './data-file-import.js';
import { ensureR4Definitions } from './definitions.js';
import { createFhirHttpRouter } from './http.js';
import { matchDeliveries, prepareSubscription, RestHookNotifier, type SubscriptionActivation } from './subscriptions.js';
import { validateOnWrite } from './validate-on-write.js';
import { normaliseBaseUrl } from '../referral-model/references.js';

export type { AuthorizeFn, FhirAccess, FhirInteraction } from './authorize.js';

/** The change-journal consumer that sends rest-hook notifications. */
const NOTIFIER = 'rest-hook';

/**
 * With several instances on one PostgreSQL database, one of them notifies (src/fhir-store ChangeReader): a lease of
 * 10 s renewed every second, so a dead holder's notifications resume on another instance within about 11 s.
 */
const JOURNAL_LEASE = { ttlMs: 10_000, pollMs: 1_000 };

export interface FhirServerOptions {
  /** The store's name in the database (`ehr`, `lw`, `hosted:<endpoint id>`). */
  readonly name: string;
  /** Title in the CapabilityStatement; absent: the sandbox server's own for `ehr` and `lw`. */
  readonly title?: string;
  /** Absolute public base, e.g. http://localhost:3000/sandbox/ehr/fhir (used in Location, fullUrl, links). */
  readonly baseUrl: string;
  /**
   * The database the server's FHIR store lives in (store `name`), e.g. SP Link's own. Absent: an in-memory
   * PGlite database of its own, gone when the server closes (tests, benchmarks).
   */
  readonly db?: Db;
  /** A JSON data file of earlier versions (`ehr.json` / `lw.json`): imported into an empty store, then renamed `.imported`. */
  readonly dataFile?: string;
  /** The demo data, written when the store is empty (and there is no data file) and on reset(). */
  readonly seed?: () => Resource[];
  /** Called for every interaction, including each entry of a batch/transaction; throws to deny. */
  readonly authorize?: AuthorizeFn;
  /** Called for each committed create/update/delete, in commit order, from the change journal. */
  readonly onChange?: (resource: Resource, interaction: ChangeInteraction) => void;
  /** Advertised in the CapabilityStatement when the server is protected (SMART). */
  readonly security?: CapabilityStatementRestSecurity;
  /** Rest-hook delivery budget (defaults: 3 attempts, 0.25 s / 1 s apart, 5 s timeout each). */
  readonly restHook?: { attempts?: number; retryDelaysMs?: readonly number[]; timeoutMs?: number };
  /** How `requested` rest-hook Subscriptions become active (default on-create; see src/sandbox/dialects). */
  readonly subscriptionActivation?: SubscriptionActivation;
  /** Delay before an `async` activation (ms, default 200). */
  readonly subscriptionActivationDelayMs?: number;
  /** The notifier's lease on PostgreSQL, where several instances may share the store (default JOURNAL_LEASE). */
  readonly journalLease?: { ttlMs: number; pollMs: number };
}

export interface FhirServer {
  readonly name: string;
  readonly baseUrl: string;
  /** Mount at the path of `baseUrl`, e.g. app.use('/sandbox/ehr/fhir', server.router). */
  readonly router: Router;
  readonly repo: DbFhirRepository;
  /** Runs `fn` in one transaction holding the store's write lock: a consistent view, and its writes commit together. */
  exclusive<T>(fn: (repo: DbFhirRepository) => Promise<T>): Promise<T>;
  /** Replaces all data with the seed. */
  reset(): Promise<void>;
  /** Every committed write is durable as it commits; kept for callers that wait for it. */
  flush(): Promise<void>;
  /** Waits until every write committed so far has been notified (rest-hook deliveries finished). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An R4 FHIR server (the sandbox's two, and each hosted link-worker record): Medplum's FhirRouter over a `DbFhirRepository` (src/fhir-store) in SP
 * Link's database, behind an express adapter. Each request or Bundle is one database transaction; rest-hook
 * notifications are fed from the store's change journal, so they follow committed writes only and survive a
 * crash.
 */
export async function createFhirServer(opts: FhirServerOptions): Promise<FhirServer> {
  ensureR4Definitions();
  const log = rootLogger.child({ module: 'fhir-server', server: opts.name });
  const baseUrl = normaliseBaseUrl(opts.baseUrl);
  const activation = opts.subscriptionActivation ?? 'on-create';
  const ownDb = opts.db ? undefined : await openDb({ memory: true });
  const db = opts.db ?? ownDb!;
  // Commits wake the change-journal reader, which needs the repository first.
  let wakeReader = (): void => undefined;
  const repo = await openFhirStore(db, {
    store: opts.name,
    baseUrl,
    validate: validateOnWrite,
    prepare: (r) => prepareSubscription(r, activation),
    onCommit: () => wakeReader(),
  });
  const activations = new Set<NodeJS.Timeout>();
  const context = new AsyncLocalStorage<Request>();
  const baseRouter = new FhirRouter();
  baseRouter.add('GET', ':resourceType/_history', typeHistory, 'history-type');
  // Authorisation wraps the serialised Bundle handler: a request is authorised before the store lock is taken.
  const fhirRouter = authorizedRouter(serialiseConditionalBundles(baseRouter), () => context.getStore(), opts.authorize);
  const capability = JSON.stringify(buildCapabilityStatement({ name: opts.name, baseUrl, security: opts.security, ...(opts.title ? { title: opts.title } : {}) }));

  const notifier = new RestHookNotifier({
    ...opts.restHook,
    logger: log,
    isActive: async (id) => {
      const sub = await repo.readResource<Subscription>('Subscription', id).catch(() => undefined);
      return sub?.status === 'active';
    },
    markError: (id, message) =>
      exclusive(async (r) => {
        const sub = await r.readResource<Subscription>('Subscription', id);
        if (sub.status === 'active') await r.updateResource<Subscription>({ ...sub, status: 'error', error: message });
      }),
  });

  /** Committed changes from the journal: tell listeners, then notify; the journal position moves on after. */
  async function handleChanges(changes: readonly CommittedChange[]): Promise<void> {
    for (const c of changes) {
      try {
        opts.onChange?.(c.resource, c.interaction);
      } catch (err) {
        log.warn({ err }, 'onChange listener failed');
      }
      if (activation === 'async') scheduleActivation(c.resource);
    }
    await notifier.enqueue(matchDeliveries(changes, await repo.currentOfType('Subscription')));
  }
  // Embedded PGlite is one process's alone; on PostgreSQL other instances may serve the same store, and one
  // instance at a time notifies, under a lease (each committed change notified once, not once per instance).
  const lease = db.kind === 'postgres' ? { holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, ...(opts.journalLease ?? JOURNAL_LEASE) } : undefined;
  const reader = new ChangeReader({
    repo,
    consumer: NOTIFIER,
    handle: handleChanges,
    onError: (err) => log.warn({ err }, 'reading the change journal failed; retrying'),
    ...(lease ? { lease } : {}),
  });
  wakeReader = () => reader.wake();

  /** `async` activation: the server accepts a requested rest-hook Subscription a moment after storing it. */
  function scheduleActivation(resource: Resource): void {
    if (resource.resourceType !== 'Subscription' || resource.status !== 'requested' || resource.channel.type !== 'rest-hook' || !resource.id) return;
    const id = resource.id;
    const timer = setTimeout(() => {
      activations.delete(timer);
      void exclusive(async (r) => {
        const sub = await r.readResource<Subscription>('Subscription', id).catch(() => undefined);
        if (sub?.status === 'requested') await r.updateResource<Subscription>({ ...sub, status: 'active' });
      }).catch((err: unknown) => log.warn({ err }, 'subscription activation failed'));
    }, opts.subscriptionActivationDelayMs ?? 200);
    activations.add(timer);
  }

  function exclusive<T>(fn: (r: DbFhirRepository) => Promise<T>): Promise<T> {
    return repo.withTransaction(fn, { serializable: true, resourceTypes: [] });
  }

  /** Replaces everything with the seed, all or nothing (a bad seed resource leaves the data as it was). */
  async function seedRepository(): Promise<void> {
    const resources = opts.seed?.() ?? [];
    await repo
      .withTransaction(async (r) => {
        await r.clear();
        for (const resource of resources) await r.createResource(resource, { assignedId: true });
        // Seeding is not a change anyone subscribed to.
        await r.recordConsumerPosition(NOTIFIER, await r.lastChangeSeq());
      })
      .catch((err: unknown) => {
        throw new Error(`sandbox ${opts.name} seed failed: ${normalizeErrorString(err)}`);
      });
  }

  try {
    if (await repo.isEmpty()) {
      const imported = opts.dataFile ? await readSandboxDataFile(opts.dataFile) : undefined;
      if (imported && opts.dataFile) {
        await repo.importHistory(imported).catch((err: unknown) => {
          throw new Error(`cannot import sandbox data file ${opts.dataFile}: ${normalizeErrorString(err)}; move it away to start from the demo data`);
        });
        const retired = await retireSandboxDataFile(opts.dataFile);
        log.info({ from: retired, versions: imported.length }, 'sandbox data file imported into the FHIR store');
      } else {
        await seedRepository();
      }
    }
  } catch (err) {
    await ownDb?.close();
    throw err;
  }
  reader.start();

  const router = createFhirHttpRouter({
    baseUrl,
    async metadata(req) {
      if (opts.authorize) await authorizeOrThrow(opts.authorize, req, { type: 'CapabilityStatement', interaction: 'metadata' });
      return capability;
    },
    interactionOf: (method: HttpMethod, url: string) => fhirRouter.find(method, url)?.data?.interaction,
    handle: (fhirReq: FhirRequest, req: Request) => context.run(req, () => fhirRouter.handleRequest(fhirReq, repo)),
  });

  return {
    name: opts.name,
    baseUrl,
    router,
    repo,
    exclusive,
    reset: seedRepository,
    async flush() {
      // Nothing to wait for: a write is in the database when it is acknowledged.
    },
    async idle() {
      await reader.settle();
      await notifier.idle();
    },
    async close() {
      for (const t of activations) clearTimeout(t);
      await notifier.close();
      await reader.close();
      await ownDb?.close();
    },
  };
}

/** `GET [type]/_history`, which the router lacks (R4 http.html#history). */
const typeHistory: FhirRouteHandler = async (req, repo) => {
  if (!(repo instanceof DbFhirRepository)) throw new OperationOutcomeError(badRequest('type history unsupported'));
  const int = (v: unknown): number | undefined => (typeof v === 'string' && v !== '' ? Number.parseInt(v, 10) : undefined);
  const since = typeof req.query._since === 'string' ? req.query._since : undefined;
  const bundle = await repo.readTypeHistory(req.params.resourceType ?? '', {
    since,
    offset: int(req.query._offset),
    limit: int(req.query._count),
  });
  return [allOk, bundle];
};
