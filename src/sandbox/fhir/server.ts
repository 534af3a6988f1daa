import { AsyncLocalStorage } from 'node:async_hooks';
import { allOk, badRequest, normalizeErrorString, OperationOutcomeError } from '@medplum/core';
import { FhirRouter } from '@medplum/fhir-router';
import type { FhirRequest, FhirRouteHandler, HttpMethod } from '@medplum/fhir-router';
import type { CapabilityStatementRestSecurity, Resource, Subscription } from '@medplum/fhirtypes';
import type { Request, Router } from 'express';
import { logger as rootLogger } from '../../observability/logger.js';
import { authorizedRouter, authorizeOrThrow, type AuthorizeFn } from './authorize.js';
import { buildCapabilityStatement } from './capability.js';
import { ensureR4Definitions } from './definitions.js';
import { createFhirHttpRouter } from './http.js';
import { Mutex } from './mutex.js';
import { DebouncedStateWriter, loadState } from './persistence.js';
import { SandboxRepository, type ChangeInteraction } from './repository.js';
import { matchDeliveries, prepareSubscription, RestHookNotifier, type SubscriptionActivation } from './subscriptions.js';
import { validateOnWrite } from './validate-on-write.js';

export type { AuthorizeFn, FhirAccess, FhirInteraction } from './authorize.js';

export interface SandboxFhirServerOptions {
  readonly name: 'ehr' | 'lw';
  /** Absolute public base, e.g. http://localhost:3000/sandbox/ehr/fhir (used in Location, fullUrl, links). */
  readonly baseUrl: string;
  /** JSON file the data persists to (loaded at start, saved after writes); absent = memory only. */
  readonly dataFile?: string;
  /** The demo data, loaded when there is no data file yet and on reset(). */
  readonly seed?: () => Resource[];
  /** Called for every interaction, including each entry of a batch/transaction; throws to deny. */
  readonly authorize?: AuthorizeFn;
  /** Called after each committed create/update/delete. */
  readonly onChange?: (resource: Resource, interaction: ChangeInteraction) => void;
  /** Advertised in the CapabilityStatement when the server is protected (SMART). */
  readonly security?: CapabilityStatementRestSecurity;
  /** Rest-hook delivery budget (defaults: 3 attempts, 0.25 s / 1 s apart, 5 s timeout each). */
  readonly restHook?: { attempts?: number; retryDelaysMs?: readonly number[]; timeoutMs?: number };
  /** How `requested` rest-hook Subscriptions become active (default on-create; see src/sandbox/dialects). */
  readonly subscriptionActivation?: SubscriptionActivation;
  /** Delay before an `async` activation (ms, default 200). */
  readonly subscriptionActivationDelayMs?: number;
}

