import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Bundle, Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { configSchema, type Config } from '../../../src/config/schema.js';
import { IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { startReconciler, type Reconciler, type ReconcilerContext } from '../../../src/reconcile/index.js';
import { createSandboxFhirServer, type SandboxFhirServer } from '../../../src/sandbox/fhir/index.js';
import { dialect, fhirDialectLayer, type DialectName } from '../../../src/sandbox/dialects/index.js';
import { ehrSeed, lwSeed, testNhsNumbers } from '../../../src/sandbox/demo/index.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { WEBHOOK_SECRET_HEADER } from '../../../src/fhir/subscription-channel.js';
import { apiErrorHandler } from '../../../src/http/api-error.js';
import { BODY_LIMITS } from '../../../src/http/body-limits.js';
import { logger as rootLogger } from '../../../src/observability/logger.js';
import type { Context } from 'mocha';
import { requirePostgres, type StoreBackend } from '../../helpers/postgres.js';

export const ENDPOINT = 'lw';
export const TENANT = 'practice';
export const WEBHOOK_SECRET = 'test-webhook-secret';
export const ADMIN_TOKEN = 'test-admin-token';
export const NHS = testNhsNumbers(3, 900);

/**
 * Two sandbox FHIR servers (EHR + link-worker) on one loopback port, an in-memory store and a config
 * pointing at them. Tests add ServiceRequests and Tasks over HTTP like any FHIR client would.
 */
export interface Harness {
  readonly base: string;
  readonly ehrBase: string;
  readonly lwBase: string;
  readonly ehr: SandboxFhirServer;
  readonly lw: SandboxFhirServer;
  /** The second link-worker endpoint's server (`second`), when it listens. */
  readonly lw2?: SandboxFhirServer;
  readonly config: Config;
  readonly db: Db;
  readonly app: express.Express;
  reconciler: Reconciler;
  /** Injects a fault in front of a sandbox server (a fault-injecting proxy in the same process). */
  inject(f: Fault): void;
  /** Notifications to swallow (answered 200, never processed): a lost rest-hook notification. */
  dropNotifications: number;
  /**
   * Decides each rest-hook notification's fate before the reconciler sees it: `deliver`, `drop` (answered 200,
   * never processed) or a delay in ms (answered 200 at once, processed later: delayed and reordered).
   */
  notificationGate?: (body: unknown) => 'deliver' | 'drop' | number;
  /** Requests each server received, by method (counted in front of the servers). */
  readonly requests: { ehr: number; lw: number };
  startReconciler(o?: Partial<ReconcilerContext>): Promise<Reconciler>;
  close(): Promise<void>;
}

export interface Fault {
  server: 'ehr' | 'lw';
  method?: string;
  path?: RegExp;
  /** How many matching requests to hit (default 1). */
  times?: number;
  /** Answer with this status (and OperationOutcome) instead of forwarding. */
  status?: number;
  retryAfter?: string;
  /** Hold the request this long before acting (timeouts). */
  delayMs?: number;
  /** Forward to the server, then drop the connection instead of answering: the write happened, the answer is lost. */
  dropResponse?: boolean;
}

export interface HarnessOptions {
  demo?: boolean;
  db?: Db;
  /** Where the sandbox EHR and link-worker FHIR stores live (default: an in-memory PGlite database each). */
  fhirDb?: Db;
  reconcile?: Partial<Config['reconcile']>;
  ctx?: Partial<ReconcilerContext>;
  subscriptions?: boolean;
  /** ODS code the endpoint's Tasks must be owned by. */
  ownerOds?: string;
  /** The link-worker server speaks this dialect (src/sandbox/dialects), e.g. `medplum` for UUID version ids. */
  lwDialect?: DialectName;
  /**
   * A second link-worker endpoint (id `lw2`): its own sandbox server (speaking `dialect`, e.g. a community group's own
   * FHIR server), or one nobody listens at; with `subscriptions`, SP Link keeps a rest-hook Subscription there, which
   * its server activates as its dialect does, and notifications from it pass the same webhook (and `dropNotifications`).
   */
  second?: { unreachable?: boolean; dialect?: DialectName; subscriptions?: boolean };
  /** Extra link-worker endpoint settings (e.g. subscription timings). */
  endpoint?: Partial<Config['linkWorkerEndpoints'][number]>;
  /** Called on every change the EHR commits (e.g. to time when a referral's status changed). */
  onEhrChange?: (r: Resource) => void;
  /** Middleware in front of a server, ahead of injected faults (e.g. to record what was asked). */
  before?: Partial<Record<'ehr' | 'lw', express.RequestHandler>>;
}

/**
 * A harness on one of the store backends (test/helpers/postgres.ts). On PostgreSQL the reconciler's tables and
 * both sandbox FHIR stores share one database, in a schema of its own dropped on close, as in a deployment;
 * the suite is skipped when PostgreSQL is unreachable (failed under CI=true). Call from a `before` hook.
 */
export async function startHarnessOn(ctx: Context, backend: StoreBackend, o: HarnessOptions = {}): Promise<Harness> {
  if (!backend.postgres) return startHarness(o);
  await requirePostgres(ctx);
  const schema = `t_harness_${process.pid}_${randomBytes(4).toString('hex')}`;
  const db = await openDb({ ...backend.opts(), schema });
  try {
    const h = await startHarness({ ...o, db, fhirDb: db });
    // The same object (tests swap `h.reconciler`, set `dropNotifications`), closing the database after the rest.
    const closeHarness = h.close.bind(h);
    h.close = async () => {
      await closeHarness();
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await db.close();
    };
    return h;
  } catch (err) {
    await db.close();
    throw err;
  }
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const app = express();
  // Idle connections outlive the client's (undici: 4 s): under load the server never closes one as a request is sent on it.
  const server = http.createServer({ keepAliveTimeout: 60_000 }, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ehrBase = `${base}/ehr/fhir`;
  const lwBase = `${base}/lw/fhir`;
  const urls = { ehr: ehrBase, lw: lwBase };
  const ehr = await createSandboxFhirServer({
    name: 'ehr', baseUrl: ehrBase, ...(o.onEhrChange ? { onChange: o.onEhrChange } : {}), ...(o.fhirDb ? { db: o.fhirDb } : {}),
    seed: () => (o.demo ? ehrSeed(urls) : [
      ...NHS.map((nhs, i): Patient => ({ resourceType: 'Patient', id: `p${i + 1}`, identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs }] })),
      { resourceType: 'Practitioner', id: 'gp1', name: [{ family: 'Test' }] },
    ]),
  });
  const lwDialect = dialect(o.lwDialect);
  const lw = await createSandboxFhirServer({
    name: 'lw', baseUrl: lwBase, seed: () => (o.demo ? lwSeed(urls) : []), restHook: { attempts: 1, timeoutMs: 2000 }, ...(o.fhirDb ? { db: o.fhirDb } : {}),
    subscriptionActivation: lwDialect.subscriptionActivation, subscriptionActivationDelayMs: 50,
  });
  const lw2Base = o.second?.unreachable ? 'http://127.0.0.1:9/fhir' : `${base}/lw2/fhir`;
  const lw2 = o.second && !o.second.unreachable ? await createSandboxFhirServer({
    name: 'lw', baseUrl: lw2Base,
    ...(o.second.subscriptions ? { restHook: { attempts: 1, timeoutMs: 2000 }, subscriptionActivation: dialect(o.second.dialect).subscriptionActivation, subscriptionActivationDelayMs: 50 } : {}),
  }) : undefined;
  const faults: Fault[] = [];
  const requests = { ehr: 0, lw: 0 };
  const faulty = (server: 'ehr' | 'lw'): express.RequestHandler => (req, res, next) => {
    requests[server]++;
    const f = faults.find((x) => x.server === server && (!x.method || x.method === req.method) && (!x.path || x.path.test(req.url)) && (x.times ?? 1) > 0);
    if (!f) return next();
    f.times = (f.times ?? 1) - 1;
    const act = () => {
      if (f.dropResponse) {
        const destroy = () => req.socket.destroy();
        res.writeHead = (() => { destroy(); return res; }) as typeof res.writeHead;
        res.end = (() => { destroy(); return res; }) as typeof res.end;
        return next();
      }
      if (f.status) {
        if (f.retryAfter) res.setHeader('retry-after', f.retryAfter);
        res.status(f.status).type('application/fhir+json').json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'injected fault' }] });
        return;
      }
      next();
    };
    if (f.delayMs) setTimeout(act, f.delayMs);
    else act();
  };
  const before = (server: 'ehr' | 'lw'): express.RequestHandler => o.before?.[server] ?? ((_req, _res, next) => next());
  app.use('/ehr/fhir', before('ehr'), faulty('ehr'), ehr.router);
  app.use('/lw/fhir', before('lw'), faulty('lw'), fhirDialectLayer({ dialect: lwDialect, secret: 'test-version-ids' }), lw.router);
  if (lw2) app.use('/lw2/fhir', ...(o.second?.dialect ? [fhirDialectLayer({ dialect: dialect(o.second.dialect), secret: 'test-version-ids-2' })] : []), lw2.router);
  const config = configSchema.parse({
    server: { publicUrl: base, sessionSecret: 'x'.repeat(40), cookieMode: 'same-site' },
    tenants: [{
      id: TENANT, name: 'Practice', ehr: { fhirBase: ehrBase, auth: { type: 'none' } },
      smart: { clientId: 'c', issAllowlist: [ehrBase], scopes: 'launch' }, linkWorkerEndpoint: ENDPOINT,
    }],
    linkWorkerEndpoints: [
      { id: ENDPOINT, name: 'Test Links', fhirBase: lwBase, auth: { type: 'none' }, subscriptions: { enabled: o.subscriptions ?? false }, ...(o.ownerOds ? { organizationOdsCode: o.ownerOds } : {}), ...o.endpoint },
      ...(o.second ? [{
        id: 'lw2', name: 'Second Links', fhirBase: lw2Base, auth: { type: 'none' },
        subscriptions: o.second.subscriptions ? { enabled: true, activationWaitSeconds: 2, notificationTimeoutSeconds: 30 } : { enabled: false },
      }] : []),
    ],
    reconcile: { webhookSecret: WEBHOOK_SECRET, pageSize: 50, maxAttempts: 3, skewSeconds: 5, ...o.reconcile },
    admin: { token: ADMIN_TOKEN },
  });
  const db = o.db ?? (await openDb({ memory: true }));
  const ownsDb = !o.db;
  const reconcilers: Reconciler[] = [];
  const start = async (extra: Partial<ReconcilerContext> = {}) => {
    const r = await startReconciler({ config, db, background: false, tuning: { retry: { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 3000 } }, ...o.ctx, ...extra });
    reconcilers.push(r);
    return r;
  };
  const reconciler = await start();
  // Route through `h.reconciler` so tests can swap in a fresh reconciler (crash/restart).
  const h: Harness = {
    base, ehrBase, lwBase, ehr, lw, ...(lw2 ? { lw2 } : {}), config, db, app, reconciler, requests,
    inject: (f) => faults.push(f),
    dropNotifications: 0,
    startReconciler: start,
    async close() {
      for (const r of reconcilers) await r.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ehr.close();
      await lw.close();
      await lw2?.close();
      if (ownsDb) await db.close();
    },
  };
  app.use('/reconcile/webhook', (req, res, next) => {
    if (h.dropNotifications > 0) {
      h.dropNotifications--;
      res.status(200).end();
      return;
    }
    if (!h.notificationGate || req.get('x-reliability-redelivery')) return next();
    express.json({ type: ['application/fhir+json', 'application/json'], limit: BODY_LIMITS.webhook })(req, res, (err?: unknown) => {
      if (err) return next(err);
      const fate = h.notificationGate!(req.body);
      if (fate === 'deliver') return next();
      res.status(200).end();
      if (fate === 'drop') return;
      // Re-delivered later as its own request: what a sender's retry or a slow queue looks like to SP Link.
      const body = JSON.stringify(req.body ?? null);
      const headers = { 'content-type': 'application/fhir+json', [WEBHOOK_SECRET_HEADER]: req.get(WEBHOOK_SECRET_HEADER) ?? '' };
      const url = `${base}/reconcile/webhook${req.url}`;
      setTimeout(() => void fetch(url, { method: 'POST', headers: { ...headers, 'x-reliability-redelivery': '1' }, body }).then((r) => r.body?.cancel(), () => undefined), fate);
    });
  });
  app.use((req, res, next) => h.reconciler.webhookRouter(req, res, next));
  app.use((req, res, next) => h.reconciler.adminRouter(req, res, next));
  // As src/system.ts: a malformed body gets SP Link's 400, not Express's default page.
  app.use(apiErrorHandler(rootLogger, 'request'));
  return h;
}

