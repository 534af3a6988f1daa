import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { TokenCache } from './token-cache.js';
import type { AuthProvider } from './types.js';

/**
 * Access tokens of a hosted link-worker record (docs/SECURITY.md, "Hosted link-worker records"): JWTs (RFC 9068,
 * `typ` at+jwt) that SP Link signs and verifies itself with the record's key (HS256), issued by its token endpoint to
 * registered backend clients and minted in process for SP Link's own components. `iss` and `aud` are the record's
 * FHIR base, so a token for one record is refused by every other.
 */

export const HOSTED_TOKEN_LIFETIME_SECONDS = 300;
const ALG = 'HS256';

export interface HostedTokenClaims {
  readonly clientId: string;
  /** Space-separated SMART scopes granted. */
  readonly scope: string;
}

const keyBytes = (key: string): Uint8Array => Buffer.from(key, 'base64url');

export async function signHostedAccessToken(
  opts: { key: string; fhirBase: string; lifetimeSeconds?: number; now?: Date } & HostedTokenClaims,
): Promise<{ accessToken: string; expiresIn: number }> {
  const expiresIn = opts.lifetimeSeconds ?? HOSTED_TOKEN_LIFETIME_SECONDS;
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const accessToken = await new SignJWT({ client_id: opts.clientId, scope: opts.scope })
    .setProtectedHeader({ alg: ALG, typ: 'at+jwt' })
    .setIssuer(opts.fhirBase)
    .setAudience(opts.fhirBase)
    .setSubject(opts.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .setJti(randomUUID())
    .sign(keyBytes(opts.key));
  return { accessToken, expiresIn };
}

/** Why a token was refused, in words safe to send back (nothing of the token itself). */
export class HostedTokenError extends Error {
  override readonly name = 'HostedTokenError';
}

export async function verifyHostedAccessToken(token: string, opts: { key: string; fhirBase: string; now?: Date }): Promise<HostedTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, keyBytes(opts.key), {
      issuer: opts.fhirBase,
      audience: opts.fhirBase,
      typ: 'at+jwt',
      algorithms: [ALG],
      requiredClaims: ['exp', 'client_id', 'scope'],
      ...(opts.now ? { currentDate: opts.now } : {}),
    });
    if (typeof payload.client_id !== 'string' || typeof payload.scope !== 'string') throw new HostedTokenError('access token lacks client_id or scope');
    return { clientId: payload.client_id, scope: payload.scope };
  } catch (err) {
    if (err instanceof HostedTokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new HostedTokenError('access token expired');
    if (err instanceof joseErrors.JWTClaimValidationFailed && (err.claim === 'aud' || err.claim === 'iss')) {
      throw new HostedTokenError('access token was issued for another server');
    }
    throw new HostedTokenError('access token is not valid for this server');
  }
}

/**
 * SP Link's own credential at a hosted record (config `auth: { type: hosted }`, filled in at load): a short-lived token
 * it signs for itself, cached and renewed before expiry like any other.
 */
export function hostedSelfAuth(opts: { key: string; fhirBase: string; clientId: string; scope: string }): AuthProvider {
  const cache = new TokenCache(() => signHostedAccessToken(opts));
  return {
    type: 'hosted',
    authorization: async () => `Bearer ${await cache.get()}`,
    invalidate: (rejected) => cache.invalidate(rejected?.replace(/^Bearer /, '')),
  };
}
