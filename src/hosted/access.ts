import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { HostedTokenError, verifyHostedAccessToken } from '../fhir/auth/index.js';
import { unauthenticated } from '../fhir-server/access/access-error.js';
import { parseClinicalScopes } from '../fhir-server/access/smart-scopes.js';
import { oncePerRequest, type AccessClaims, type TokenVerifier } from '../fhir-server/access/verify-token.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';

/** Who a request to a hosted record came from, once its token is verified (kept for the audit entry). */
const CLIENT = Symbol('hosted-client');
type Located = Response & { [CLIENT]?: string };

/**
 * Bearer tokens at a hosted record: an access token this record issued (`hosted-token.ts`), checked for signature,
 * `typ`, `iss`, `aud` (this record) and `exp`; anything else is a 401 with an RFC 6750 challenge. Only system scopes
 * count: a hosted record has no patient or user context. Cached per request (a Bundle's entries are checked one by one).
 */
export function hostedTokenVerifier(opts: { fhirBase: string; key: string }): TokenVerifier {
  async function verify(req: Request): Promise<AccessClaims> {
    const header = req.headers.authorization;
    const m = header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header) : null;
    if (!m) throw unauthenticated(opts.fhirBase, header ? 'Authorization header is not a Bearer token' : undefined);
    try {
      const claims = await verifyHostedAccessToken(m[1]!, opts);
      if (req.res) (req.res as Located)[CLIENT] = claims.clientId;
      return { clientId: claims.clientId, scopes: parseClinicalScopes(claims.scope).filter((s) => s.context === 'system') };
    } catch (err) {
      throw unauthenticated(opts.fhirBase, err instanceof HostedTokenError ? err.message : 'access token is not valid for this server');
    }
  }
  return oncePerRequest(verify);
}

/** The audit actor of a hosted record's client (`client:<id>`; SP Link's own components are `client:sp-link`). */
export const clientActor = (clientId: string | undefined): string => (clientId ? `client:${clientId}` : 'anonymous');

/** `Type/id` of a FHIR request path (`/Task/1/_history/2` → `Task/1`), for the audit trail; no query, no body. */
export function auditedResource(path: string): { resourceType?: string; ref?: string } {
  const [type, id] = path.split('/').filter(Boolean);
  if (!type || !/^[A-Z][A-Za-z]+$/.test(type)) return {};
  return id && !id.startsWith('_') && !id.startsWith('$') ? { resourceType: type, ref: `${type}/${id}` } : { resourceType: type };
}

/**
 * Records every request to a hosted record in the audit trail once it is answered: who (the verified client, or
 * `anonymous`), what (method, resource type and id), and the status. Never the query or the body: they may hold
 * patient data.
 */
export function auditHostedAccess(opts: { db: Db; endpointId: string; logger: Logger }) {
  return (req: Request, res: Response, next: () => void): void => {
    res.on('finish', () => {
      const { resourceType, ref } = auditedResource(req.path);
      const status = res.statusCode;
      void recordAudit(opts.db, {
        actor: clientActor((res as Located)[CLIENT]),
        action: 'hosted.fhir',
        ...(ref ? { resourceRef: ref } : {}),
        outcome: status < 400 ? 'success' : 'failure',
        details: { endpoint: opts.endpointId, method: req.method, ...(resourceType ? { resourceType } : {}), status },
      }).catch((err: unknown) => opts.logger.error({ err, endpoint: opts.endpointId }, 'hosted record access could not be audited'));
    });
    next();
  };
}
