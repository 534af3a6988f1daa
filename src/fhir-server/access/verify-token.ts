import type { Request } from 'express';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet } from 'jose';
import { unauthenticated } from './access-error.js';
import { parseClinicalScopes, type ClinicalScope } from './smart-scopes.js';

/** What a sandbox FHIR server needs from a verified access token. */
export interface AccessClaims {
  readonly clientId: string;
  readonly scopes: readonly ClinicalScope[];
  /** Launch patient id (SMART `patient` context), when the token has one. */
  readonly patient?: string;
  readonly fhirUser?: string;
}

export interface TokenVerifierOptions {
  issuer: string;
  /** The FHIR base the token must be for (`aud`). */
  audience: string;
  /** Public keys of the authorization server, verified in process (no HTTP round trip). */
  jwks: JSONWebKeySet;
  /** False when the grant behind a token was revoked (e.g. authorization code replay, RFC 6749 §4.1.2). */
  isGrantActive(grantId: string): Promise<boolean>;
}

export type TokenVerifier = (req: Request) => Promise<AccessClaims>;

/**
 * Verifies the bearer JWT access token of a request (RFC 6750 §2.1, RFC 9068): signature, `typ` at+jwt,
 * `iss`, `aud`, `exp`; then that its grant is still active. The result is cached per request, since the
 * FHIR server authorises every entry of a batch separately.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const keys = createLocalJWKSet(opts.jwks);
  const realm = opts.audience;

  async function verify(req: Request): Promise<AccessClaims> {
    const header = req.headers.authorization;
    const m = header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header) : null;
    if (!m) throw unauthenticated(realm, header ? 'Authorization header is not a Bearer token' : undefined);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(m[1] as string, keys, {
        issuer: opts.issuer,
        audience: opts.audience,
        typ: 'at+jwt',
        algorithms: ['RS384', 'RS256', 'ES384'],
        requiredClaims: ['exp', 'client_id'],
      }));
    } catch (err) {
      const reason = err instanceof joseErrors.JWTExpired ? 'access token expired' : 'access token is not valid for this server';
      throw unauthenticated(realm, reason);
    }
    const grantId = typeof payload.grant_id === 'string' ? payload.grant_id : undefined;
    if (grantId && !(await opts.isGrantActive(grantId))) throw unauthenticated(realm, 'access token has been revoked');
    return {
      clientId: String(payload.client_id),
      scopes: parseClinicalScopes(typeof payload.scope === 'string' ? payload.scope : undefined),
      ...(typeof payload.patient === 'string' ? { patient: payload.patient } : {}),
      ...(typeof payload.fhirUser === 'string' ? { fhirUser: payload.fhirUser } : {}),
    };
  }

  return oncePerRequest(verify);
}

/**
 * A verifier that runs `verify` once per request and hands back the same answer after: the FHIR server
 * authorises every entry of a batch separately.
 */
export function oncePerRequest(verify: TokenVerifier): TokenVerifier {
  const cache = new WeakMap<Request, Promise<AccessClaims>>();
  return (req) => {
    let p = cache.get(req);
    if (!p) {
      p = verify(req);
      cache.set(req, p);
    }
    return p;
  };
}
