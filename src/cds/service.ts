import type { Resource } from '@medplum/fhirtypes';
import { Router, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { ZodError } from 'zod';
import type { Config, TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import { bearerAuth } from '../fhir/auth/index.js';
import { FhirClient } from '../fhir/client.js';
import { FhirError } from '../fhir/errors.js';
import { apiErrorHandler } from '../http/api-error.js';
import { jsonBody } from '../http/body-limits.js';
import { metricsRegistry } from '../observability/metrics.js';
import { CDS_OVERRIDE_REASON_SYSTEM } from '../referral-model/codes.js';
import { normaliseBaseUrl, sameBase } from '../referral-model/references.js';
import type { Db } from '../store/db.js';
import { londonDate } from '../time/london.js';
import { buildCard, type Card } from './card.js';
import { CdsClientVerifier } from './client-jwt.js';
import { readFacts } from './facts.js';
import { feedbackSchema, hookRequestSchema, type HookRequest } from './hook-request.js';
import { isAboutPatient, PREFETCH, PREFETCH_KEYS, resourcesOf, substituteTokens, type PrefetchKey } from './prefetch.js';
import { decide, monthsBefore, preselectedNeed, type Decision } from './rules.js';
import { practiceRules, type PracticeRules } from './settings.js';
import { claimTodaysCard, findTodaysCard, recordFeedback, recordSuppression } from './store.js';

/**
 * SP Link's CDS Hooks 2.0 service (docs/CDS-HOOKS.md): discovery at `/cds-services`, the `patient-view` service
 * `sp-link-remember-to-refer`, and its feedback endpoint. Each call is verified (the client's JWT), validated, read
 * from prefetch or, where prefetch is missing, from the practice's FHIR server with the request's
 * `fhirAuthorization`, then decided by the pure rules. Logs name the practice, the hook instance and the rule, never
 * the patient.
 */

export const CDS_BASE_PATH = '/cds-services';
export const SERVICE_ID = 'sp-link-remember-to-refer';
export const CDS_BODY_LIMIT = '2mb';

/** What the rules need; the patient itself is offered to clients but not required. */
const NEEDED: readonly PrefetchKey[] = ['conditions', 'needObservations', 'encounters', 'referrals'];

const promptsTotal = new Counter({
  name: 'sp_link_cds_prompts_total',
  help: 'CDS Hooks patient-view decisions, by outcome (card, suppressed, referral-open, recent-referral, nothing-to-prompt) and rule.',
  labelNames: ['outcome', 'rule'] as const,
  registers: [metricsRegistry],
});
const feedbackTotal = new Counter({
  name: 'sp_link_cds_feedback_total',
  help: 'CDS Hooks feedback received, by outcome (accepted, overridden) and what happened to it (stored, duplicate, unknown-card).',
  labelNames: ['outcome', 'result'] as const,
  registers: [metricsRegistry],
});

export interface CdsServiceOptions {
  readonly config: Config;
  readonly db: Db;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** FHIR client for the `fhirAuthorization` fallback (tests inject retries/timeouts). */
  readonly fhirClient?: (baseUrl: string, accessToken: string) => FhirClient;
}

interface Practice {
  readonly tenant: TenantConfig;
  readonly rules: PracticeRules;
}

export function discoveryDocument() {
  return {
    services: [
      {
        hook: 'patient-view',
        id: SERVICE_ID,
        title: 'Social prescribing: remember to refer',
        description:
          'Suggests a social prescribing referral when a social need is coded, a completed referral’s follow-up is due, or the person attends often, and no referral is open. At most one card per patient per day.',
        prefetch: { ...PREFETCH },
        usageRequirements: 'The GP system must be registered with SP Link for the practice (its JWT issuer and JWK Set URL), and launch SP Link as a SMART app from the card.',
      },
    ],
  };
}

export function createCdsRouter(opts: CdsServiceOptions): Router {
  const { config, db } = opts;
  const log = opts.logger.child({ module: 'cds' });
  const now = opts.now ?? (() => new Date());
  const publicUrl = normaliseBaseUrl(config.server.publicUrl);
  const serviceUrl = `${publicUrl}${CDS_BASE_PATH}/${SERVICE_ID}`;
  const feedbackUrl = `${serviceUrl}/feedback`;
  const practices: Practice[] = config.tenants.filter((t) => t.cds !== undefined).map((tenant) => ({ tenant, rules: practiceRules(config.cds.rules, tenant.cds?.rules) }));
  const verifier = new CdsClientVerifier(
    config.tenants.flatMap((t) => t.cds?.clients ?? []),
    db,
    now,
  );
  const makeClient = opts.fhirClient ?? ((baseUrl: string, token: string) => new FhirClient({ baseUrl, auth: bearerAuth(token), logger: log, retry: { maxAttempts: 2, timeoutMs: 5_000 } }));
  const router = Router();

  // Browser-based CDS clients call from the GP system's origin; the JWT, not a cookie, authenticates.
  const cors: RequestHandler = (req, res, next) => {
    res.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS' });
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
  router.use(CDS_BASE_PATH, cors);

  router.get(CDS_BASE_PATH, (_req, res) => {
    res.set('Cache-Control', 'no-cache').json(discoveryDocument());
  });

  /** The practice a verified client calls for: its `iss` registered there, and `fhirServer` (when given) its EHR. */
  function practiceFor(iss: string, fhirServer: string | undefined): Practice {
    const candidates = practices.filter((p) => p.tenant.cds!.clients.some((c) => c.iss === iss));
    const match = fhirServer === undefined ? candidates : candidates.filter((p) => sameBase(p.tenant.ehr.fhirBase, fhirServer));
    if (match.length === 1) return match[0]!;
    throw new SpLinkError('ERR_FORBIDDEN', {
      message: match.length === 0 ? 'This CDS client is not registered for a practice whose FHIR server is fhirServer.' : 'fhirServer is needed to tell which practice this CDS client calls for.',
    });
  }

  async function gather(req: HookRequest, practice: Practice): Promise<Resource[]> {
    const patientId = req.context.patientId;
    const prefetch = req.prefetch ?? {};
    const missing = NEEDED.filter((k) => prefetch[k] === undefined || prefetch[k] === null);
    const out: Resource[] = PREFETCH_KEYS.flatMap((k) => resourcesOf(prefetch[k]));
    if (missing.length > 0) {
      if (!req.fhirServer || !req.fhirAuthorization) {
        throw new SpLinkError('ERR_CDS_DATA_UNAVAILABLE', { message: `Prefetch ${missing.join(', ')} missing, and no fhirServer with fhirAuthorization to read it.` });
      }
      const client = makeClient(practice.tenant.ehr.fhirBase, req.fhirAuthorization.access_token);
      const fetched = await Promise.all(missing.map((k) => fetchTemplate(client, PREFETCH[k], req.context)));
      out.push(...fetched.flat());
    }
    return out.filter((r) => isAboutPatient(r, patientId));
  }

  router.post(`${CDS_BASE_PATH}/:id`, ...jsonBody(CDS_BODY_LIMIT), async (req, res, next) => {
    try {
      if (req.params.id !== SERVICE_ID) throw new SpLinkError('ERR_NOT_FOUND', { message: `No CDS service ${req.params.id}.` });
      const client = await verifier.verify(req.headers.authorization, [serviceUrl, requestUrl(req, publicUrl)]);
      const parsed = hookRequestSchema.safeParse(req.body);
      if (!parsed.success) throw malformed(parsed.error);
      const hook = parsed.data;
      if (hook.hook !== 'patient-view') throw new SpLinkError('ERR_MALFORMED_REQUEST', { message: `This service answers patient-view, not ${hook.hook}.` });
      const practice = practiceFor(client.iss, hook.fhirServer);
      const at = now();
      const today = londonDate(at);
      const resources = await gather(hook, practice);
      const facts = readFacts(resources, { needCodes: practice.rules.needCodes, observationsSince: monthsBefore(today, practice.rules.prompt.observationMonths) });
      const key = { tenantId: practice.tenant.id, patientId: hook.context.patientId, day: today };
      const todays = await findTodaysCard(db, key);
      const decision = decide({ facts, rules: practice.rules.prompt, today, promptedToday: todays?.actedOn ?? false });
      const cards = await answer(decision, key, hook.hookInstance, practice);
      log.info({ tenant: practice.tenant.id, hookInstance: hook.hookInstance, outcome: cards.length ? 'card' : outcomeOf(decision), rule: ruleOf(decision) }, 'cds patient-view');
      res.json({ cards });
    } catch (err) {
      next(fallbackError(err));
    }
  });

  async function answer(decision: Decision, key: { tenantId: string; patientId: string; day: string }, hookInstance: string, practice: Practice): Promise<Card[]> {
    if (!decision.show) {
      promptsTotal.inc({ outcome: decision.reason === 'prompted-today' ? 'suppressed' : decision.reason, rule: ruleOf(decision) ?? 'none' });
      if (decision.reason === 'prompted-today') {
        const todays = await findTodaysCard(db, key);
        if (todays) await recordSuppression(db, todays.id, { rule: decision.suppressed.rule, hookInstance });
      }
      return [];
    }
    const need = preselectedNeed(decision.prompt);
    const card = await claimTodaysCard(db, key, { rule: decision.prompt.rule, hookInstance, ...(need ? { need } : {}) });
    if (card.actedOn) {
      // Another request for the same record got there first and the GP has acted on its card already.
      await recordSuppression(db, card.id, { rule: decision.prompt.rule, hookInstance });
      promptsTotal.inc({ outcome: 'suppressed', rule: decision.prompt.rule });
      return [];
    }
    promptsTotal.inc({ outcome: 'card', rule: decision.prompt.rule });
    const overview = practice.tenant.cds?.serviceOverviewUrl;
    return [buildCard(decision.prompt, { uuid: card.id, launchUrl: `${publicUrl}/launch`, ...(overview ? { serviceOverviewUrl: overview } : {}) })];
  }

  router.post(`${CDS_BASE_PATH}/:id/feedback`, ...jsonBody(CDS_BODY_LIMIT), async (req, res, next) => {
    try {
      if (req.params.id !== SERVICE_ID) throw new SpLinkError('ERR_NOT_FOUND', { message: `No CDS service ${req.params.id}.` });
      const client = await verifier.verify(req.headers.authorization, [feedbackUrl, serviceUrl, requestUrl(req, publicUrl)]);
      const parsed = feedbackSchema.safeParse(req.body);
      if (!parsed.success) throw malformed(parsed.error);
      const candidates = practices.filter((p) => p.tenant.cds!.clients.some((c) => c.iss === client.iss));
      const results: string[] = [];
      for (const f of parsed.data.feedback) {
        const reason = f.overrideReason?.reason;
        // Only SP Link's own override reasons are stored as codes; the GP's comment is never stored (it may name people).
        const overrideReason = reason && (reason.system === undefined || reason.system === CDS_OVERRIDE_REASON_SYSTEM) ? reason.code : undefined;
        let result = 'unknown-card';
        for (const p of candidates) {
          result = await recordFeedback(db, p.tenant.id, { cardId: f.card, outcome: f.outcome, outcomeAt: f.outcomeTimestamp, ...(overrideReason ? { overrideReason } : {}) });
          if (result !== 'unknown-card') break;
        }
        feedbackTotal.inc({ outcome: f.outcome, result });
        results.push(result);
      }
      log.info({ iss: client.iss, results }, 'cds feedback');
      res.status(200).json({});
    } catch (err) {
      next(err);
    }
  });

  router.use(CDS_BASE_PATH, apiErrorHandler(log, 'cds'));
  return router;
}

async function fetchTemplate(client: FhirClient, template: string, context: HookRequest['context']): Promise<Resource[]> {
  const query = substituteTokens(template, context);
  if (query === undefined) return [];
  const [path, qs = ''] = query.split('?', 2) as [string, string?];
  const [type, id] = path.split('/');
  if (id !== undefined) return [await client.read(type as Resource['resourceType'], decodeURIComponent(id))];
  const bundle = await client.search(type as Resource['resourceType'], Object.fromEntries(new URLSearchParams(qs)));
  return resourcesOf(bundle);
}

/** The URL the client called, as SP Link's public URL names it (the `aud` a client may have put in its JWT). */
function requestUrl(req: Request, publicUrl: string): string {
  return `${publicUrl}${req.originalUrl.split('?')[0]}`;
}

function malformed(error: ZodError): SpLinkError {
  return new SpLinkError('ERR_MALFORMED_REQUEST', {
    message: 'The CDS Hooks request does not have the expected shape.',
    fields: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/** The practice's FHIR server refusing the client's own token means SP Link cannot read the record. */
function fallbackError(err: unknown): unknown {
  if (err instanceof FhirError && (err.code === 'ERR_FHIR_UNAUTHORIZED' || err.code === 'ERR_FHIR_FORBIDDEN')) {
    return new SpLinkError('ERR_CDS_DATA_UNAVAILABLE', { message: 'The FHIR server refused fhirAuthorization.', cause: err });
  }
  return err;
}

const outcomeOf = (d: Decision) => (d.show ? 'card' : d.reason);
const ruleOf = (d: Decision) => (d.show ? d.prompt.rule : d.reason === 'prompted-today' ? d.suppressed.rule : undefined);

