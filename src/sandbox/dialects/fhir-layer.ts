import { Router, type NextFunction, type Request, type Response } from 'express';
import { fhirErrorHandler } from '../../http/api-error.js';
import { BODY_LIMITS, jsonBody } from '../../http/body-limits.js';
import { decodeJwt } from 'jose';
import { grantingScopes, parseClinicalScopes } from '../../fhir-server/access/smart-scopes.js';
import type { Dialect } from './presets.js';
import { rewriteJsonResponse } from './response-rewrite.js';
import { rewriteBody, rewriteEtag, rewriteHistoryUrl, VersionIdCodec } from './version-ids.js';
import { FHIR_ID_CHARS, RESOURCE_TYPE_CHARS } from '../../referral-model/references.js';

const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json-patch+json', 'application/*+json'];
const TARGET = new RegExp(`^/(${RESOURCE_TYPE_CHARS})/(${FHIR_ID_CHARS})(?:/|\\?|$)`);

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export interface FhirDialectLayerOptions {
  readonly dialect: Dialect;
  /** Keys the opaque version ids (stable across restarts for the same secret). */
  readonly secret: string;
}

/**
 * A layer in front of a sandbox FHIR server (mount it before the server's router, on the same path) that makes
 * the server speak a dialect: opaque version ids in and out, a different `versioning` declaration, and profile
 * writes that need StructureDefinition read. The server behind it is unchanged; `sp-link` passes everything.
 */
export function fhirDialectLayer(opts: FhirDialectLayerOptions): Router {
  const d = opts.dialect;
  const router = Router();
  const uuid = d.versionIds === 'uuid';
  if (!uuid && d.declaredVersioning === 'versioned-update' && !d.profileWritesNeedStructureDefinitionRead) return router;
  const codec = new VersionIdCodec(opts.secret);
  // Parsed here so it can be rewritten; the server's own parser then finds it parsed (body-parser skips).
  router.use(jsonBody(BODY_LIMITS.fhir, JSON_TYPES));
  router.use((req: Request, res: Response, next: NextFunction) => {
    const target = TARGET.exec(req.url);
    if (uuid) {
      req.url = rewriteHistoryUrl(req.url, codec, 'in');
      for (const h of ['if-match', 'if-none-match'] as const) {
        const v = req.headers[h];
        if (typeof v === 'string' && target) req.headers[h] = rewriteEtag(v, target[1]!, target[2]!, codec, 'in');
      }
      if (req.body !== undefined) rewriteBody(req.body, codec, 'in');
    }
    if (d.profileWritesNeedStructureDefinitionRead && ['POST', 'PUT', 'PATCH'].includes(req.method)) {
      const refused = profileRefusal(req);
      if (refused) {
        res.status(403).type('application/fhir+json').json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', details: { text: 'Forbidden' }, diagnostics: refused }] });
        return;
      }
    }
    rewriteJsonResponse(res, (body, r) => {
      if (uuid) outboundHeaders(r, body, target, codec);
      if (body === undefined) return body;
      if (uuid) rewriteBody(body, codec, 'out');
      if (isObj(body) && body.resourceType === 'CapabilityStatement') declareVersioning(body, d.declaredVersioning);
      return body;
    });
    next();
  });
  router.use(fhirErrorHandler(undefined, 'sandbox FHIR request'));
  return router;
}

function outboundHeaders(res: Response, body: unknown, target: RegExpExecArray | null, codec: VersionIdCodec): void {
  for (const h of ['location', 'content-location']) {
    const v = res.getHeader(h);
    if (typeof v === 'string') res.setHeader(h, rewriteHistoryUrl(v, codec, 'out'));
  }
  const etag = res.getHeader('etag');
  if (typeof etag !== 'string') return;
  const type = isObj(body) && typeof body.resourceType === 'string' ? body.resourceType : target?.[1];
  const id = isObj(body) && typeof body.id === 'string' ? body.id : target?.[2];
  if (type && id) res.setHeader('etag', rewriteEtag(etag, type, id, codec, 'out'));
}

function declareVersioning(cs: Json, versioning: string): void {
  for (const rest of Array.isArray(cs.rest) ? cs.rest : []) {
    if (!isObj(rest) || !Array.isArray(rest.resource)) continue;
    for (const r of rest.resource) if (isObj(r)) r.versioning = versioning;
  }
}

/** Resources a write carries (the body, or each entry of a batch/transaction). */
function writtenResources(body: unknown): Json[] {
  if (!isObj(body)) return [];
  if (body.resourceType === 'Bundle') return (Array.isArray(body.entry) ? body.entry : []).flatMap((e) => (isObj(e) && isObj(e.resource) ? [e.resource] : []));
  return [body];
}

/**
 * Medplum validates a write against every profile in `meta.profile`, reading the StructureDefinition with the
 * caller's own access: without a scope that reads StructureDefinition the write is refused. Unauthenticated
 * requests are left to the server's own checks.
 */
function profileRefusal(req: Request): string | undefined {
  const profiled = writtenResources(req.body).filter((r) => isObj(r.meta) && Array.isArray(r.meta.profile) && r.meta.profile.length > 0);
  if (profiled.length === 0) return undefined;
  const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (!token) return undefined;
  let scope: unknown;
  try {
    scope = decodeJwt(token).scope;
  } catch {
    return undefined;
  }
  const scopes = parseClinicalScopes(typeof scope === 'string' ? scope : '');
  if (grantingScopes(scopes, 'StructureDefinition', 'r').length > 0) return undefined;
  const profile = String((profiled[0]!.meta as Json & { profile: unknown[] }).profile[0]);
  return `Forbidden: cannot read StructureDefinition ${profile} to validate ${String(profiled[0]!.resourceType)}`;
}
