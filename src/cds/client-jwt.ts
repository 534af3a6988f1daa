import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { SpLinkError } from '../errors.js';
import type { Db } from '../store/db.js';
import { sweepJwtIds, useJwtId } from './store.js';

/**
 * The CDS client's JWT (CDS Hooks 2.0, "Trusting CDS Clients"): `Authorization: Bearer <JWT>` signed with ES384 or
 * RS384, verified with the keys at the JWK Set URL configured for its `iss` (never one the token names in `jku`),
 * `aud` this service's URL, `exp` at most five minutes ahead, a `jti` never seen before. Anything else is refused
 * with 401 and a reason that names no token content.
 */

export interface CdsClientEntry {
  readonly iss: string;
  readonly jwksUrl: string;
}

export interface VerifiedClient {
  readonly iss: string;
  readonly sub?: string;
}

export const CDS_JWT_ALGORITHMS = ['ES384', 'RS384'];
/** Allowed clock difference between the client and SP Link. */
const SKEW_SECONDS = 30;
/** CDS Hooks: a client's JWT expires within five minutes. */
const MAX_LIFETIME_SECONDS = 300;
const SWEEP_EVERY = 200;

const refuse = (why: string) => new SpLinkError('ERR_UNAUTHENTICATED', { message: `CDS client JWT refused: ${why}.` });

export class CdsClientVerifier {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  private readonly byIss = new Map<string, string>();
  private calls = 0;

  constructor(
    clients: readonly CdsClientEntry[],
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const c of clients) {
      this.byIss.set(c.iss, c.jwksUrl);
      if (!this.keySets.has(c.jwksUrl)) this.keySets.set(c.jwksUrl, createRemoteJWKSet(new URL(c.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 }));
    }
  }

  /** Verifies the request's Authorization header for one of `audiences`; the client it came from. */
  async verify(authorization: string | undefined, audiences: readonly string[]): Promise<VerifiedClient> {
    const m = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(authorization ?? '');
    if (!m) throw refuse('no Bearer JWT in the Authorization header');
    const token = m[1]!;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw refuse('not a JWT');
    }
    const jwksUrl = typeof iss === 'string' ? this.byIss.get(iss) : undefined;
    if (typeof iss !== 'string' || jwksUrl === undefined) throw refuse('the issuer is not a configured CDS client');
    const now = this.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.keySets.get(jwksUrl)!, {
        issuer: iss,
        audience: [...audiences],
        algorithms: CDS_JWT_ALGORITHMS,
        requiredClaims: ['iss', 'aud', 'exp', 'jti'],
        clockTolerance: SKEW_SECONDS,
        currentDate: now,
      }));
    } catch (err) {
      throw refuse(reasonOf(err));
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (payload.exp! > nowSeconds + MAX_LIFETIME_SECONDS + SKEW_SECONDS) throw refuse('it expires more than five minutes ahead');
    if (typeof payload.jti !== 'string' || payload.jti === '') throw refuse('no jti');
    if (++this.calls % SWEEP_EVERY === 0) await sweepJwtIds(this.db, new Date(now.getTime() - SKEW_SECONDS * 1000));
    const fresh = await useJwtId(this.db, iss, payload.jti, new Date((payload.exp! + SKEW_SECONDS) * 1000));
    if (!fresh) throw refuse('its jti was used before (replay)');
    return { iss, ...(typeof payload.sub === 'string' ? { sub: payload.sub } : {}) };
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim "${err.claim}" ${err.reason === 'missing' ? 'missing' : 'not accepted'}`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed (ES384 or RS384)';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the client matches';
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JOSEError) return err.code === 'ERR_JWKS_TIMEOUT' ? 'the client’s keys could not be fetched' : err.code;
  return 'the client’s keys could not be fetched';
}
