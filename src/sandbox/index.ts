import { Router } from 'express';
import type { Config } from '../config/schema.js';
import { logger } from '../observability/logger.js';
import { createSandboxAuth, type SandboxAuth } from './auth/index.js';
import { ehrSeed, lwSeed } from './demo/index.js';
import { seedReportHistory } from './demo/report-history.js';
import { sandboxEhrUiRouter } from './ehr-ui/index.js';
import { cdsClientIss, createSandboxCdsClient } from './ehr-ui/cds-client.js';
import { dialect, fhirDialectLayer } from './dialects/index.js';
import { createSandboxFhirServer, sandboxDataFile, type SandboxFhirServer } from './fhir/index.js';
import { createSandboxIdp, type SandboxIdp } from './idp/index.js';
import type { Db } from '../store/db.js';
import { OidcStore } from '../store/oidc-adapter.js';
import { OrukFeed } from './oruk/feed.js';
import { ORUK_PATH, orukRouter } from './oruk/router.js';

export const EHR_FHIR_PATH = '/sandbox/ehr/fhir';
export const LW_FHIR_PATH = '/sandbox/lw/fhir';

export interface Sandbox {
  /** Mount at the app root, before any body parser (the auth servers read raw bodies). */
  readonly router: Router;
  readonly ehr: SandboxFhirServer;
  readonly lw: SandboxFhirServer;
  readonly auth: SandboxAuth;
  readonly idp?: SandboxIdp;
  /** The local area's Open Referral UK directory feed, served at /sandbox/oruk (tests change it). */
  readonly oruk: OrukFeed;
  /** Restores the demo data on both FHIR servers. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The embedded sandbox: a GP practice's EHR (FHIR + SMART authorization server + launcher page), a link-worker
 * service's FHIR server with its own authorization server, and a staff identity provider. Demo data
 * lives in SP Link's database (the FHIR store's `ehr` and `lw` stores). Only started when `sandbox.enabled` —
 * never a production path.
 *
 * `db` may still be opening (system.ts opens the store in parallel): the authorization servers start without
 * it (their storage waits for it on first use); the FHIR servers wait for it.
 */
export async function startSandbox(config: Config, opts: { db: Db | Promise<Db> }): Promise<Sandbox> {
  const log = logger.child({ module: 'sandbox' });
  const origin = new URL(config.server.publicUrl).origin;
  const urls = { ehr: origin + EHR_FHIR_PATH, lw: origin + LW_FHIR_PATH };
  const store = new OidcStore(opts.db, { secret: config.server.sessionSecret });
  const dialects = { ehr: dialect(config.sandbox.dialects.ehr), lw: dialect(config.sandbox.dialects.lw) };
  const auth = await createSandboxAuth({ config, ehrBase: urls.ehr, lwBase: urls.lw, store, dialects });
  const db = await opts.db;
  const [ehr, lw] = await Promise.all([
    createSandboxFhirServer({
      name: 'ehr',
      baseUrl: urls.ehr,
      db,
      dataFile: sandboxDataFile(config.dataDir, 'ehr'),
      seed: () => ehrSeed(urls),
      authorize: auth.ehrAuthorize,
      security: auth.ehrSecurity,
      subscriptionActivation: dialects.ehr.subscriptionActivation,
    }),
    createSandboxFhirServer({
      name: 'lw',
      baseUrl: urls.lw,
      db,
      dataFile: sandboxDataFile(config.dataDir, 'lw'),
      seed: () => lwSeed(urls),
      authorize: auth.lwAuthorize,
      security: auth.lwSecurity,
      subscriptionActivation: dialects.lw.subscriptionActivation,
    }),
  ]);
  auth.attachServers({ ehr, lw });
  // A year of referral history for the reports; in the background, so start-up does not wait for it.
  const reportHistory = seedReportHistory(db).then(
    (n) => void (n && log.info({ referrals: n }, 'report history seeded')),
    (err: unknown) => log.error({ err }, 'report history could not be seeded'),
  );
  const idp = config.workspace?.enabled ? await createSandboxIdp({ config, lwBase: urls.lw, store }) : undefined;

  const router = Router();
  router.use(auth.router);
  if (idp) router.use(idp.router);
  // Dialect layers sit in front of the servers (a pass-through for the reference dialect).
  const secret = `${config.server.sessionSecret}:sandbox-version-ids`;
  router.use(EHR_FHIR_PATH, fhirDialectLayer({ dialect: dialects.ehr, secret }), ehr.router);
  router.use(LW_FHIR_PATH, fhirDialectLayer({ dialect: dialects.lw, secret }), lw.router);
  const oruk = new OrukFeed();
  router.use(ORUK_PATH, orukRouter(oruk, { publicUrl: origin }));
  // The sandbox GP system calls SP Link's decision support when a record opens (docs/CDS-HOOKS.md).
  // Only when a practice has registered it (config/default.yaml does for the demo practice).
  const cdsRegistered = config.tenants.some((t) => t.cds?.clients.some((c) => c.iss === cdsClientIss(origin)));
  const cds = config.cds.enabled && cdsRegistered
    ? createSandboxCdsClient({ discoveryUrl: `${config.server.publicUrl.replace(/\/$/, '')}/cds-services`, iss: cdsClientIss(origin), ehr, logger: log })
    : undefined;
  router.use(sandboxEhrUiRouter({ ehr, lw, publicUrl: config.server.publicUrl, createLaunch: (c) => auth.createLaunch(c), ...(cds ? { cds } : {}) }));
  log.info({ ehr: urls.ehr, lw: urls.lw, dialects: config.sandbox.dialects }, 'sandbox started');

  return {
    router,
    ehr,
    lw,
    auth,
    idp,
    oruk,
    async reset() {
      await Promise.all([ehr.reset(), lw.reset()]);
    },
    async close() {
      await reportHistory;
      await Promise.all([ehr.close(), lw.close()]);
      await idp?.close();
      await auth.close();
      store.close();
    },
  };
}
