import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Config, LinkWorkerEndpointConfig } from '../config/schema.js';
import { FhirClient } from '../fhir/client.js';
import { createAuthProvider } from '../fhir/auth/index.js';
import { preloadValidation, validateForWrite } from '../fhir/validate/index.js';
import { nhsukAssetsRouter } from '../http/nhsuk-assets.js';
import { frameAncestorsFromConfig, sameOriginWrites, securityHeaders } from '../http/security.js';
import { ERRORS, errorBody, SpLinkError } from '../errors.js';
import { DirectoryCache } from '../referrals/directory-cache.js';
import { TaskHistoryCache } from '../referrals/task-history-cache.js';
import type { ReferralOutbox } from '../referrals/outbox-port.js';
import type { Db } from '../store/db.js';
import { SessionCipher } from '../store/session-cipher.js';
import { apiRoutes } from './api-routes.js';
import { DEFAULT_APP_DIR } from './app-bundle.js';
import { launchRoutes } from './launch-routes.js';
import { LaunchStore } from './launch-store.js';
import { OidcConfigCache } from './oidc-config.js';
import { gpSessionMiddleware } from './session.js';

export { CALLBACK_PATH, LAUNCH_PATH, APP_PATH } from './launch-routes.js';
export type { ReferralOutbox } from '../referrals/outbox-port.js';

export interface SmartAppContext {
  config: Config;
  db: Db;
  logger: Logger;
  /** The reconciler's outbox; absent → Tasks are delivered directly with a conditional create. */
  outbox?: ReferralOutbox;
  /** Profile validation before every write; default `validateForWrite`. */
  validate?: (r: Resource) => void;
  /** Built GP app (Vite output); default `dist/smart-app`. */
  appDir?: string;
}

export interface SmartApp {
  /** Mount at the root: serves `/launch`, `/smart/callback`, `/app/` and `/app/api/…`. */
  router: Router;
  /** Stops the session store's prune timer (call before closing the Db). */
  close(): void;
}


/**
 * The GP-facing half of SP Link: SMART EHR launch, the backend-for-frontend API and the built app.
 * Wire it in `src/system.ts` with `app.use(createSmartApp({ config, db, logger, outbox }).router)`.
 */
export function createSmartApp(ctx: SmartAppContext): SmartApp {
  const { config, db } = ctx;
  const logger = ctx.logger.child({ module: 'smart-app' });
  const oidc = new OidcConfigCache({ allowInsecureHttpForSandbox: config.sandbox.enabled, logger });
  const directory = new DirectoryCache();
  const taskHistory = new TaskHistoryCache(config.server.taskHistoryCacheEntries);
  const validate =
    ctx.validate ??
    ((r: Resource) => {
      validateForWrite(r);
    });
  if (!ctx.validate) preloadValidation();

  const lwClients = new Map<string, Promise<FhirClient>>();
  const linkWorkerClient = (endpoint: LinkWorkerEndpointConfig): Promise<FhirClient> => {
    let c = lwClients.get(endpoint.id);
    if (!c) {
      c = createAuthProvider(endpoint.auth, endpoint.fhirBase, { allowInsecureHttp: config.sandbox.enabled }).then(
        (auth) => new FhirClient({ baseUrl: endpoint.fhirBase, auth, validate, logger }),
      );
      c.catch(() => lwClients.delete(endpoint.id));
      lwClients.set(endpoint.id, c);
    }
    return c;
  };

  const { middleware: session, store } = gpSessionMiddleware(config, db);
  const launches = new LaunchStore(db, new SessionCipher(config.server.sessionSecret), config.server.sessionIdleMinutes * 60 * 1000);
  const router = Router();
  const secure = securityHeaders({ frameAncestors: frameAncestorsFromConfig(config), https: config.server.publicUrl.startsWith('https://') });
  router.use(['/launch', '/smart', '/app'], secure);
  // The app's own calls are same-origin (it runs on SP Link's origin, framed or not); a write from another origin is
  // refused before the session is read, whatever the CSRF token says.
  router.use('/app/api', sameOriginWrites(config.server.publicUrl, (_req, res) => {
    res.status(ERRORS.ERR_CSRF.status).json(errorBody(new SpLinkError('ERR_CSRF', { message: 'This request did not come from SP Link.' })));
  }));
  router.use(['/launch', '/smart', '/app/api'], session);
  router.use(launchRoutes({ config, db, oidc, launches, logger }));
  router.use(
    '/app/api',
    apiRoutes({ config, db, oidc, launches, directory, taskHistory, linkWorkerClient, validate, logger, ...(ctx.outbox ? { outbox: ctx.outbox } : {}) }),
  );
  router.use(nhsukAssetsRouter({ routePrefix: '/app/nhsuk' }));
  const appDir = ctx.appDir ?? DEFAULT_APP_DIR;
  router.use('/app', express.static(appDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheHtml }));
  router.get(['/app', '/app/'], (_req, res) => {
    if (existsSync(path.join(appDir, 'index.html'))) return res.sendFile(path.join(appDir, 'index.html'), { headers: { 'cache-control': 'no-cache' } });
    // `sp-link start` builds the app when it is missing; this is an installation shipped without it.
    res.status(503).type('text').send('The GP app is not installed on this server: build it with `npm run build:app` (or start SP Link with `npm start`, which builds it).');
  });
  return { router, close: () => store.close() };
}

function noCacheHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('cache-control', 'no-cache');
}
