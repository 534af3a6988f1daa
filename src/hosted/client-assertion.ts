import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { HostedClientConfig } from '../config/schema.js';
import type { Db } from '../store/db.js';
import { sweepAssertionIds, useAssertionId } from '../store/assertion-ids.js';
import { ASSERTION_ALGORITHMS } from './smart-configuration.js';

/**
 * The client assertion of a SMART Backend Services token request (RFC 7523 §3, SMART App Launch 2.x
 * "Client Authentication: Asymmetric"): a JWT signed with one of the client's registered keys (RS384 or ES384),
 * `iss` = `sub` = its client id, `aud` = this token endpoint, `exp` at most five minutes ahead, a `jti` never used
 * before (kept in the database, so every instance refuses a replay). Keys come from the client's registered JWK Set
 * (inline or its URL), never from a `jku` the token names.
 */

/** Allowed clock difference between the client and SP Link. */
const SKEW_SECONDS = 30;
const MAX_LIFETIME_SECONDS = 300;
const SWEEP_EVERY = 200;

/** A refused assertion: `reason` is safe to send back and to log (it quotes nothing of the token). */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
  constructor(
    readonly reason: string,
    /** The client it claimed to be, when that is a registered one (for the audit trail). */
    readonly clientId?: string,
  ) {
    super(reason);
  }
}

export class ClientAssertionVerifier {
  private readonly keys = new Map<string, JWTVerifyGetKey>();
  private readonly clients = new Map<string, HostedClientConfig>();
  private calls = 0;

  constructor(
    private readonly opts: { endpointId: string; tokenEndpoint: string; clients: readonly HostedClientConfig[]; db: Db; now?: () => Date },
  ) {
    for (const c of opts.clients) {
      this.clients.set(c.clientId, c);
      this.keys.set(
        c.clientId,
        c.jwksUrl
          ? createRemoteJWKSet(new URL(c.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 })
          : createLocalJWKSet(c.jwks as unknown as JSONWebKeySet),
      );
    }
  }

  /** The registered client the assertion proves, or an AssertionError saying why not. */
  async verify(assertion: string, clientIdParam: string | undefined): Promise<HostedClientConfig> {
    let claimed: unknown;
    try {
      claimed = decodeJwt(assertion).iss;
    } catch {
      throw new AssertionError('client_assertion is not a JWT');
    }
    const client = typeof claimed === 'string' ? this.clients.get(claimed) : undefined;
    if (!client) throw new AssertionError('the assertion’s issuer is not a client registered for this record');
    if (clientIdParam !== undefined && clientIdParam !== client.clientId) throw new AssertionError('client_id does not match the assertion’s issuer', client.clientId);
    const now = this.opts.now?.() ?? new Date();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.keys.get(client.clientId)!, {
        issuer: client.clientId,
        subject: client.clientId,
        audience: this.opts.tokenEndpoint,
        algorithms: ASSERTION_ALGORITHMS,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
        clockTolerance: SKEW_SECONDS,
        currentDate: now,
      }));
    } catch (err) {
      throw new AssertionError(reasonOf(err), client.clientId);
    }
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (payload.exp! > nowSeconds + MAX_LIFETIME_SECONDS + SKEW_SECONDS) throw new AssertionError('the assertion expires more than five minutes ahead', client.clientId);
    if (typeof payload.jti !== 'string' || payload.jti === '') throw new AssertionError('the assertion has no jti', client.clientId);
    if (++this.calls % SWEEP_EVERY === 0) await sweepAssertionIds(this.opts.db, new Date(now.getTime() - SKEW_SECONDS * 1000));
    const key = { endpointId: this.opts.endpointId, clientId: client.clientId, jti: payload.jti };
    if (!(await useAssertionId(this.opts.db, key, new Date((payload.exp! + SKEW_SECONDS) * 1000)))) {
      throw new AssertionError('the assertion’s jti was used before (replay)', client.clientId);
    }
    return client;
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the assertion has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'the assertion’s aud is not this token endpoint';
    return `the assertion’s claim "${err.claim}" is ${err.reason === 'missing' ? 'missing' : 'not accepted'}`;
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the assertion’s signature does not verify';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed (RS384 or ES384)';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no registered key of the client matches the assertion';
  if (err instanceof joseErrors.JWKSTimeout) return 'the client’s keys could not be fetched';
  if (err instanceof joseErrors.JOSEError) return `the assertion is not valid (${err.code})`;
  return 'the client’s keys could not be fetched';
}
