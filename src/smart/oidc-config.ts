import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import { fetchSmartConfiguration, type SmartConfiguration } from '../fhir/auth/index.js';

/**
 * openid-client Configurations per `iss`, built from `{iss}/.well-known/smart-configuration` (SMART is not
 * OIDC discovery, so `discovery()` does not apply). Time budget: 5 s per fetch, no retries (the GP is
 * waiting; the error page says to try again); cached for 10 minutes per iss.
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

export class OidcConfigCache {
  readonly #entries = new Map<string, { config: client.Configuration; smart: SmartConfiguration; expires: number }>();
  constructor(private readonly opts: OidcConfigCacheOptions) {}

  async get(tenant: TenantConfig, iss: string): Promise<client.Configuration> {
    const key = `${tenant.id} ${iss}`;
    const hit = this.#entries.get(key);
    if (hit && hit.expires > Date.now()) return hit.config;
    let smart: SmartConfiguration;
    try {
      smart = await fetchSmartConfiguration(iss, { timeoutMs: SMART_CONFIG_TIMEOUT_MS });
    } catch (err) {
      this.opts.logger.warn({ tenantId: tenant.id, err: (err as Error).message }, 'smart configuration unavailable');
      throw new SpLinkError('ERR_FHIR_UNREACHABLE', { message: 'The clinical system could not be reached to sign you in.' });
    }
    if (typeof smart.authorization_endpoint !== 'string') {
      throw new SpLinkError('ERR_SMART_AUTHORIZATION_SERVER', { message: 'The clinical system does not support launching apps (no authorization endpoint).' });
    }
    // SMART App Launch 2.x §Conformance: PKCE S256 is required; refuse servers that do not offer it.
    if (!smart.code_challenge_methods_supported?.includes('S256')) {
      throw new SpLinkError('ERR_SMART_AUTHORIZATION_SERVER', { message: 'The clinical system does not support PKCE S256, which SP Link requires.' });
    }
    const issuer = typeof smart.issuer === 'string' ? smart.issuer : iss;
    const auth = tenant.smart.clientSecret ? client.ClientSecretBasic(tenant.smart.clientSecret) : client.None();
    const config = new client.Configuration({ ...smart, issuer } as client.ServerMetadata, tenant.smart.clientId, {}, auth);
    if (this.opts.allowInsecureHttpForSandbox && new URL(smart.authorization_endpoint).protocol === 'http:') {
      this.opts.logger.warn({ tenantId: tenant.id }, 'SANDBOX: allowing plain-http SMART authorization server (allowInsecureRequests)');
      client.allowInsecureRequests(config);
    }
    this.#entries.set(key, { config, smart, expires: Date.now() + (this.opts.ttlMs ?? SMART_CONFIG_TTL_MS) });
    return config;
  }

  clear(): void {
    this.#entries.clear();
  }
}
