import * as client from 'openid-client';
import { FhirAuthError } from '../errors.js';
import { chooseAuthMethod, clientAuthFor, type ClientCredentials, type TokenEndpointAuthMethod } from './client-auth.js';
import { discoverServerMetadata, metadataForTokenUrl, type DiscoveredMetadata } from './server-metadata.js';
import { TokenCache } from './token-cache.js';
import type { AuthProvider, AuthProviderInfo } from './types.js';

interface CommonOptions {
  fhirBase: string;
  clientId: string;
  scope: string;
  /** Token endpoint; absent → discovered (server-metadata.ts). Set, it is used as is and nothing is discovered. */
  tokenUrl?: string;
  /** Per token request (and discovery fetch) timeout, ms. Default 10 s. */
  timeoutMs?: number;
  /**
   * Sends credentials over plain http to a non-loopback host. Loopback (the embedded sandbox) is always
   * allowed; anything else must be asked for by name.
   */
  allowInsecureHttp?: boolean;
}

export interface ClientCredentialsOptions extends CommonOptions {
  clientSecret: string;
  /** Absent: client_secret_basic unless the server publishes only client_secret_post. */
  tokenEndpointAuthMethod?: Extract<TokenEndpointAuthMethod, 'client_secret_basic' | 'client_secret_post'>;
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

/**
 * openid-client validates an `id_token` wherever one appears, but a client_credentials response has no user to
 * identify (RFC 6749 §4.4.3 defines none; OIDC does not apply). Some servers send one anyway (Medplum: ES256,
 * which a client expecting RS256 refuses); it is dropped unread so it can neither fail nor be trusted.
 */
export const ignoreIdToken: client.CustomFetch = async (url, options) => {
  const res = await fetch(url, options as RequestInit);
  if (!(res.headers.get('content-type') ?? '').includes('json')) return res;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const headers = new Headers(res.headers);
  // fetch has already decoded the body, so its length and encoding headers no longer apply.
  headers.delete('content-length');
  headers.delete('content-encoding');
  if (body && typeof body === 'object' && 'id_token' in body) {
    delete (body as { id_token?: unknown }).id_token;
    return new Response(JSON.stringify(body), { status: res.status, statusText: res.statusText, headers });
  }
  return new Response(text, { status: res.status, statusText: res.statusText, headers });
};

interface Configured {
  config: client.Configuration;
  method: TokenEndpointAuthMethod;
  discovered: DiscoveredMetadata;
}

async function configure(opts: CommonOptions, creds: ClientCredentials, configured: TokenEndpointAuthMethod | undefined): Promise<Configured> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const discovered = opts.tokenUrl ? metadataForTokenUrl(opts.tokenUrl) : await discoverServerMetadata(opts.fhirBase, { timeoutMs });
  const tokenEndpoint = discovered.metadata.token_endpoint;
  if (!tokenEndpoint) throw new FhirAuthError(`no token endpoint for ${opts.fhirBase}`, false);
  const insecure = insecureAllowed(tokenEndpoint, opts.allowInsecureHttp);
  const method = chooseAuthMethod(configured, creds, discovered.metadata.token_endpoint_auth_methods_supported);
  const config = new client.Configuration(discovered.metadata, opts.clientId, { token_endpoint_auth_method: method }, clientAuthFor(method, creds, tokenEndpoint));
  if (insecure) client.allowInsecureRequests(config);
  config[client.customFetch] = ignoreIdToken;
  config.timeout = Math.ceil(timeoutMs / 1000);
  return { config, method, discovered };
}

function toAuthError(err: unknown, what: string): FhirAuthError {
  if (err instanceof FhirAuthError) return err;
  if (err instanceof client.ResponseBodyError) {
    return new FhirAuthError(`${what}: token endpoint answered HTTP ${err.status} ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`, err.status >= 500 || err.status === 429, err);
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    // A 401 with WWW-Authenticate (RFC 6749 §5.2: invalid_client): the credentials were refused; retrying will not help.
    const p = err.cause[0]?.parameters ?? {};
    const error = p.error ?? (err.status === 401 ? 'invalid_client' : 'refused');
    return new FhirAuthError(`${what}: token endpoint answered HTTP ${err.status} ${error}${p.error_description ? ` (${p.error_description})` : ''}`, err.status >= 500 || err.status === 429, err);
  }
  const e = err as Error & { cause?: { code?: string } };
  const detail = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.message);
  // Anything else (network, timeout, malformed response) may well work next time.
  return new FhirAuthError(`${what}: ${detail}`, true, err);
}

/** Shared machinery: lazily configured client, token cache with a single in-flight request. */
function oauthProvider(type: 'client-credentials' | 'smart-backend', opts: CommonOptions, creds: ClientCredentials, method: TokenEndpointAuthMethod | undefined): AuthProvider {
  let configured: Promise<Configured> | undefined;
  let info: AuthProviderInfo = {};
  const what = `${type} token for client "${opts.clientId}"`;
  const cache = new TokenCache(async () => {
    try {
      configured ??= configure(opts, creds, method).catch((err: unknown) => {
        configured = undefined; // a failed discovery is retried on the next request
        throw err;
      });
      const c = await configured;
      info = { tokenEndpoint: c.config.serverMetadata().token_endpoint, tokenEndpointAuthMethod: c.method };
      const tokens = await client.clientCredentialsGrant(c.config, { scope: opts.scope });
      if (typeof tokens.scope === 'string') info = { ...info, grantedScope: tokens.scope };
      return { accessToken: tokens.access_token, expiresIn: tokens.expires_in };
    } catch (err) {
      throw toAuthError(err, what);
    }
  });
  return {
    type,
    authorization: async () => `Bearer ${await cache.get()}`,
    invalidate: (rejected) => cache.invalidate(rejected?.replace(/^Bearer /, '')),
    info: () => info,
  };
}

/** OAuth 2.0 client_credentials with a client secret (client_secret_basic or client_secret_post). */
export function clientCredentialsAuth(opts: ClientCredentialsOptions): AuthProvider {
  return oauthProvider('client-credentials', opts, { clientSecret: opts.clientSecret }, opts.tokenEndpointAuthMethod);
}

/** SMART Backend Services: client_credentials with a `private_key_jwt` client assertion (`aud` = token endpoint). */
export function smartBackendAuth(opts: SmartBackendOptions): AuthProvider {
  return oauthProvider('smart-backend', opts, { signingKey: { key: opts.privateKey, kid: opts.kid } }, 'private_key_jwt');
}
