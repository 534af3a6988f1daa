import { createHmac } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { AgencyClientConfig, Config } from '../config/schema.js';
import { HostedTokenError, verifyHostedAccessToken } from '../fhir/auth/index.js';
import { grantingScopes, parseClinicalScopes } from '../fhir-server/access/smart-scopes.js';
import { ClientAssertionVerifier } from '../hosted/client-assertion.js';
import { hostedSmartConfiguration, tokenEndpointOf } from '../hosted/smart-configuration.js';
import { tokenEndpoint } from '../hosted/token-endpoint.js';
import { fhirErrorHandler, toApiError } from '../http/api-error.js';
import { BODY_LIMITS, formBody, jsonBody } from '../http/body-limits.js';
import { rateLimitStore } from '../http/rate-limits.js';
import { PROFILE } from '../referral-model/codes.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { londonDate } from '../time/london.js';
import { intakeDeps, type IntakeContext } from '../intake/index.js';
import { contactKeys } from '../intake/form-input.js';
import { submitSelfReferral, type IntakeDeps } from '../intake/submit.js';
import { readAgencyReferral } from './service-request-input.js';

/** Where the referral API lives under `server.publicUrl`: the FHIR base and, beside it, the token endpoint. */
export const REFERRAL_API_PATH = '/referral-api';
export const REFERRAL_API_TOKEN_PATH = `${REFERRAL_API_PATH}/auth/token`;
export const referralApiBase = (publicUrl: string): string => `${publicUrl}${REFERRAL_API_PATH}/fhir`;
/** The scope a client needs to post a referral (SMART v2; v1 `system/ServiceRequest.write` also grants it). */
export const REFERRAL_API_SCOPE = 'system/ServiceRequest.c';
/** The jti namespace and audit name of the referral API's token endpoint. */
const API_ID = 'referral-api';

