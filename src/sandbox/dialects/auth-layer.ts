import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { formEncodeCredential } from '../../fhir/auth/client-auth.js';
import type { Dialect } from './presets.js';

type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

const CLIENT_AUTH_PATHS = new Set(['/token', '/token/introspection', '/token/revocation']);

/**
 * The Basic header as a server that does not form-decode it reads it: the raw text before and after the first
 * `:` is the client id and secret. Re-encoded properly for oidc-provider (which decodes), so it ends up
 * comparing exactly those raw values: `sp%2Dlink` stays `sp%2Dlink` and no longer matches `sp-link`.
 */
export function rawBasicAsDecoded(header: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return header;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return header;
  return `Basic ${Buffer.from(`${formEncodeCredential(text.slice(0, i))}:${formEncodeCredential(text.slice(i + 1))}`).toString('base64')}`;
}

/**
 * A koa middleware for a sandbox oidc-provider (register it first, so it wraps everything else) that makes the
 * authorization server speak a dialect at its token endpoint: raw Basic credentials, an ES256 id_token in every
 * token response (client_credentials too), or responses without `fhirUser`. Undefined for the reference dialect.
 */
export async function authDialectMiddleware(d: Dialect, issuer: string): Promise<Middleware | undefined> {
  if (d.basicCredentials === 'form-decoded' && !d.idTokenInEveryTokenResponse && !d.omitFhirUser) return undefined;
  const es256 = d.idTokenInEveryTokenResponse ? await generateKeyPair('ES256') : undefined;
  return async (ctx, next) => {
    if (d.basicCredentials === 'raw' && CLIENT_AUTH_PATHS.has(ctx.path)) {
      const rewritten = rawBasicAsDecoded(ctx.req.headers.authorization);
      if (rewritten) ctx.req.headers.authorization = rewritten;
    }
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body.access_token !== 'string') return;
    if (d.omitFhirUser) {
      delete body.fhirUser;
      delete body.id_token;
    }
    if (es256 && body.id_token === undefined) {
      const clientId = ctx.oidc.client?.clientId ?? 'unknown';
      body.id_token = await new SignJWT({ login: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'dialect-es256' })
        .setIssuer(issuer)
        .setSubject(clientId)
        .setAudience(clientId)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(es256.privateKey);
    }
  };
}

/** The secret-based method sandbox clients are registered with (oidc-provider holds each client to one). */
export function registeredSecretMethod(d: Dialect): 'client_secret_basic' | 'client_secret_post' {
  return d.secretAuthMethods[0] ?? 'client_secret_basic';
}

/** `token_endpoint_auth_methods_supported` as the dialect's server publishes it. */
export function publishedAuthMethods(d: Dialect): string[] {
  return [...d.secretAuthMethods, 'private_key_jwt'];
}
