import { Router } from 'express';
import type { Logger } from 'pino';
import type { Config, LinkWorkerEndpointConfig } from '../config/schema.js';
import { createFhirServer, type FhirServer } from '../fhir-server/index.js';
import { createFhirAuthorize } from '../fhir-server/access/authorize.js';
import { BODY_LIMITS, formBody } from '../http/body-limits.js';
import type { Db } from '../store/db.js';
import { auditHostedAccess, hostedTokenVerifier } from './access.js';
import { ClientAssertionVerifier } from './client-assertion.js';
import { hostedSecurity, hostedSmartConfiguration, tokenEndpointOf } from './smart-configuration.js';
import { tokenEndpoint } from './token-endpoint.js';

export { tokenEndpointOf } from './smart-configuration.js';

/** Where hosted records live under `server.publicUrl`: `/hosted/{endpointId}/fhir` and `/hosted/{endpointId}/auth/token`. */
export const HOSTED_PATH = '/hosted';
export const HOSTED_TOKEN_PATHS = `${HOSTED_PATH}/:endpointId/auth/token`;

export interface HostedRecords {
  /** Mount at the app root. */
  readonly router: Router;
  /** The FHIR server of each hosted endpoint, by endpoint id. */
  readonly records: ReadonlyMap<string, FhirServer>;
  close(): Promise<void>;
}

/**
 * The link-worker records SP Link hosts itself (`linkWorkerEndpoints[].hosted`; docs/CONFIGURATION.md): for each one a
 * FHIR R4 server (src/fhir-server) over its own store in SP Link's database (`hosted:{id}`), at
 * `{publicUrl}/hosted/{id}/fhir`, with rest-hook Subscriptions fed from the store's change journal like the sandbox's.
 * Nobody reads or writes it without a bearer token from its token endpoint (SMART Backend Services for the systems in
 * `backendClients`) or signed by SP Link for its own workspace, reconciler and GP app. Every request and token
 * request is audited. Independent of the sandbox: it runs in production.
 */
export async function createHostedRecords(ctx: { config: Config; db: Db; logger: Logger }): Promise<HostedRecords | undefined> {
  const hosted = ctx.config.linkWorkerEndpoints.filter((e) => e.hosted);
  if (hosted.length === 0) return undefined;
  const logger = ctx.logger.child({ module: 'hosted' });
  const router = Router();
  const records = new Map<string, FhirServer>();
  try {
    for (const e of hosted) {
      const server = await mountRecord(router, e, ctx.db, logger);
      records.set(e.id, server);
    }
  } catch (err) {
    await Promise.all([...records.values()].map((s) => s.close()));
    throw err;
  }
  logger.info({ records: hosted.map((e) => ({ id: e.id, fhirBase: e.fhirBase, backendClients: e.backendClients.length })) }, 'hosted link-worker records ready');
  return {
    router,
    records,
    async close() {
      await Promise.all([...records.values()].map((s) => s.close()));
    },
  };
}

async function mountRecord(router: Router, e: LinkWorkerEndpointConfig, db: Db, logger: Logger): Promise<FhirServer> {
  if (e.auth.type !== 'hosted') throw new Error(`endpoint ${e.id} is hosted but has no hosted credential`);
  const { key } = e.auth;
  const verify = hostedTokenVerifier({ fhirBase: e.fhirBase, key });
  const server = await createFhirServer({
    name: `hosted:${e.id}`,
    title: e.name,
    baseUrl: e.fhirBase,
    db,
    authorize: createFhirAuthorize({ fhirBase: e.fhirBase, verify }),
    security: hostedSecurity(e.fhirBase),
  });
  const base = `${HOSTED_PATH}/${e.id}`;
  const tokenUrl = tokenEndpointOf(e.fhirBase);
  const verifier = new ClientAssertionVerifier({ endpointId: e.id, tokenEndpoint: tokenUrl, clients: e.backendClients, db });
  const smart = hostedSmartConfiguration(e.fhirBase, [...new Set(e.backendClients.flatMap((c) => c.scopes.split(' ')))]);
  router.post(`${base}/auth/token`, formBody(BODY_LIMITS.tokenForm, 20), tokenEndpoint({ endpointId: e.id, fhirBase: e.fhirBase, key, verifier, db, logger }));
  router.get(`${base}/fhir/.well-known/smart-configuration`, (_req, res) => void res.set('cache-control', 'no-cache').json(smart));
  router.use(`${base}/fhir`, auditHostedAccess({ db, endpointId: e.id, logger }), server.router);
  return server;
}
