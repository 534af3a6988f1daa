import Provider, { errors, type AdapterFactory, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { ScopeContext } from '../../fhir-server/access/smart-scopes.js';
import { ScopePolicy } from './scope-policy.js';
import type { LaunchContext, LaunchStore } from './launch-store.js';
import { ASSERTION_ALGS } from './smart-configuration.js';
import { logger } from '../../observability/logger.js';
import { escapeHtml } from '../../http/html.js';

const log = logger.child({ module: 'sandbox-auth' });

/**
 * One sandbox SMART authorization server (oidc-provider 9) protecting one FHIR base.
 * SMART is not plain OIDC, so four hooks adapt it (SMART App Launch 2.x):
 * - `launch`/`aud` are authorization parameters: `aud` must name the FHIR base, `launch` must resolve.
 * - Resource Indicators with the FHIR base as default resource make the access token a JWT with `aud` = base.
 * - The token response gains `patient`, `encounter`, `fhirUser`, `need_patient_banner` and the whole granted `scope`
 *   (oidc-provider puts only the resource server's scopes there).
 * - Every EHR launch authenticates the launching clinician afresh (`prompt=login consent`), which also lets
 *   `offline_access` survive (oidc-provider drops it unless consent is prompted) so a refresh token is issued.
 */

export interface SandboxClient {
  readonly metadata: ClientMetadata;
  /** SMART scope contexts the client may be granted (`patient`/`user` for apps, `system` for backends). */
  readonly contexts: readonly ScopeContext[];
}

export interface SmartProviderOptions {
  issuer: string;
  fhirBase: string;
  clients: readonly SandboxClient[];
  jwks: { keys: JWK[] };
  cookieKeys: string[];
  /** Storage for grants, refresh tokens, sessions… (OidcStore on SP Link's Db). */
  adapter: AdapterFactory;
  /** Present for a server that supports EHR launch (authorization code); absent = backend services only. */
  launches?: LaunchStore;
  /** Path of the interaction route under the issuer (the EHR launcher completes it server-side). */
  interactionPath?: (uid: string) => string;
  accessTokenTtlSeconds?: number;
  /** Registered first, so it wraps every other middleware (a dialect layer, src/sandbox/dialects). */
  outermost?: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;
}

/** Non-clinical scopes the EHR server understands (SMART App Launch 2.x §Scopes). */
export const LAUNCH_SCOPES = ['openid', 'fhirUser', 'offline_access', 'online_access', 'launch', 'launch/patient', 'launch/encounter'];

export const fhirUserUrl = (fhirBase: string, practitionerId: string): string => `${fhirBase}/Practitioner/${practitionerId}`;

/** The scopes a request is asking for, wherever oidc-provider keeps them at this step. */
function requestedScopes(ctx: KoaContextWithOIDC): string[] {
  const { params, entities } = ctx.oidc;
  const fromParams = typeof params?.scope === 'string' ? params.scope : undefined;
  const scope = fromParams ?? entities.AuthorizationCode?.scope ?? entities.RefreshToken?.scope ?? '';
  return scope.split(' ').filter(Boolean);
}

export function createSmartProvider(opts: SmartProviderOptions): { provider: Provider; policy: ScopePolicy } {
  const { fhirBase, launches } = opts;
  const policy = new ScopePolicy(opts.clients, launches ? LAUNCH_SCOPES : []);
  const ttl = opts.accessTokenTtlSeconds ?? 3600;

  const configuration: Configuration = {
    adapter: opts.adapter,
    clients: opts.clients.map((c) => c.metadata),
    jwks: opts.jwks as Configuration['jwks'],
    cookies: { keys: opts.cookieKeys },
    scopes: launches ? LAUNCH_SCOPES : [],
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    // SMART puts fhirUser in the id_token itself (SMART App Launch 2.x §Scopes for requesting identity data).
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: () => ({ sub, fhirUser: fhirUserUrl(fhirBase, sub) }) };
    },
    extraParams: {
      // SMART App Launch 2.x §Obtaining authorization code: `aud` is required and must be the FHIR base.
      aud(ctx, value) {
        if (ctx.oidc.route !== 'authorization') return;
        if (value !== fhirBase) throw new errors.InvalidRequest('aud must be the FHIR base URL of this EHR');
      },
      launch(ctx, value) {
        if (ctx.oidc.route !== 'authorization' || value === undefined) return;
        if (!launches?.resolve(String(value))) throw new errors.InvalidRequest('launch is unknown or has expired; start again from the EHR');
      },
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => fhirBase,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, resource, client) {
          if (resource !== fhirBase) throw new errors.InvalidTarget('the only resource here is the FHIR base of this server');
          const requested = requestedScopes(ctx);
          const scope = policy.clinical(client.clientId, requested);
          if (ctx.oidc.params?.grant_type === 'client_credentials') {
            // A backend asks for exactly what it needs and gets it, or is told which scope it may not have
            // (RFC 6749 §5.2 invalid_scope), rather than a token that silently lacks it.
            const refused = requested.filter((s) => !scope.includes(s));
            if (refused.length) throw new errors.InvalidScope(`this client may not have: ${refused.join(' ')}`, refused.join(' '));
          }
          return { scope: scope.join(' '), audience: fhirBase, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS384' } } };
        },
      },
    },
    async extraTokenClaims(_ctx, token) {
      const grantId = 'grantId' in token ? token.grantId : undefined;
      const launch = await launches?.forGrant(grantId);
      // grant_id lets the sandbox FHIR servers honour revocation (e.g. after authorization code replay).
      return launch ? { ...launchClaims(fhirBase, launch), grant_id: grantId } : grantId ? { grant_id: grantId } : undefined;
    },
    enabledJWA: {
      clientAuthSigningAlgValues: [...ASSERTION_ALGS, 'RS256', 'ES256', 'PS384'],
      idTokenSigningAlgValues: ['RS256', 'RS384', 'ES384'],
    },
    clientDefaults: { id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic' },
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      AccessToken: ttl,
      ClientCredentials: ttl,
    },
    interactions: { url: (_ctx, interaction) => (opts.interactionPath ?? ((uid) => `/interaction/${uid}`))(interaction.uid) },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox authorization error</title></head><body><main><h1>Authorization failed</h1><p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p></main></body></html>`;
    },
  };

  const provider = new Provider(opts.issuer, configuration);
  provider.on('server_error', (_ctx, err) => log.error({ err, issuer: opts.issuer }, 'sandbox authorization server error'));
  if (opts.outermost) provider.use(opts.outermost as Parameters<Provider['use']>[0]);

  if (launches) {
    provider.use(async (ctx, next) => {
      if (ctx.path === '/auth' || ctx.path.startsWith('/auth/')) {
        // Every EHR launch is its own sign-in: the clinician named by *this* launch, a fresh grant bound to
        // *this* launch context. The browser's session with the sandbox EHR is ignored on /auth and its resume
        // step, so a previous launch (another clinician or patient) can neither carry over nor trigger an
        // account-switch logout page. The sign-in has no UI, so prompt=none is answered the same way.
        ctx.req.headers.cookie = stripCookies(ctx.req.headers.cookie, SESSION_COOKIE);
        if (ctx.path === '/auth') {
          if (ctx.method !== 'GET') {
            ctx.status = 405;
            ctx.body = { error: 'invalid_request', error_description: 'the sandbox EHR accepts authorization requests by GET only' };
            return;
          }
          ctx.query = { ...ctx.query, prompt: 'login consent' };
        }
      }
      await next();
      if (ctx.oidc?.route === 'token' && ctx.status === 200) await completeTokenResponse(ctx as KoaContextWithOIDC, fhirBase, launches);
    });
  }
  return { provider, policy };
}

const SESSION_COOKIE = /^_session(\.|$)/;

/** The Cookie header without the cookies whose names match `name`. */
function stripCookies(header: string | undefined, name: RegExp): string | undefined {
  if (!header) return header;
  const kept = header.split(';').filter((c) => !name.test(c.trim().split('=')[0] ?? ''));
  return kept.length ? kept.join(';') : undefined;
}

function launchClaims(fhirBase: string, launch: LaunchContext): Record<string, unknown> {
  return {
    patient: launch.patient,
    ...(launch.encounter ? { encounter: launch.encounter } : {}),
    fhirUser: fhirUserUrl(fhirBase, launch.practitioner),
  };
}

/** SMART App Launch 2.x §Response with access token: launch context and the full granted scope. */
async function completeTokenResponse(ctx: KoaContextWithOIDC, fhirBase: string, launches: LaunchStore): Promise<void> {
  const body = ctx.body as Record<string, unknown> | undefined;
  if (!body || typeof body.access_token !== 'string') return;
  const grant = ctx.oidc.entities.Grant;
  const launch = await launches.forGrant(grant?.jti);
  if (launch) {
    Object.assign(body, launchClaims(fhirBase, launch), { need_patient_banner: launch.needPatientBanner ?? true });
    // CDS Hooks 2.0: a card's SMART link `appContext` reaches the app in the token response.
    if (launch.appContext !== undefined) body.appContext = launch.appContext;
  }
  const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
  if (grant && source?.scope) {
    const granted = new Set([...(grant.getOIDCScope()?.split(' ') ?? []), ...(grant.getResourceScope(fhirBase)?.split(' ') ?? [])]);
    // offline_access is only reported when a refresh token was actually issued.
    const hasRefresh = body.refresh_token !== undefined;
    body.scope = source.scope
      .split(' ')
      .filter((s) => granted.has(s) && (s !== 'offline_access' || hasRefresh))
      .join(' ');
  }
}