/** The key the API's access tokens are signed with: derived from `server.sessionSecret`, never configured by hand. */
export function referralApiKey(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('sp-link referral API access tokens').digest('base64url');
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const outcome = (issue: OperationOutcomeIssue[]): OperationOutcome => ({ resourceType: 'OperationOutcome', issue });
const sendOutcome = (res: Response, status: number, o: OperationOutcome): void => void res.status(status).set('cache-control', 'no-store').type(FHIR_JSON).send(JSON.stringify(o));

interface Located {
  client?: AgencyClientConfig;
}

/** The referral API when `intake.agencyClients` registers any agency system (mount at the app root); otherwise none. */
export function createReferralApi(ctx: IntakeContext): Router | undefined {
  if (!ctx.config.intake?.enabled || ctx.config.intake.agencyClients.length === 0) return undefined;
  return referralApiRouter({ config: ctx.config, db: ctx.db, logger: ctx.logger, deps: intakeDeps(ctx) });
}

/**
 * The referral API (docs/INTEGRATION.md, "Referrals from agencies' systems"): an agency's own system posts a FHIR
 * ServiceRequest (SPLinkAgencyReferral) to `{publicUrl}/referral-api/fhir/ServiceRequest` with a bearer token from
 * `{publicUrl}/referral-api/auth/token` (SMART Backend Services: client credentials with a private_key_jwt assertion,
 * the clients in `intake.agencyClients`). The agency's identifier of the referral makes the post conditional: a
 * retry answers 200 with the first referral instead of sending it twice. An invalid referral gets 422 and an
 * OperationOutcome naming each field. Rate-limited per IP and per client; every token request and referral audited.
 */
export function referralApiRouter(ctx: { config: Config; db: Db; logger: Logger; deps: IntakeDeps }): Router {
  const clients = ctx.config.intake?.agencyClients ?? [];
  const base = referralApiBase(ctx.config.server.publicUrl);
  const key = referralApiKey(ctx.config.server.sessionSecret);
  const logger = ctx.logger.child({ module: 'referral-api' });
  const router = Router();
  const limits = apiLimits(ctx.config, ctx.db);
  const verifier = new ClientAssertionVerifier({ endpointId: API_ID, tokenEndpoint: tokenEndpointOf(base), clients, db: ctx.db });
  router.post(REFERRAL_API_TOKEN_PATH, limits.ip, formBody(BODY_LIMITS.tokenForm, 20), tokenEndpoint({ endpointId: API_ID, fhirBase: base, key, verifier, db: ctx.db, logger }));
  const smart = hostedSmartConfiguration(base, [...new Set(clients.flatMap((c) => c.scopes.split(' ')))]);
  router.get(`${REFERRAL_API_PATH}/fhir/.well-known/smart-configuration`, (_req, res) => void res.set('cache-control', 'no-cache').json(smart));
  router.get(`${REFERRAL_API_PATH}/fhir/metadata`, (_req, res) => void res.type(FHIR_JSON).send(JSON.stringify(capabilityStatement(base))));

  const authenticate: RequestHandler = async (req, res, next) => {
    const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(req.headers.authorization ?? '');
    const refuse = (status: 401 | 403, error: string, text: string) => {
      res.set('WWW-Authenticate', `Bearer realm="${base}", error="${error}", error_description="${headerSafe(text)}"`);
      audit(ctx.db, logger, { actor: (res.locals as Located).client ? `client:${(res.locals as Located).client!.clientId}` : 'anonymous', outcome: 'failure', details: { status, reason: text } });
      sendOutcome(res, status, outcome([{ severity: 'error', code: status === 401 ? 'login' : 'forbidden', details: { text } }]));
    };
    if (!m) return refuse(401, 'invalid_token', req.headers.authorization ? 'The Authorization header is not a Bearer token' : 'A bearer access token from the referral API’s token endpoint is required');
    let claims;
    try {
      claims = await verifyHostedAccessToken(m[1]!, { key, fhirBase: base });
    } catch (err) {
      return refuse(401, 'invalid_token', err instanceof HostedTokenError ? err.message : 'The access token is not valid here');
    }
    const client = clients.find((c) => c.clientId === claims.clientId);
    if (!client) return refuse(401, 'invalid_token', 'The access token’s client is no longer registered');
    (res.locals as Located).client = client;
    const scopes = parseClinicalScopes(claims.scope).filter((s) => s.context === 'system');
    if (grantingScopes(scopes, 'ServiceRequest', 'c').length === 0) return refuse(403, 'insufficient_scope', `Posting a referral needs the scope ${REFERRAL_API_SCOPE}`);
    next();
  };

  router.post(
    `${REFERRAL_API_PATH}/fhir/ServiceRequest`,
    limits.ip,
    authenticate,
    limits.client,
    ...jsonBody(BODY_LIMITS.gpApi, ['application/fhir+json', 'application/json']),
    async (req: Request, res: Response) => {
      const client = (res.locals as Located).client!;
      const actor = `client:${client.clientId}`;
      if (!req.is(['application/fhir+json', 'application/json'])) {
        return sendOutcome(res, 415, outcome([{ severity: 'error', code: 'not-supported', details: { text: 'Send the ServiceRequest as application/fhir+json' } }]));
      }
      const read = readAgencyReferral(req.body, client.organisation, londonDate(new Date()));
      if (!read.ok) {
        // Field paths and messages only: they name elements, never the person's details.
        audit(ctx.db, logger, { actor, outcome: 'failure', details: { status: 422, fields: read.issues.flatMap((i) => i.expression ?? []).slice(0, 50) } });
        return sendOutcome(res, 422, outcome(read.issues));
      }
      const conditional = req.get('if-none-exist');
      if (conditional !== undefined && !matchesIdentifier(conditional, read.clientKey)) {
        return sendOutcome(res, 412, outcome([{ severity: 'error', code: 'invalid', details: { text: 'If-None-Exist must be identifier=<system>|<value> of the ServiceRequest’s first identifier' }, expression: ['ServiceRequest.identifier[0]'] }]));
      }
      const a = read.referral;
      const result = await submitSelfReferral(ctx.deps, a, {
        submissionId: read.clientKey,
        contactKeys: contactKeys({ phone: a.contact.phone ?? '', email: a.contact.email ?? '' }),
        client: { clientId: client.clientId, clientKey: read.clientKey },
      });
      if (result.kind !== 'sent') throw new Error('an agency client is not limited per contact');
      res.set('Location', `${base}/ServiceRequest/${result.referralId}`);
      sendOutcome(res, result.alreadySent ? 200 : 201, outcome([{
        severity: 'information',
        code: result.alreadySent ? 'duplicate' : 'informational',
        details: { text: result.alreadySent ? `Referral ${result.referralId} was already received with this identifier; nothing new was sent` : `Referral ${result.referralId} received` },
      }]));
    },
  );
  router.use(REFERRAL_API_PATH, (_req, res) => sendOutcome(res, 404, outcome([{ severity: 'error', code: 'not-supported', details: { text: 'The referral API accepts POST ServiceRequest only' } }])));
  router.use(REFERRAL_API_PATH, fhirErrorHandler(logger, 'referral API request'));
  return router;
}

/** A header value says what a message says, in printable ASCII without quotes (a typographic apostrophe is not allowed). */
const headerSafe = (text: string): string => text.replace(/[\u2018\u2019]/g, "'").replace(/["\\]|[^\x20-\x7e]/g, '');

/** `identifier=system|value` naming the referral's own identifier (the key a retry is found by). */
function matchesIdentifier(header: string, clientKey: string): boolean {
  const m = /^identifier=(.+)$/.exec(header.trim());
  if (!m) return false;
  try {
    return decodeURIComponent(m[1]!) === clientKey;
  } catch {
    return false;
  }
}

function audit(db: Db, logger: Logger, e: { actor: string; outcome: 'success' | 'failure'; details: Record<string, unknown> }): void {
  void recordAudit(db, { actor: e.actor, action: 'referral-api.post', outcome: e.outcome, details: e.details }).catch((err: unknown) =>
    logger.error({ err: toApiError(err).code }, 'referral API request could not be audited'),
  );
}

/** Per IP before anything is read, and per client once its token is verified (so nobody can spend another's allowance). */
function apiLimits(config: Config, db: Db): { ip: RequestHandler; client: RequestHandler } {
  const cfg = config.rateLimits;
  if (!cfg.enabled) {
    const pass: RequestHandler = (_req, _res, next) => next();
    return { ip: pass, client: pass };
  }
  const tooMany: RequestHandler = (_req, res) =>
    sendOutcome(res, 429, outcome([{ severity: 'error', code: 'throttled', details: { text: 'Too many requests: wait for the time in Retry-After, then send again (a retry with the same identifier is safe)' } }]));
  const common = { windowMs: cfg.windowSeconds * 1000, standardHeaders: 'draft-8' as const, legacyHeaders: false, passOnStoreError: true, handler: tooMany };
  return {
    ip: rateLimit({ ...common, limit: cfg.referralApi.perIp, identifier: 'referral-api-ip', store: rateLimitStore(db, 'referral-api-ip'), validate: { trustProxy: false } }),
    client: rateLimit({
      ...common,
      limit: cfg.referralApi.perClient,
      identifier: 'referral-api-client',
      store: rateLimitStore(db, 'referral-api-client'),
      keyGenerator: (_req, res) => (res.locals as Located).client!.clientId,
      validate: { trustProxy: false, keyGeneratorIpFallback: false },
    }),
  };
}

/** What the API offers (FHIR `metadata`): create ServiceRequest, conditionally, with SMART Backend Services. */
function capabilityStatement(base: string) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    implementation: { description: 'SP Link referral API for agencies', url: base },
    rest: [{
      mode: 'server',
      security: {
        service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'SMART Backend Services (private_key_jwt)' }],
        extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: tokenEndpointOf(base) }] }],
      },
      resource: [{ type: 'ServiceRequest', supportedProfile: [PROFILE.agencyReferral], interaction: [{ code: 'create' }], conditionalCreate: true }],
    }],
  };
}
