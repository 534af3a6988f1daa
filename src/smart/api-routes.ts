import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Config, LinkWorkerEndpointConfig, TenantConfig } from '../config/schema.js';
import { SpLinkError } from '../errors.js';
import { FhirClient } from '../fhir/client.js';
import { acknowledgeSafeguarding } from '../referrals/acknowledge-safeguarding.js';
import { cancelReferral } from '../referrals/cancel-referral.js';
import { createReferral, type LaunchIdentity, type ReferralDeps } from '../referrals/create-referral.js';
import type { DirectoryCache } from '../referrals/directory-cache.js';
import type { TaskHistoryCache } from '../referrals/task-history-cache.js';
import { homePosition, parseDirectoryQuery, searchDirectory } from '../referrals/directory.js';
import { requireWatchedDirectory } from '../referrals/resolve-service.js';
import { responseTargets } from '../referral-model/response-targets.js';
import { listReferrals } from '../referrals/list-referrals.js';
import type { ReferralOutbox } from '../referrals/outbox-port.js';
import { parseReferralInput } from '../referrals/referral-input.js';
import { apiErrorHandler } from '../http/api-error.js';
import { BODY_LIMITS, jsonBody } from '../http/body-limits.js';
import type { Db } from '../store/db.js';
import { buildContext, practitionerName } from './api-context.js';
import { checkCsrf, checkPatient } from './csrf.js';
import { gpAuthProvider, requireLaunch, type RequestLaunch } from './gp-auth.js';
import { relativeToIss } from './launch-steps.js';
import type { LaunchStore } from './launch-store.js';
import type { OidcConfigCache } from './oidc-config.js';
import { isFhirId } from '../referral-model/references.js';
import { acknowledgeSchema, cancelSchema } from '../gp-app-contract/index.js';

export interface ApiDeps {
  config: Config;
  db: Db;
  oidc: OidcConfigCache;
  launches: LaunchStore;
  directory: DirectoryCache;
  /** Link-worker Task histories as last read, shared by every GP's listings. */
  taskHistory: TaskHistoryCache;
  /** SP Link's backend client for a link-worker endpoint. */
  linkWorkerClient(endpoint: LinkWorkerEndpointConfig): Promise<FhirClient>;
  outbox?: ReferralOutbox;
  validate: (r: Resource) => void;
  logger: Logger;
}

/**
 * The backend-for-frontend API of the GP app (`/app/api`). JSON in, JSON out, errors as
 * `{ error: { code, message, fields? } }`. Calls the EHR with the GP's token held in the session and the
 * link-worker endpoint with SP Link's own credentials; neither token is ever sent to the browser.
 */
