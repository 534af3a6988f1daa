import { Router } from 'express';
import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { FhirClient } from '../fhir/client.js';
import { createFhirClientFor } from '../fhir/from-config.js';
import { loadBaseR4 } from '../fhir/validate/definitions.js';
import { validateForWrite } from '../fhir/validate/index.js';
import { nhsukAssetsRouter } from '../http/nhsuk-assets.js';
import { securityHeaders } from '../http/security.js';
import { DirectoryCache } from '../referrals/directory-cache.js';
import type { ReferralOutbox } from '../referrals/outbox-port.js';
import { resolveService } from '../referrals/resolve-service.js';
import type { Db } from '../store/db.js';
import { AGENCY_CALLBACK, AGENCY_SIGN_IN, createAgencySignIn } from './agency-sign-in.js';
import { referralFormsRouter } from './routes.js';
import type { IntakeDeps } from './submit.js';
import { ASSETS, REFER_CSS } from './views/layout.js';

export interface IntakeContext {
  config: Config;
  db: Db;
  logger: Logger;
  outbox?: ReferralOutbox;
  validate?: (r: Resource) => void;
  /** Clients to use instead of those built from the configuration (tests). */
  linkWorkerFhir?: FhirClient;
  ehrFhir?: Readonly<Record<string, FhirClient>>;
}

/** What sending a referral needs (the intake's link-worker endpoint, each practice's EHR, the outbox), built from the configuration. */
export function intakeDeps(ctx: IntakeContext): IntakeDeps {
  const intake = ctx.config.intake;
  if (!intake) throw new Error('createIntake needs config.intake');
  const endpoint = ctx.config.linkWorkerEndpoints.find((e) => e.id === intake.linkWorkerEndpoint);
  if (!endpoint) throw new Error(`unknown link-worker endpoint ${intake.linkWorkerEndpoint}`);
  const logger = ctx.logger.child({ module: 'intake' });
  if (!ctx.validate) loadBaseR4();
  const validate = ctx.validate ?? validateForWrite;
  let lw: Promise<FhirClient> | undefined;
  const lwClient = () => (lw ??= ctx.linkWorkerFhir ? Promise.resolve(ctx.linkWorkerFhir) : createFhirClientFor(endpoint, { validate, logger }));
  const ehrClients = new Map<string, Promise<FhirClient>>();
  const practices = ctx.config.tenants
    .filter((t) => t.linkWorkerEndpoint === endpoint.id)
    .map((t) => ({
      tenantId: t.id,
      name: t.name,
      ...(t.odsCode ? { odsCode: t.odsCode } : {}),
      ehr: () => {
        let c = ehrClients.get(t.id);
        const given = ctx.ehrFhir?.[t.id];
        if (!c) ehrClients.set(t.id, (c = given ? Promise.resolve(given) : createFhirClientFor(t.ehr, { logger })));
        c.catch(() => ehrClients.delete(t.id));
        return c;
      },
    }));
  const directory = new DirectoryCache();
  return {
    db: ctx.db,
    endpoint,
    lw: lwClient,
    practices,
    owner: async () => resolveService({ kind: 'link-worker-decides' }, await directory.get(endpoint.id, await lwClient()), endpoint).owner,
    ...(ctx.outbox ? { outbox: ctx.outbox } : {}),
    validate,
    logger,
    perContactPerDay: intake.perContactPerDay,
  };
}

/** Paths the per-IP referral rate limit covers (system.ts passes them to createRateLimits). */
export const INTAKE_POST_PATHS = ['/refer/:step', '/refer/agency/:step'];
/** The agency form's sign-in and its callback (system.ts: the `login` rate limit). */
export const AGENCY_SIGN_IN_PATHS = [`${AGENCY_SIGN_IN}/start`, AGENCY_CALLBACK];

/**
 * Referrals from anyone (src/intake): the public self-referral form at `/refer` and the agency form at
 * `/refer/agency`. Mount at the app root. (The referral
 * API for agencies' systems, src/referral-api, sends through the same deps.)
 */
export type IntakeRouter = Router & { close(): void };

export function createIntake(ctx: IntakeContext): IntakeRouter {
  const deps = intakeDeps(ctx);
  const signIn = createAgencySignIn({ config: ctx.config, db: ctx.db, logger: deps.logger });
  const router = Router() as IntakeRouter;
  router.use('/refer', securityHeaders({ frameAncestors: [], https: ctx.config.server.publicUrl.startsWith('https://') }), (_req, res, next) => {
    // A form post carries its Origin (checked by sameOriginWrites) only when the page's referrer policy allows it
    // to: under no-referrer, browsers send `Origin: null`. same-origin still never tells another site anything.
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  router.use(nhsukAssetsRouter({ routePrefix: ASSETS }));
  router.get(`${ASSETS}/refer.css`, (_req, res) => res.set('cache-control', 'public, max-age=3600').type('text/css').send(REFER_CSS));
  router.use(referralFormsRouter({ ...deps, publicUrl: ctx.config.server.publicUrl }, signIn));
  // The agency sign-in's session store prunes on a timer.
  router.close = () => signIn?.close();
  return router;
}
