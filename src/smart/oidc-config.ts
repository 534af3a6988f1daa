import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import { chooseAuthMethod, clientAuthFor, discoverServerMetadata, loadPrivateKey, type ClientCredentials, type TokenEndpointAuthMethod } from '../fhir/auth/index.js';

/**
 * openid-client Configurations per `iss`, from discovery: `{iss}/.well-known/smart-configuration` merged with
 * the issuer's OpenID/OAuth metadata where published (so `id_token` algorithms and auth methods are the
 * server's, not guesses). Time budget: 5 s per fetch, no retries (the GP is waiting; the error page says to try
 * again); cached for 10 minutes per iss.
 */
export const SMART_CONFIG_TTL_MS = 10 * 60 * 1000;
export const SMART_CONFIG_TIMEOUT_MS = 5000;

export interface OidcConfigCacheOptions {
  /**
   * Sandbox only: allow plain-http authorization servers (openid-client refuses them otherwise). Named and
   * logged, never a default; the composition root enables it only when `sandbox.enabled` is set.
   */
  allowInsecureHttpForSandbox: boolean;
  logger: Logger;
  ttlMs?: number;
}

/** The GP app's credentials at a tenant's EHR (secret and/or private key), loaded once. */
async function credentialsOf(tenant: TenantConfig): Promise<ClientCredentials> {
  const s = tenant.smart;
  const creds: ClientCredentials = s.clientSecret ? { clientSecret: s.clientSecret } : {};
  if ((s.privateKey || s.privateKeyFile) && s.kid) {
    creds.signingKey = { key: await loadPrivateKey(s, s.alg ?? 'RS384'), kid: s.kid };
  }
  return creds;
}

export class OidcConfigCache {
  readonly #entries = new Map<string, { config: client.Configuration; method: TokenEndpointAuthMethod; expires: number }>();
  readonly #credentials = new Map<string, Promise<ClientCredentials>>();
  constructor(private readonly opts: OidcConfigCacheOptions) {}

  async get(tenant: TenantConfig, iss: string): Promise<client.Configuration> {
    const key = `${tenant.id} ${iss}`;
    const hit = this.#entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.config;
    let discovered: Awaited<ReturnType<typeof discoverServerMetadata>>;
    try {
      discovered = await discoverServerMetadata(iss, { timeoutMs: SMART_CONFIG_TIMEOUT_MS });
    } catch (err) {
      this.opts.logger.warn({ tenantId: tenant.id, err: (err as Error).message }, 'smart configuration unavailable');
      throw new SpLinkError('ERR_FHIR_UNREACHABLE', { message: 'The clinical system could not be reached to sign you in.' });
    }
    const meta = discovered.metadata;
    if (typeof meta.authorization_endpoint !== 'string') {
      throw new SpLinkError('ERR_SMART_AUTHORIZATION_SERVER', { message: 'The clinical system does not support launching apps (no authorization endpoint).' });
    }
    // SMART App Launch 2.x §Conformance: PKCE S256 is required; refuse servers that do not offer it.
    if (!discovered.smart?.code_challenge_methods_supported?.includes('S256')) {
      throw new SpLinkError('ERR_SMART_AUTHORIZATION_SERVER', { message: 'The clinical system does not support PKCE S256, which SP Link requires.' });
    }
    let creds: ClientCredentials;
    try {
      let p = this.#credentials.get(tenant.id);
      if (!p) {
        p = credentialsOf(tenant);
        this.#credentials.set(tenant.id, p);
        p.catch(() => this.#credentials.delete(tenant.id));
      }
      creds = await p;
    } catch (err) {
      this.opts.logger.error({ tenantId: tenant.id, err: (err as Error).message }, 'GP app private key unusable');
      throw new SpLinkError('ERR_CONFIG_INVALID', { message: 'SP Link’s key for this practice cannot be used. Tell IT support.' });
    }
    const method = chooseAuthMethod(tenant.smart.tokenEndpointAuthMethod, creds, meta.token_endpoint_auth_methods_supported);
    let auth: client.ClientAuth;
    try {
      auth = clientAuthFor(method, creds, meta.token_endpoint ?? '');
    } catch (err) {
      this.opts.logger.error({ tenantId: tenant.id, method, err: (err as Error).message }, 'GP app client authentication misconfigured');
      throw new SpLinkError('ERR_CONFIG_INVALID', { message: 'SP Link is not set up correctly for this practice. Tell IT support.' });
    }
    const config = new client.Configuration(meta, tenant.smart.clientId, { token_endpoint_auth_method: method }, auth);
    if (this.opts.allowInsecureHttpForSandbox && new URL(meta.authorization_endpoint).protocol === 'http:') {
      this.opts.logger.warn({ tenantId: tenant.id }, 'SANDBOX: allowing plain-http SMART authorization server (allowInsecureRequests)');
      client.allowInsecureRequests(config);
    }
    this.#entries.set(key, { config, method, expires: Date.now() + (this.opts.ttlMs ?? SMART_CONFIG_TTL_MS) });
    return config;
  }

  clear(): void {
    this.#entries.clear();
  }
}