export function apiRoutes(deps: ApiDeps): Router {
  const { config } = deps;
  const log = deps.logger.child({ module: 'gp-api' });
  const router = Router();
  router.use(jsonBody(BODY_LIMITS.gpApi));
  router.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });

  const endpointFor = (tenant: TenantConfig) => config.linkWorkerEndpoints.find((e) => e.id === tenant.linkWorkerEndpoint)!;
  const ehrFor = (rl: RequestLaunch) =>
    new FhirClient({ baseUrl: rl.launch.iss, auth: gpAuthProvider(rl, deps.launches, deps.oidc, log), validate: deps.validate, logger: log, retry: { maxAttempts: 2 } });
  const launchOf = (req: Request) => requireLaunch(req, config, deps.launches);

  async function referralDeps(rl: RequestLaunch): Promise<{ rd: ReferralDeps; who: LaunchIdentity; tenant: TenantConfig }> {
    const { launch, tenant } = rl;
    // Never a made-up requester: a launch that does not know its user cannot refer (launch-steps.ts).
    if (!launch.fhirUser) throw new SpLinkError('ERR_SMART_NO_USER', { message: 'SP Link could not tell who you are. Open SP Link again from the patient record; if this keeps happening, tell IT support.' });
    const endpoint = endpointFor(tenant);
    const rd: ReferralDeps = {
      ehr: ehrFor(rl),
      lw: await deps.linkWorkerClient(endpoint),
      db: deps.db,
      tenant,
      endpoint,
      directory: deps.directory,
      endpointClient: async (id) => {
        const other = config.linkWorkerEndpoints.find((e) => e.id === id);
        return other ? { endpoint: other, client: await deps.linkWorkerClient(other) } : undefined;
      },
      ...(deps.outbox ? { outbox: deps.outbox } : {}),
      validate: deps.validate,
      logger: log,
    };
    const who: LaunchIdentity = {
      patient: launch.patient,
      iss: launch.iss,
      practitioner: relativeToIss(launch.fhirUser, launch.iss),
      ...(launch.practitionerName ? { practitionerName: launch.practitionerName } : {}),
    };
    return { rd, who, tenant };
  }

  router.get('/context', async (req, res) => {
    const rl = await launchOf(req);
    const { launch, tenant } = rl;
    const ehr = ehrFor(rl);
    const practitionerRef = launch.fhirUser ? relativeToIss(launch.fhirUser, launch.iss) : undefined;
    const [patient, name] = await Promise.all([
      ehr.read<Patient>('Patient', launch.patient),
      launch.practitionerName !== undefined ? Promise.resolve(launch.practitionerName) : practitionerName(ehr, practitionerRef),
    ]);
    if (launch.practitionerName === undefined) {
      // Read once per launch; '' records "the EHR would not say" so it is not asked again.
      await deps.launches.update(rl.handle, async (cur) => ({ ...cur, practitionerName: name ?? '' }));
    }
    res.json(
      buildContext(rl.launch, patient, { ...(name ? { name } : {}) }, {
        practice: tenant.name,
        linkWorkerService: endpointFor(tenant).name,
        csrfToken: rl.launch.csrfToken,
        now: new Date(),
      }),
    );
  });

  router.get('/directory', async (req, res) => {
    const rl = await launchOf(req);
    const endpoint = endpointFor(rl.tenant);
    const lw = await deps.linkWorkerClient(endpoint);
    const [services, index] = await Promise.all([deps.directory.get(endpoint.id, lw), deps.directory.index(endpoint.id, lw)]);
    // A directory whose referrals nobody would see is refused here, before the GP chooses from it.
    requireWatchedDirectory(services, endpoint);
    const { search, nearHome } = parseDirectoryQuery(req.query);
    // Distance from the person's home: the address's coordinates, else its postcode placed by the directory's venues.
    const near = nearHome ? await homePosition(ehrFor(rl), rl.launch.patient, index.locations).catch(() => undefined) : undefined;
    res.json({ services: searchDirectory(index, { ...search, ...(near ? { near } : {}) }, { staleAfterDays: config.directory.staleAfterDays }) });
  });

  router.get('/referrals', async (req, res) => {
    const rl = await launchOf(req);
    checkPatient(req.query.patient, rl.launch.patient);
    const lw = await deps.linkWorkerClient(endpointFor(rl.tenant)).catch(() => undefined);
    res.json({ referrals: await listReferrals(ehrFor(rl), lw, rl.launch.patient, log, { targets: responseTargets(config.responseTargetHours), history: deps.taskHistory }) });
  });

  router.post('/referrals', async (req, res) => {
    const rl = await launchOf(req);
    checkCsrf(req, rl.launch.csrfToken);
    const parsed = parseReferralInput(req.body);
    // The patient check comes first: a request about another patient is refused whatever else is wrong.
    checkPatient((req.body as { patientId?: unknown } | undefined)?.patientId, rl.launch.patient);
    if (!parsed.ok) throw new SpLinkError('ERR_VALIDATION', { fields: parsed.fields });
    const { rd, who } = await referralDeps(rl);
    const out = await createReferral(rd, who, parsed.value);
    // 200 for a resend of a form that already made the referral (same submission id): nothing new was written.
    res.status(out.alreadySent ? 200 : 201).json(out);
  });

  /**
   * A GP's action on one referral (`POST /referrals/:id/…`): the launch, CSRF, the patient check (first: a request
   * about another patient is refused whatever else is wrong), the body against its contract schema and a
   * well-formed referral id; then `act` answers.
   */
  const referralAction =
    <S extends z.ZodType>(schema: S, act: (rd: ReferralDeps, who: LaunchIdentity, referralId: string, body: z.infer<S>) => Promise<unknown>) =>
    async (req: Request<{ id: string }>, res: Response) => {
      const rl = await launchOf(req);
      checkCsrf(req, rl.launch.csrfToken);
      checkPatient((req.body as { patientId?: unknown } | undefined)?.patientId, rl.launch.patient);
      const body = schema.safeParse(req.body ?? {});
      if (!body.success) throw new SpLinkError('ERR_VALIDATION', { fields: body.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      if (!isFhirId(req.params.id)) throw new SpLinkError('ERR_NOT_FOUND', { message: 'No such referral.' });
      const { rd, who } = await referralDeps(rl);
      res.json(await act(rd, who, req.params.id, body.data));
    };

  router.post('/referrals/:id/cancel', referralAction(cancelSchema, (rd, who, id, b) => cancelReferral(rd, who, id, b.version, b.reason)));
  router.post('/referrals/:id/safeguarding/acknowledge', referralAction(acknowledgeSchema, (rd, who, id, b) => acknowledgeSafeguarding(rd, who, id, b.concern)));

  router.use((_req, _res, next) => next(new SpLinkError('ERR_NOT_FOUND', { message: 'No such API route.' })));
  router.use(apiErrorHandler(log, 'gp api call'));
  return router;
}