/** A minimal FHIR client (plain fetch), as another system would use. */
export async function fhir<T = Resource>(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/fhir+json', ...(body ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function create<T extends Resource>(baseUrl: string, r: T): Promise<T & { id: string }> {
  const res = await fhir<T & { id: string }>(`${baseUrl}/${r.resourceType}`, 'POST', r);
  if (res.status !== 201) throw new Error(`create ${r.resourceType} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function update<T extends Resource>(baseUrl: string, r: T & { id: string }): Promise<T & { id: string }> {
  const res = await fhir<T & { id: string }>(`${baseUrl}/${r.resourceType}/${r.id}`, 'PUT', r);
  if (res.status >= 300) throw new Error(`update ${r.resourceType} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function read<T extends Resource>(baseUrl: string, type: string, id: string): Promise<T & { id: string }> {
  return (await fhir<T & { id: string }>(`${baseUrl}/${type}/${id}`)).body;
}

/** Every resource of a type (all pages). */
export async function all<T extends Resource>(baseUrl: string, type: string, query = ''): Promise<T[]> {
  const out: T[] = [];
  let url: string | undefined = `${baseUrl}/${type}?_count=1000${query ? `&${query}` : ''}`;
  while (url) {
    const b: Bundle<T> = (await fhir<Bundle<T>>(url)).body;
    for (const e of b.entry ?? []) if (e.resource) out.push(e.resource);
    url = b.link?.find((l) => l.relation === 'next')?.url;
  }
  return out;
}

/** Counts of what the reconciler writes to the EHR, to assert "nothing lost, nothing duplicated". */
export async function ehrCounts(h: Harness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['Observation', 'Communication', 'Flag', 'Provenance']) out[t] = (await all(h.ehrBase, t)).length;
  return out;
}

/** An interoperable referral, as a plain FHIR client writes it (no SP Link profile). */
export async function plainReferral(h: Harness, patient = 'p1'): Promise<ServiceRequest & { id: string }> {
  return create<ServiceRequest>(h.ehrBase, {
    resourceType: 'ServiceRequest', status: 'active', intent: 'order',
    subject: { reference: `Patient/${patient}` }, requester: { reference: 'Practitioner/gp1' },
    code: { text: 'Social prescribing' },
  });
}

export function taskFor(h: Harness, sr: { id: string }, patientIndex = 0, over: Partial<Task> = {}): Task {
  return {
    resourceType: 'Task', status: 'requested', intent: 'order',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    focus: { reference: `${h.ehrBase}/ServiceRequest/${sr.id}` },
    for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS[patientIndex]! } },
    ...over,
  };
}
