import { createHmac } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { CapabilityStatementRestSecurity } from '@medplum/fhirtypes';
import type { Config } from '../../config/schema.js';
import { logger } from '../../observability/logger.js';
import type { AuthorizeFn, SandboxFhirServer } from '../fhir/index.js';
import { createFhirAuthorize, type ResourceReader } from '../../fhir-server/access/authorize.js';
import type { ResourceLike } from '../../fhir-server/access/compartment.js';
import { createTokenVerifier } from '../../fhir-server/access/verify-token.js';
import { backendClient, developerClient, DEVELOPER_CLIENT, gpAppClients } from './clients.js';
import { ehrInteractionRouter } from './ehr-interaction.js';
import { BACKEND_CLIENT_KID, loadBackendClientKey, loadServerSigningKeys, publicJwk } from './keys.js';
import { LAUNCH_CONTEXT_MODEL, LaunchStore, type LaunchContext } from './launch-store.js';
import type { OidcStore } from '../../store/oidc-adapter.js';
import { smartConfiguration, smartSecurity } from './smart-configuration.js';
import { cachedGrantActivity } from './grant-activity.js';
import { createSmartProvider, LAUNCH_SCOPES, type SandboxClient } from './smart-provider.js';
import { authDialectMiddleware, dialect, publishedAuthMethods, registeredSecretMethod, type Dialect } from '../dialects/index.js';
import { normaliseBaseUrl } from '../../referral-model/references.js';

export type { LaunchContext } from './launch-store.js';
export { BACKEND_CLIENT_ID, DEVELOPER_CLIENT } from './clients.js';
export { BACKEND_CLIENT_KID } from './keys.js';

/** Where the two sandbox authorization servers live (their issuer = origin of the FHIR base + this path). */
export const EHR_AUTH_PATH = '/sandbox/auth/ehr';
export const LW_AUTH_PATH = '/sandbox/auth/lw';

export interface SandboxAuthOptions {
  config: Config;
  /** Defaults to config.dataDir; keys go to `{dataDir}/sandbox-keys/`. */
  dataDir?: string;
  /** Absolute FHIR bases, e.g. http://localhost:3000/sandbox/ehr/fhir. */
  ehrBase: string;
  lwBase: string;
  /** Storage of both servers' grants, refresh tokens and sessions (SP Link's Db), so they survive a restart. */
  store: OidcStore;
  /** How each authorization server behaves (default: config.sandbox.dialects). */
  dialects?: { ehr?: Dialect; lw?: Dialect };
}

export interface SandboxAuth {
  /** Mount at the app root, before the sandbox FHIR servers: auth servers + both smart-configuration documents. */
  readonly router: Router;
  /** `authorize` for createSandboxFhirServer at the EHR / link-worker base. */
  readonly ehrAuthorize: AuthorizeFn;
  readonly lwAuthorize: AuthorizeFn;
  /** Registers an EHR launch context and returns the opaque `launch` id for `/launch?iss=…&launch=…`. */
  createLaunch(context: LaunchContext): string;
  /** Lets the compartment checks read current resources; call once the FHIR servers exist. */
  attachServers(servers: { ehr?: SandboxFhirServer; lw?: SandboxFhirServer }): void;
  readonly ehrIssuer: string;
  readonly lwIssuer: string;
  /** `security` for createSandboxFhirServer: advertises SMART and the token/authorize URLs in /metadata. */
  readonly ehrSecurity: CapabilityStatementRestSecurity;
  readonly lwSecurity: CapabilityStatementRestSecurity;
  /** SP Link's backend-services key: file for config `privateKeyFile`, and its `kid`. */
  readonly backendKey: { file: string; kid: string };
  close(): Promise<void>;
}

const SCOPES_SUPPORTED = [...LAUNCH_SCOPES, 'patient/*.cruds', 'patient/*.rs', 'user/*.cruds', 'user/*.rs', 'system/*.cruds', 'system/*.rs', 'patient/*.read', 'user/*.read', 'system/*.read'];

function readerOf(server: SandboxFhirServer | undefined): ResourceReader | undefined {
  if (!server) return undefined;
  return async (type, id) => {
    try {
      return (await server.repo.readResource(type, id)) as unknown as ResourceLike;
    } catch {
      return undefined; // not found or deleted: the FHIR server answers that itself
    }
  };
}

/**
 * The sandbox's SMART authorization servers: one for the GP system (EHR launch + backend services) and one
 * for the link-worker service (backend services only, a different system with its own issuer), plus the
 * access enforcement both FHIR servers use. Grants, refresh tokens and sessions live in SP Link's Db (`opts.store`).
 */
