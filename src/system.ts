import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { Config } from './config/schema.js';
import { loadConfig } from './config/load.js';
import { createCdsRouter } from './cds/index.js';
import { directoryAdminRouter } from './directory/admin-router.js';
import { createDirectoryImports } from './directory/index.js';
import { errorBody, SpLinkError } from './errors.js';
import { profilesRouter } from './fhir/profiles-page.js';
import { HealthRegistry, healthRouter } from './observability/health.js';
import { createHttpLogger, logger as rootLogger, setLogFormat, setLogLevel } from './observability/logger.js';
import { httpMetricsMiddleware, metricsHandler } from './observability/metrics.js';
import { apiErrorHandler } from './http/api-error.js';
import { registerCoreChecks } from './http/readiness-checks.js';
import { installShutdown } from './http/shutdown.js';
import { frameAncestorsFromConfig, securityHeaders } from './http/security.js';
import { createRateLimits } from './http/rate-limits.js';
import { createHostedRecords, HOSTED_TOKEN_PATHS, type HostedRecords } from './hosted/index.js';
import { startReconciler, type Reconciler } from './reconcile/index.js';
import { bearerToken, secretMatches } from './reconcile/http/secret.js';
import { startSandbox, type Sandbox } from './sandbox/index.js';
import { EHR_AUTH_PATH, LW_AUTH_PATH } from './sandbox/auth/index.js';
import { IDP_PATH } from './sandbox/idp/index.js';
import { CALLBACK_PATH, LAUNCH_PATH, createSmartApp } from './smart/index.js';
import { configuredStore, openDb, type Db } from './store/db.js';
import { startEmbeddedMaintenance } from './store/embedded-maintenance.js';
import { createWorkspace } from './workspace/index.js';
import { createIntake, INTAKE_POST_PATHS } from './intake/index.js';
import { createReferralApi } from './referral-api/index.js';

/**
 * The composition root: opens the store, boots the sandbox (when enabled), mounts every area and starts the
 * background services. Used by `sp-link start`, the CLI's other commands and the tests. Each area exposes a
 * `create…`/`start…` function; this file only wires them, in order.
 */
export interface System {
  readonly config: Config;
  /** Where this process is reachable, e.g. http://localhost:3000. */
  readonly url: string;
  readonly server: http.Server;
  readonly db: Db;
  readonly health: HealthRegistry;
  readonly sandbox?: Sandbox;
  /** The link-worker records SP Link hosts (`linkWorkerEndpoints[].hosted`). */
  readonly hosted?: HostedRecords;
  readonly reconciler?: Reconciler;
  /** The separate metrics address (config `metrics.listen`), e.g. http://127.0.0.1:9464; absent: metrics are on `url`. */
  readonly metricsUrl?: string;
  /** Graceful: in-flight requests get up to `drainMs` (default 2 s) to finish. Idempotent. */
  stop(opts?: { drainMs?: number }): Promise<void>;
}

export interface StartOptions {
  config?: Config;
  configFile?: string;
  /** An http.Server already listening (tests listen on port 0 first, then build the config). */
  server?: http.Server;
  /** false: no background work (reconciler schedule, subscriptions): for CLI commands and some tests. */
  background?: boolean;
}

