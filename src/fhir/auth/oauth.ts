import * as client from 'openid-client';
import { FhirAuthError } from '../errors.js';
import { fetchSmartConfiguration } from './smart-configuration.js';
import { TokenCache } from './token-cache.js';
import type { AuthProvider } from './types.js';

interface CommonOptions {
  fhirBase: string;
  clientId: string;
  scope: string;
  /** Token endpoint; absent → discovered from `{fhirBase}/.well-known/smart-configuration`. */
  tokenUrl?: string;
  /** Per token request (and discovery) timeout, ms. Default 10 s. */
  timeoutMs?: number;
  /**
   * Sends credentials over plain http to a non-loopback host. Loopback (the embedded sandbox) is always
   * allowed; anything else must be asked for by name.
   */
  allowInsecureHttp?: boolean;
}

export interface ClientCredentialsOptions extends CommonOptions {
  clientSecret: string;
}

export interface SmartBackendOptions extends CommonOptions {
  /** Signing key for the client assertion (see keys.ts). */
  privateKey: CryptoKey;
  kid: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function insecureAllowed(url: string, explicit: boolean | undefined): boolean {
  const u = new URL(url);
  if (u.protocol === 'https:') return false;
  if (LOOPBACK.has(u.hostname) || explicit) return true;
  throw new FhirAuthError(`refusing to send client credentials over plain http to ${u.origin}; use https or set allowInsecureHttp`, false);
}

async function configure(opts: CommonOptions, auth: (tokenEndpoint: string) => client.ClientAuth): Promise<client.Configuration> {
  let tokenEndpoint = opts.tokenUrl;
  let issuer: string | undefined;
  if (!tokenEndpoint) {
    const smart = await fetchSmartConfiguration(opts.fhirBase, { timeoutMs: opts.timeoutMs ?? 10_000 });
    tokenEndpoint = smart.token_endpoint;
    issuer = smart.issuer;
  }
  const insecure = insecureAllowed(tokenEndpoint, opts.allowInsecureHttp);
  // SMART configuration is not OIDC discovery: build the server metadata by hand (DESIGN §9).
  const config = new client.Configuration({ issuer: issuer ?? new URL(tokenEndpoint).origin, token_endpoint: tokenEndpoint }, opts.clientId, {}, auth(tokenEndpoint));
  if (insecure) client.allowInsecureRequests(config);
  config.timeout = Math.ceil((opts.timeoutMs ?? 10_000) / 1000);
  return config;
}

function toAuthError(err: unknown, what: string): FhirAuthError {
  if (err instanceof FhirAuthError) return err;
  if (err instanceof client.ResponseBodyError) {
    return new FhirAuthError(`${what}: token endpoint answered HTTP ${err.status} ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`, err.status >= 500 || err.status === 429, err);
  }
  const e = err as Error & { cause?: { code?: string } };
  const detail = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.message);
  // Anything else (network, timeout, malformed response) may well work next time.
  return new FhirAuthError(`${what}: ${detail}`, true, err);
}

/** Shared machinery: lazily configured client, token cache with a single in-flight request. */
function oauthProvider(type: 'client-credentials' | 'smart-backend', opts: CommonOptions, auth: (tokenEndpoint: string) => client.ClientAuth): AuthProvider {
  let config: Promise<client.Configuration> | undefined;
  const what = `${type} token for client "${opts.clientId}"`;
  const cache = new TokenCache(async () => {
    try {
      config ??= configure(opts, auth).catch((err: unknown) => {
        config = undefined; // a failed discovery is retried on the next request
        throw err;
      });
      const tokens = await client.clientCredentialsGrant(await config, { scope: opts.scope });
      return { accessToken: tokens.access_token, expiresIn: tokens.expires_in };
    } catch (err) {
      throw toAuthError(err, what);
    }
  });
  return {
    type,
    authorization: async () => `Bearer ${await cache.get()}`,
    invalidate: (rejected) => cache.invalidate(rejected?.replace(/^Bearer /, '')),
  };
}

/** OAuth 2.0 client_credentials with client_secret_basic (e.g. the sandbox developer client). */
export function clientCredentialsAuth(opts: ClientCredentialsOptions): AuthProvider {
  return oauthProvider('client-credentials', opts, () => client.ClientSecretBasic(opts.clientSecret));
}

/**
 * SMART Backend Services: client_credentials with a `private_key_jwt` client assertion.
 * SMART requires the assertion's `aud` to be the token endpoint (Backend Services §"Protocol details");
 * openid-client defaults it to the issuer, hence `modifyAssertion`.
 */
export function smartBackendAuth(opts: SmartBackendOptions): AuthProvider {
  return oauthProvider('smart-backend', opts, (tokenEndpoint) =>
    client.PrivateKeyJwt(
      { key: opts.privateKey, kid: opts.kid },
      {
        [client.modifyAssertion]: (header, payload) => {
          header.typ = 'JWT';
          payload.aud = tokenEndpoint;
        },
      },
    ),
  );
}
