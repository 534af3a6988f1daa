import type * as client from 'openid-client';
import { FhirAuthError } from '../errors.js';
import { fetchSmartConfiguration, type SmartConfiguration } from './smart-configuration.js';

/** What discovery found: the merged server metadata, and where each part came from (for the doctor and logs). */
export interface DiscoveredMetadata {
  readonly metadata: client.ServerMetadata;
  readonly smart?: SmartConfiguration;
  /** URL of the OpenID Connect / OAuth 2.0 metadata document used, when the issuer publishes one. */
  readonly oauthMetadataUrl?: string;
}

export interface DiscoveryOptions {
  /** Budget of each fetch (ms). Default 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Where an issuer may publish its metadata: OpenID Connect Discovery 1.0 §4 (`{issuer}/.well-known/openid-configuration`)
 * and RFC 8414 §3.1 (`/.well-known/oauth-authorization-server` inserted before the issuer's path).
 */
export function oauthMetadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/+$/, '');
  return [`${u.origin}${path}/.well-known/openid-configuration`, `${u.origin}/.well-known/oauth-authorization-server${path}`];
}

async function fetchJson(url: string, o: DiscoveryOptions): Promise<Record<string, unknown> | undefined> {
  const signals = [AbortSignal.timeout(o.timeoutMs ?? 5000), ...(o.signal ? [o.signal] : [])];
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.any(signals), redirect: 'error' });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    const body = (await res.json()) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The OpenID/OAuth metadata of `issuer`, when it publishes any. A document is used only if its `issuer` is
 * exactly the one asked for (RFC 8414 §3.3, OIDC Discovery §4.3): otherwise it describes some other server.
 */
export async function fetchOauthMetadata(issuer: string, o: DiscoveryOptions = {}): Promise<{ url: string; doc: Record<string, unknown> } | undefined> {
  for (const url of oauthMetadataUrls(issuer)) {
    const doc = await fetchJson(url, o);
    if (doc && doc.issuer === issuer) return { url, doc };
  }
  return undefined;
}

/**
 * Server metadata by discovery, not by hand: `{fhirBase}/.well-known/smart-configuration` (SMART App Launch 2.x
 * §2.1, required) and, where the issuer publishes it, its OpenID Connect / OAuth 2.0 metadata, which tells what
 * SMART's document often leaves out (e.g. `id_token_signing_alg_values_supported`). SMART's values win where
 * both speak: they are the ones a SMART server commits to for FHIR clients.
 */
export async function discoverServerMetadata(fhirBase: string, o: DiscoveryOptions = {}): Promise<DiscoveredMetadata> {
  const smart = await fetchSmartConfiguration(fhirBase, o);
  const issuer = typeof smart.issuer === 'string' && smart.issuer ? smart.issuer : undefined;
  const oauth = issuer ? await fetchOauthMetadata(issuer, o) : undefined;
  const merged = { ...(oauth?.doc ?? {}), ...smart, issuer: issuer ?? new URL(smart.token_endpoint).origin } as client.ServerMetadata;
  return { metadata: merged, smart, ...(oauth ? { oauthMetadataUrl: oauth.url } : {}) };
}

/** Metadata for a configured token URL (no discovery: the configuration says where to go). */
export function metadataForTokenUrl(tokenUrl: string): DiscoveredMetadata {
  try {
    return { metadata: { issuer: new URL(tokenUrl).origin, token_endpoint: tokenUrl } };
  } catch (err) {
    throw new FhirAuthError(`tokenUrl ${tokenUrl} is not a URL`, false, err);
  }
}