export interface SandboxFhirServer {
  readonly name: 'ehr' | 'lw';
  readonly baseUrl: string;
  /** Mount at the path of `baseUrl`, e.g. app.use('/sandbox/ehr/fhir', server.router). */
  readonly router: Router;
  readonly repo: SandboxRepository;
  /** Runs `fn` with exclusive access to the repository; its writes commit (persist, notify) after. */
  exclusive<T>(fn: (repo: SandboxRepository) => Promise<T>): Promise<T>;
  /** Replaces all data with the seed and saves it. */
  reset(): Promise<void>;
  /** Waits until every committed write is on disk. */
  flush(): Promise<void>;
  /** Waits until every queued rest-hook delivery has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An R4 FHIR server for the sandbox: Medplum's FhirRouter over a SandboxRepository, behind an
 * express adapter. All requests run one at a time (a mutex), which is what makes transaction
 * rollback by snapshot safe; the repository is in memory, so this costs little.
 */
export async function createSandboxFhirServer(opts: SandboxFhirServerOptions): Promise<SandboxFhirServer> {
  ensureR4Definitions();
  const log = rootLogger.child({ module: 'sandbox-fhir', server: opts.name });
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const activation = opts.subscriptionActivation ?? 'on-create';
  const repo = new SandboxRepository({ validate: validateOnWrite, prepare: (r) => prepareSubscription(r, activation) });
  const activations = new Set<NodeJS.Timeout>();
  const mutex = new Mutex();
  const context = new AsyncLocalStorage<Request>();
  const baseRouter = new FhirRouter();
  baseRouter.add('GET', ':resourceType/_history', typeHistory, 'history-type');
  const fhirRouter = authorizedRouter(baseRouter, () => context.getStore(), opts.authorize);
  const capability = JSON.stringify(buildCapabilityStatement({ name: opts.name, baseUrl, security: opts.security }));
  const writer = opts.dataFile ? new DebouncedStateWriter(opts.dataFile, () => mutex.run(async () => repo.exportState())) : undefined;

  const notifier = new RestHookNotifier({
    ...opts.restHook,
    logger: log,
    isActive: (id) => repo.currentOfType('Subscription').some((s) => s.id === id && (s as Subscription).status === 'active'),
    markError: (id, message) =>
      exclusive(async (r) => {
        const sub = await r.readResource<Subscription>('Subscription', id);
        if (sub.status === 'active') await r.updateResource<Subscription>({ ...sub, status: 'error', error: message });
      }),
  });

  /** After a request: persist, tell listeners, queue notifications. Runs inside the mutex. */
  function commit(): void {
    const changes = repo.takeChanges();
    if (changes.length === 0) return;
    writer?.schedule();
    for (const c of changes) {
      try {
        opts.onChange?.(c.resource, c.interaction);
      } catch (err) {
        log.warn({ err }, 'onChange listener failed');
      }
    }
    notifier.enqueue(matchDeliveries(changes, repo.currentOfType('Subscription')));
    if (activation === 'async') for (const c of changes) scheduleActivation(c.resource);
  }

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

  function exclusive<T>(fn: (r: SandboxRepository) => Promise<T>): Promise<T> {
    return mutex.run(async () => {
      try {
        return await fn(repo);
      } finally {
        commit();
      }
    });
  }

  /** Replaces everything with the seed, all or nothing (a bad seed resource leaves the data as it was). */
  async function seedRepository(): Promise<void> {
    await mutex.run(async () => {
      const resources = opts.seed?.() ?? [];
      await repo
        .withTransaction(async (r) => {
          r.clear();
          for (const resource of resources) await r.createResource(resource, { assignedId: true });
        })
        .catch((err: unknown) => {
          throw new Error(`sandbox ${opts.name} seed failed: ${normalizeErrorString(err)}`);
        });
      repo.takeChanges(); // seeding is not a change anyone subscribed to
    });
    await writer?.writeNow();
    await writer?.flush();
  }

  const loaded = opts.dataFile ? await loadDataFile(repo, opts.dataFile) : false;
  if (!loaded) await seedRepository();

  const router = createFhirHttpRouter({
    baseUrl,
    async metadata(req) {
      if (opts.authorize) await authorizeOrThrow(opts.authorize, req, { type: 'CapabilityStatement', interaction: 'metadata' });
      return capability;
    },
    interactionOf: (method: HttpMethod, url: string) => fhirRouter.find(method, url)?.data?.interaction,
    handle: (fhirReq: FhirRequest, req: Request) => exclusive(() => context.run(req, () => fhirRouter.handleRequest(fhirReq, repo))),
  });

  return {
    name: opts.name,
    baseUrl,
    router,
    repo,
    exclusive,
    reset: seedRepository,
    async flush() {
      await writer?.flush();
    },
    idle: () => notifier.idle(),
    async close() {
      for (const t of activations) clearTimeout(t);
      await notifier.close();
      await writer?.flush();
    },
  };
}

/** Loads a saved state; false when the file does not exist yet. Errors name the file. */
async function loadDataFile(repo: SandboxRepository, file: string): Promise<boolean> {
  try {
    const state = await loadState(file);
    if (state) repo.importState(state);
    return state !== undefined;
  } catch (err) {
    throw new Error(`cannot load sandbox data file ${file}: ${normalizeErrorString(err)}; delete it or run the reset command`);
  }
}

/** `GET [type]/_history`, which the router lacks (R4 http.html#history). */
const typeHistory: FhirRouteHandler = async (req, repo) => {
  if (!(repo instanceof SandboxRepository)) throw new OperationOutcomeError(badRequest('type history unsupported'));
  const int = (v: unknown): number | undefined => (typeof v === 'string' && v !== '' ? Number.parseInt(v, 10) : undefined);
  const since = typeof req.query._since === 'string' ? req.query._since : undefined;
  const bundle = await repo.readTypeHistory(req.params.resourceType ?? '', {
    since,
    offset: int(req.query._offset),
    limit: int(req.query._count),
  });
  return [allOk, bundle];
};
