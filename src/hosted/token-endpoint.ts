import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { HostedClientConfig } from '../config/schema.js';
import { signHostedAccessToken } from '../fhir/auth/index.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { clientActor } from './access.js';
import { AssertionError, type ClientAssertionVerifier } from './client-assertion.js';
import { grantScopes } from './scopes.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * A hosted record's token endpoint (SMART Backend Services; RFC 6749 §4.4 client credentials with an RFC 7523
 * client assertion). Errors are OAuth errors (RFC 6749 §5.2): `invalid_client` 401 for a refused assertion,
 * `invalid_scope`, `unsupported_grant_type`, `invalid_request` 400. Every request is audited, granted or not.
 */
export function tokenEndpoint(opts: {
  endpointId: string;
  fhirBase: string;
  key: string;
  verifier: ClientAssertionVerifier;
  db: Db;
  logger: Logger;
}): RequestHandler {
  const audit = (actor: string, outcome: 'success' | 'failure', details: Record<string, unknown>): void =>
    void recordAudit(opts.db, { actor, action: 'hosted.token', outcome, details: { endpoint: opts.endpointId, ...details } }).catch((err: unknown) =>
      opts.logger.error({ err, endpoint: opts.endpointId }, 'hosted token request could not be audited'),
    );
  const refuse = (res: Response, status: 400 | 401, error: string, description: string, actor = 'anonymous'): void => {
    audit(actor, 'failure', { error, reason: description });
    res.status(status).set(noStore).json({ error, error_description: description });
  };

  return async (req: Request, res: Response): Promise<void> => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: string): string | undefined => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
    if (field('grant_type') !== 'client_credentials') return refuse(res, 400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
    const assertion = field('client_assertion');
    if (field('client_assertion_type') !== JWT_BEARER || !assertion) {
      return refuse(res, 401, 'invalid_client', `client authentication must be private_key_jwt (client_assertion_type ${JWT_BEARER})`);
    }
    let client: HostedClientConfig;
    try {
      client = await opts.verifier.verify(assertion, field('client_id'));
    } catch (err) {
      if (!(err instanceof AssertionError)) throw err;
      return refuse(res, 401, 'invalid_client', err.reason, clientActor(err.clientId));
    }
    const actor = clientActor(client.clientId);
    const requested = field('scope');
    if (!requested) return refuse(res, 400, 'invalid_scope', 'scope is required, e.g. scope=system/Task.rs', actor);
    const { granted, refused } = grantScopes(requested, client.scopes);
    if (granted.length === 0) return refuse(res, 400, 'invalid_scope', `none of the requested scopes is allowed for this client (allowed: ${client.scopes})`, actor);
    const scope = granted.join(' ');
    const { accessToken, expiresIn } = await signHostedAccessToken({ key: opts.key, fhirBase: opts.fhirBase, clientId: client.clientId, scope });
    audit(actor, 'success', { scope, ...(refused.length ? { refused: refused.join(' ') } : {}) });
    res.status(200).set(noStore).json({ access_token: accessToken, token_type: 'bearer', expires_in: expiresIn, scope });
  };
}

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
