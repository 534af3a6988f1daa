import * as client from 'openid-client';
import type { AuthTestApp } from './boot.js';

/** The GP app's client (`sp-link`, client-secret basic) configured from the sandbox EHR's smart-configuration. */
export async function gpAppClient(app: Pick<AuthTestApp, 'ehrBase' | 'config'>): Promise<{ config: client.Configuration; redirectUri: string; smart: Record<string, unknown> }> {
  const smart = (await (await fetch(`${app.ehrBase}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
  const tenant = app.config.tenants[0]!;
  const config = new client.Configuration(
    { ...smart, issuer: String(smart.issuer) } as client.ServerMetadata,
    tenant.smart.clientId,
    undefined,
    client.ClientSecretBasic(tenant.smart.clientSecret!),
  );
  client.allowInsecureRequests(config);
  return { config, redirectUri: `${app.config.server.publicUrl}/smart/callback`, smart };
}

/** An EHR-launch authorization request (PKCE S256, state, launch, aud) as SP Link sends it; `extra` overrides parameters. */
export async function ehrAuthorizationRequest(
  app: Pick<AuthTestApp, 'ehrBase'>,
  config: client.Configuration,
  opts: { scope: string; redirectUri: string; launch: string; extra?: Record<string, string> },
): Promise<{ url: URL; verifier: string; state: string }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: opts.redirectUri,
    scope: opts.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    launch: opts.launch,
    aud: app.ehrBase,
    ...opts.extra,
  });
  return { url, verifier, state };
}

/**
 * Follows an authorization request through the sandbox authorization server's redirects the way a browser
 * does (cookies kept per host), until it reaches the client's redirect URI; returns that URL.
 */
export async function followToRedirectUri(start: URL | string, redirectUri: string, maxHops = 10): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(start);
  for (let hop = 0; hop < maxHops; hop++) {
    if (url.href.startsWith(redirectUri)) return url;
    const res = await fetch(url, {
      redirect: 'manual',
      headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair?.indexOf('=') ?? -1;
      if (pair && i > 0) jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`authorization flow stopped at ${url.pathname} with HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    await res.body?.cancel();
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

/** A cookie-keeping HTTP client that follows redirects by hand until a page or the redirect URI. */
export class FormBrowser {
  readonly #jar = new Map<string, string>();

  constructor(readonly stopAt: string) {}

  async #request(url: URL, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(this.#jar.size ? { cookie: [...this.#jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}) },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair?.indexOf('=') ?? -1;
      if (pair && i > 0) this.#jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
    }
    return res;
  }

  /** Requests `url` and follows redirects; returns the redirect-URI URL reached, or the page where it stopped. */
  async go(url: URL | string, init?: RequestInit): Promise<{ url: URL; redirected: true } | { url: URL; redirected: false; status: number; html: string }> {
    let current = new URL(url);
    let res = await this.#request(current, init);
    for (let hop = 0; hop < 10; hop++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        return { url: current, redirected: false, status: res.status, html: await res.text() };
      }
      await res.body?.cancel();
      current = new URL(location, current);
      if (current.href.startsWith(this.stopAt)) return { url: current, redirected: true };
      res = await this.#request(current);
    }
    throw new Error('too many redirects');
  }

  /** Submits a urlencoded form from the current page. */
  post(action: URL, fields: Record<string, string>) {
    return this.go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}