export async function startSystem(opts: StartOptions): Promise<System> {
  const config = opts.config ?? (await loadConfig(opts.configFile ?? 'config/default.yaml'));
  setLogLevel(config.log.level);
  setLogFormat(config.log.format);
  const server = opts.server ?? http.createServer();
  // Node closes idle sockets after 5 s by default, shorter than clients' and load balancers' idle timeouts: a request
  // sent as the server closes its socket fails. Headers must be allowed a little longer than the idle wait.
  server.keepAliveTimeout = config.server.keepAliveSeconds * 1000;
  server.headersTimeout = server.keepAliveTimeout + 5000;
  const closers: { name: string; close: () => Promise<void> | void }[] = [];

  // Listen first and answer 503 until the app is built: the sandbox servers call each other over HTTP
  // (rest-hook notifications, backend tokens) while the rest is still starting.
  let app: express.Express | undefined;
  server.on('request', (req, res) => {
    if (app) return app(req, res);
    const starting = new SpLinkError('ERR_UNAVAILABLE');
    res.writeHead(starting.httpStatus, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify(errorBody(starting)));
  });
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => resolve());
    });
  }
  const { port } = server.address() as AddressInfo;

  try {
    // The store (a new embedded one runs initdb in a worker thread) and the sandbox start together; the sandbox's
    // authorization servers get the opening store and wait for it on first use (no request is served before both).
    const opening = openDb(configuredStore(config));
    const [opened, started] = await Promise.allSettled([
      opening,
      config.sandbox.enabled ? startSandbox(config, { db: opening }) : Promise.resolve(undefined),
    ]);
    if (opened.status === 'fulfilled') closers.push({ name: 'store', close: () => opened.value.close() });
    if (started.status === 'fulfilled' && started.value) closers.push({ name: 'sandbox', close: () => started.value!.close() });
    if (opened.status === 'rejected') throw opened.reason;
    if (started.status === 'rejected') throw started.reason;
    const db = opened.value;
    const sandbox = started.value;
    const health = new HealthRegistry();
    const unregisterChecks = registerCoreChecks(health, { db, config, logger: rootLogger });
    closers.push({ name: 'readiness-probes', close: unregisterChecks });
    closers.push({ name: 'embedded-maintenance', close: startEmbeddedMaintenance(db, { logger: rootLogger }) });
    const hosted = await createHostedRecords({ config, db, logger: rootLogger });
    if (hosted) closers.push({ name: 'hosted-records', close: () => hosted.close() });

    const reconciler = config.reconcile.enabled
      ? await startReconciler({ config, db, logger: rootLogger, health, background: opts.background ?? true })
      : undefined;
    if (reconciler) closers.push({ name: 'reconciler', close: () => reconciler.stop() });

    const smart = createSmartApp({ config, db, logger: rootLogger, outbox: reconciler?.outbox });
    closers.push({ name: 'smart-app', close: () => smart.close() });
    const workspace = config.workspace?.enabled ? createWorkspace({ config, db, logger: rootLogger, ...(reconciler ? { outbox: reconciler.outbox } : {}) }) : undefined;
    if (workspace) closers.push({ name: 'workspace', close: () => workspace.close() });
    const directory = await createDirectoryImports({ config, db, logger: rootLogger });
    closers.push({ name: 'directory-imports', close: () => directory.close() });
    const intake = config.intake?.enabled ? createIntake({ config, db, logger: rootLogger, ...(reconciler ? { outbox: reconciler.outbox } : {}) }) : undefined;
    const referralApi = createReferralApi({ config, db, logger: rootLogger, ...(reconciler ? { outbox: reconciler.outbox } : {}) });

    const limits = createRateLimits({
      config,
      db,
      knownEndpoints: config.linkWorkerEndpoints.map((e) => e.id),
      paths: {
        login: [LAUNCH_PATH, CALLBACK_PATH, '/workspace/login', '/workspace/callback', `${EHR_AUTH_PATH}/auth`, `${IDP_PATH}/auth`],
        token: [`${EHR_AUTH_PATH}/token`, `${LW_AUTH_PATH}/token`, `${IDP_PATH}/token`, HOSTED_TOKEN_PATHS],
        webhook: '/reconcile/webhook/:endpointId',
        forms: [`${IDP_PATH}/interaction/:uid/login`],
        ...(intake ? { referrals: INTAKE_POST_PATHS } : {}),
      },
    });
    closers.push({ name: 'rate-limits', close: () => limits.close() });

    const built = express();
    built.disable('x-powered-by');
    built.set('trust proxy', config.server.trustProxy);
    built.use(createHttpLogger(rootLogger));
    built.use(httpMetricsMiddleware());
    built.use(securityHeaders({ frameAncestors: frameAncestorsFromConfig(config).filter((s) => s !== "'self'"), https: config.server.publicUrl.startsWith('https://') }));
    built.use(healthRouter(health));
    const metrics = metricsHandler(config.metrics.token === undefined ? {} : { token: config.metrics.token });
    let metricsUrl: string | undefined;
    if (config.metrics.listen) {
      // Metrics (and the probes) on an admin interface only: the public port does not serve them.
      const admin = express();
      admin.disable('x-powered-by');
      admin.use(healthRouter(health));
      admin.get('/metrics', metrics);
      const adminServer = http.createServer(admin);
      await new Promise<void>((resolve, reject) => {
        adminServer.once('error', reject);
        adminServer.listen(config.metrics.listen!.port, config.metrics.listen!.host, () => resolve());
      });
      closers.push({ name: 'metrics-listener', close: () => new Promise<void>((resolve) => (adminServer.closeAllConnections(), adminServer.close(() => resolve()))) });
      const a = adminServer.address() as AddressInfo;
      metricsUrl = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    } else {
      built.get('/metrics', metrics);
    }
    built.use(limits.router);
    if (sandbox) built.use(sandbox.router);
    if (hosted) built.use(hosted.router);
    if (config.cds.enabled) built.use(createCdsRouter({ config, db, logger: rootLogger }));
    built.use(smart.router);
    if (workspace) built.use('/workspace', workspace);
    if (intake) built.use(intake);
    if (referralApi) built.use(referralApi);
    if (reconciler) {
      built.use(reconciler.webhookRouter);
      built.use(reconciler.adminRouter);
    }
    built.use(directoryAdminRouter({ imports: directory, authorized: (h) => secretMatches(bearerToken(h), config.admin.token) }));
    built.use(profilesRouter());
    built.get('/', (_req, res) => res.redirect(sandbox ? '/sandbox/ehr' : '/profiles'));
    built.use(notFound);
    // Last resort for anything an area did not handle itself; never leaks internals.
    built.use(apiErrorHandler(rootLogger, 'request'));
    app = built;
    closers.reverse();
    // The feeds may be served by this process (the sandbox's): import only once it answers.
    if (opts.background ?? true) directory.startBackground();

    let stopping: Promise<void> | undefined;
    return {
      config,
      server,
      db,
      health,
      sandbox,
      ...(hosted ? { hosted } : {}),
      reconciler,
      ...(metricsUrl ? { metricsUrl } : {}),
      url: `http://localhost:${port}`,
      stop(stopOpts = {}) {
        // Stop accepting, let in-flight requests finish (bounded), then close background work and the store.
        stopping ??= installShutdown({
          server,
          closers: closers.map((c) => ({ name: c.name, close: async () => c.close() })),
          drainMs: stopOpts.drainMs ?? 2_000,
          signals: [],
          exit: false,
          logger: rootLogger,
        }).shutdown('stop');
        return stopping;
      },
    };
  } catch (err) {
    server.close();
    for (const c of closers.reverse()) await Promise.resolve(c.close()).catch(() => undefined);
    throw err;
  }
}

const notFound: RequestHandler = (req, _res, next) => {
  next(new SpLinkError('ERR_NOT_FOUND', { message: `No route for ${req.method} ${req.path}` }));
};