export async function createSandboxAuth(opts: SandboxAuthOptions): Promise<SandboxAuth> {
  const { config } = opts;
  const log = logger.child({ module: 'sandbox-auth' });
  const dataDir = opts.dataDir ?? config.dataDir;
  const ehrBase = normaliseBaseUrl(opts.ehrBase);
  const lwBase = normaliseBaseUrl(opts.lwBase);
  const ehrIssuer = new URL(ehrBase).origin + EHR_AUTH_PATH;
  const lwIssuer = new URL(lwBase).origin + LW_AUTH_PATH;
  const cookieKeys = [createHmac('sha256', config.server.sessionSecret).update('sandbox-auth-cookies').digest('base64url')];
  const ehrDialect = opts.dialects?.ehr ?? dialect(config.sandbox.dialects.ehr);
  const lwDialect = opts.dialects?.lw ?? dialect(config.sandbox.dialects.lw);
  const backend = await loadBackendClientKey(dataDir);
  const common: SandboxClient[] = [backendClient(backend.publicJwk)];
  if (config.sandbox.allowInsecureDeveloperClient) {
    common.push(developerClient());
    log.warn({ clientId: DEVELOPER_CLIENT.clientId }, 'INSECURE: sandbox developer client enabled (sandbox.allowInsecureDeveloperClient)');
  }

  const ehrAdapter = opts.store.adapterFactory('sandbox-ehr-auth', { grantBound: [LAUNCH_CONTEXT_MODEL] });
  const launches = new LaunchStore({ grants: ehrAdapter(LAUNCH_CONTEXT_MODEL) });
  const [ehrKeys, lwKeys] = await Promise.all([loadServerSigningKeys(dataDir, 'ehr-auth'), loadServerSigningKeys(dataDir, 'lw-auth')]);
  const { provider: ehrProvider, policy: ehrPolicy } = createSmartProvider({
    issuer: ehrIssuer,
    fhirBase: ehrBase,
    clients: withSecretMethod([...gpAppClients(config, ehrBase), ...common], registeredSecretMethod(ehrDialect)),
    jwks: ehrKeys,
    cookieKeys,
    adapter: ehrAdapter,
    launches,
    interactionPath: (uid) => `${EHR_AUTH_PATH}/interaction/${uid}`,
    outermost: await authDialectMiddleware(ehrDialect, ehrIssuer),
  });
  const { provider: lwProvider } = createSmartProvider({
    issuer: lwIssuer,
    fhirBase: lwBase,
    clients: withSecretMethod(common, registeredSecretMethod(lwDialect)),
    jwks: lwKeys,
    cookieKeys,
    adapter: opts.store.adapterFactory('sandbox-lw-auth'),
    outermost: await authDialectMiddleware(lwDialect, lwIssuer),
  });

  const servers: { ehr?: SandboxFhirServer; lw?: SandboxFhirServer } = {};
  const ehrAuthorize = createFhirAuthorize({
    fhirBase: ehrBase,
    verify: createTokenVerifier({ issuer: ehrIssuer, audience: ehrBase, jwks: { keys: ehrKeys.keys.map(publicJwk) }, isGrantActive: cachedGrantActivity(ehrProvider) }),
    readResource: () => readerOf(servers.ehr),
  });
  const lwAuthorize = createFhirAuthorize({
    fhirBase: lwBase,
    verify: createTokenVerifier({ issuer: lwIssuer, audience: lwBase, jwks: { keys: lwKeys.keys.map(publicJwk) }, isGrantActive: cachedGrantActivity(lwProvider) }),
    readResource: () => readerOf(servers.lw),
  });

  const router = Router();
  const ehrSmart = smartConfiguration({ issuer: ehrIssuer, ehrLaunch: true, scopes: SCOPES_SUPPORTED, authMethods: publishedAuthMethods(ehrDialect) });
  const lwSmart = smartConfiguration({ issuer: lwIssuer, ehrLaunch: false, scopes: SCOPES_SUPPORTED.filter((s) => s.startsWith('system/')), authMethods: publishedAuthMethods(lwDialect) });
  const wellKnown = (doc: Record<string, unknown>) => (_req: Request, res: Response) => {
    res.set('Cache-Control', 'public, max-age=300').set('Access-Control-Allow-Origin', '*').json(doc);
  };
  router.get(`${new URL(ehrBase).pathname}/.well-known/smart-configuration`, wellKnown(ehrSmart));
  router.get(`${new URL(lwBase).pathname}/.well-known/smart-configuration`, wellKnown(lwSmart));
  router.use(EHR_AUTH_PATH, ehrInteractionRouter(ehrProvider, launches, ehrPolicy, ehrBase));
  router.use(EHR_AUTH_PATH, ehrProvider.callback());
  router.use(LW_AUTH_PATH, lwProvider.callback());

  return {
    router,
    ehrAuthorize,
    lwAuthorize,
    createLaunch: (context) => launches.create(context),
    attachServers(s) {
      if (s.ehr) servers.ehr = s.ehr;
      if (s.lw) servers.lw = s.lw;
    },
    ehrIssuer,
    lwIssuer,
    ehrSecurity: smartSecurity(ehrIssuer, true),
    lwSecurity: smartSecurity(lwIssuer, false),
    backendKey: { file: backend.file, kid: BACKEND_CLIENT_KID },
    async close() {
      // Storage belongs to the caller (opts.store); the providers hold no timers or sockets.
    },
  };
}

/** Secret-based clients registered with the dialect's method (oidc-provider holds each client to the one it has). */
function withSecretMethod(clients: SandboxClient[], method: 'client_secret_basic' | 'client_secret_post'): SandboxClient[] {
  return clients.map((c) =>
    c.metadata.token_endpoint_auth_method === 'client_secret_basic' || c.metadata.token_endpoint_auth_method === 'client_secret_post'
      ? { ...c, metadata: { ...c.metadata, token_endpoint_auth_method: method } }
      : c,
  );
}
