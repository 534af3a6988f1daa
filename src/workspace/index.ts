import express from 'express';
import type { ErrorRequestHandler, Router } from 'express';
import { createFhirClientFor } from '../fhir/from-config.js';
import { FhirError } from '../fhir/errors.js';
import { validateForWrite } from '../fhir/validate/index.js';
import { loadBaseR4 } from '../fhir/validate/definitions.js';
import type { FhirClient } from '../fhir/client.js';
import { logger as rootLogger } from '../observability/logger.js';
import { toApiError } from '../http/api-error.js';
import { BODY_LIMITS, formBody, WORKSPACE_FORM_FIELDS } from '../http/body-limits.js';
import { nhsukAssetsRouter } from '../http/nhsuk-assets.js';
import { sameOriginWrites } from '../http/security.js';
import { createStaffLogin } from './auth/oidc.js';
import { workspaceSession } from './auth/session.js';
import { LinkWorkerStore } from './data/link-worker-store.js';
import { PatientReferences } from './data/patient-reference.js';
import { communityReferral } from '../store/community-referrals.js';
import { authRoutes } from './http/auth-routes.js';
import { caseRoutes } from './http/case-routes.js';
import { caseloadRoutes } from './http/caseload-routes.js';
import { identityRoutes } from './http/identity-routes.js';
import { onwardRoutes } from './http/onward-routes.js';
import { directoryRoutes } from './http/directory-routes.js';
import { reportRoutes } from './http/report-routes.js';
import { onlyFor } from './http/guards.js';
import { homeOf, readsReports, worksCases } from './domain/actor.js';
import { allowFormAction, forbidFraming } from '../http/form-action.js';
import type { WorkspaceContext, WorkspaceDeps } from './http/context.js';
import { WORKSPACE_CSS } from './views/layout.js';
import { errorPage } from './views/misc-pages.js';

export type { WorkspaceContext } from './http/context.js';

/** The workspace router plus what the composition root must release on shutdown. */
export type WorkspaceRouter = Router & { close(): void };


/**
 * The link-worker workspace, mounted at `/workspace`:
 *
 *   app.use('/workspace', createWorkspace({ config, db, logger }));
 *
 * Server-rendered pages (one request per page): sign-in (OIDC, passport + openid-client), caseload,
 * capacity (managers), case page with its actions. Every action is one FHIR transaction at the
 * link-worker endpoint: the Task update with If-Match, any new outcome Observations, and a Provenance
 * naming the user. Needs `config.workspace`; throws when it is absent.
 */
export function createWorkspace(ctx: WorkspaceContext): WorkspaceRouter {
  const workspace = ctx.config.workspace;
  if (!workspace) throw new Error('createWorkspace needs config.workspace');
  const endpoint = ctx.config.linkWorkerEndpoints.find((e) => e.id === workspace.linkWorkerEndpoint);
  if (!endpoint) throw new Error(`unknown link-worker endpoint ${workspace.linkWorkerEndpoint}`);
  const logger = (ctx.logger ?? rootLogger).child({ module: 'workspace' });
  // validateForWrite expects the R4 definitions indexed before its first call.
  if (!ctx.validate) loadBaseR4();
  const validate = ctx.validate ?? validateForWrite;
  const linkWorkerBase = endpoint.fhirBase;

  let client: Promise<FhirClient> | undefined;
  const lwClient = () => (client ??= ctx.linkWorkerFhir ? Promise.resolve(ctx.linkWorkerFhir) : createFhirClientFor(endpoint, { validate, logger }));
  let store: Promise<LinkWorkerStore> | undefined;
  const ehrClients = new Map<string, Promise<FhirClient>>();
  const ehrClient = (tenantId: string): Promise<FhirClient> | undefined => {
    const t = ctx.config.tenants.find((x) => x.id === tenantId);
    if (!t) return undefined;
    let c = ehrClients.get(t.id);
    const given = ctx.ehrFhir?.[t.id];
    if (!c) ehrClients.set(t.id, (c = given ? Promise.resolve(given) : createFhirClientFor(t.ehr, { logger })));
    return c;
  };
  const patients = new PatientReferences(
    ctx.config.tenants.map((t) => ({ tenantId: t.id, base: t.ehr.fhirBase, client: () => ehrClient(t.id)! })),
    async (referralId) => communityReferral(ctx.db, referralId),
  );
  const deps: WorkspaceDeps = {
    config: ctx.config,
    workspace,
    db: ctx.db,
    logger,
    linkWorkerBase,
    patients,
    ehrClient,
    now: ctx.now ?? (() => new Date()),
    ...(ctx.outbox ? { outbox: ctx.outbox } : {}),
    store: () => (store ??= lwClient().then((c) => new LinkWorkerStore(c))),
  };

  const session = workspaceSession(ctx.config, ctx.db);
  const login = createStaffLogin({ config: ctx.config, workspace, linkWorkerBase, logger });
  const router = express.Router() as WorkspaceRouter;

  router.use(nhsukAssetsRouter({ routePrefix: '/assets', publicPrefix: '/workspace/assets' }));
  router.get('/assets/workspace.css', (_req, res) => res.set('Cache-Control', 'public, max-age=86400').type('css').send(WORKSPACE_CSS));
  router.use((_req, res, next) => {
    // Pages carry patient data: never cache them; never frame the workspace.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' });
    forbidFraming(res);
    allowFormAction(res, login.signOutOrigins());
    next();
  });
  // A form posted from another site is refused before its body or the session is read: it can neither change
  // data nor the session (signing the user out, or planting "kept" work).
  router.use(sameOriginWrites(ctx.config.server.publicUrl, (_req, res) => {
    logger.warn('workspace form posted from another origin refused');
    res.status(403).type('html').send(errorPage({ status: 403, title: 'This form did not come from SP Link', message: 'The form was sent from another website, so nothing was saved and nothing changed. Open the SP Link workspace yourself and try again.' }));
  }));
  router.use(formBody(BODY_LIMITS.workspaceForm, WORKSPACE_FORM_FIELDS));
  router.use(session.middleware);
  router.get('/', (req, res) => res.redirect(303, req.session.ws?.actor ? homeOf(req.session.ws.actor) : '/workspace/sign-in'));
  router.use(authRoutes(deps, login));
  router.use(onwardRoutes(deps));
  // Keeping the directory true: link workers' reports, the manager's list and actions, providers' capacity, workload.
  router.use(directoryRoutes(deps));
  // Cases are for link workers and managers; community groups' staff have the portal (onward-routes.ts).
  router.use(['/caseload', '/capacity', '/cases', '/identity-reviews'], onlyFor(worksCases, homeOf));
  router.use(caseloadRoutes(deps));
  router.use(caseRoutes(deps));
  router.use(identityRoutes(deps));
  // Evaluation reports: commissioners and service managers (aggregates only).
  router.use('/reports', onlyFor(readsReports, homeOf));
  router.use(reportRoutes(deps));
  router.use((req, res) => {
    res.status(404).type('html').send(errorPage({ actor: req.session?.ws?.actor, csrfToken: req.session?.ws?.csrf, status: 404, title: 'Page not found', message: 'There is no page at this address.' }));
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const upstream = err instanceof FhirError;
    const refused = upstream ? undefined : toApiError(err);
    if (refused && refused.httpStatus < 500) {
      // The browser sent something unreadable (a form over the size limit): the person's to fix, no stack to log.
      logger.warn({ code: refused.code }, 'workspace request refused');
      if (res.headersSent) return;
      const tooLarge = refused.code === 'ERR_PAYLOAD_TOO_LARGE';
      res.status(refused.httpStatus).type('html').send(errorPage({
        actor: req.session?.ws?.actor, csrfToken: req.session?.ws?.csrf, status: refused.httpStatus,
        title: tooLarge ? 'What you entered is too long' : 'The form could not be read',
        message: tooLarge
          ? 'Nothing was saved: the form was larger than SP Link accepts. Go back, shorten the longest answers (notes or plan) and save again.'
          : 'Nothing was saved. Go back, reload the page and try again.',
      }));
      return;
    }
    logger.error({ err, code: upstream ? err.code : undefined }, upstream ? 'link-worker FHIR request failed' : 'workspace request failed');
    if (res.headersSent) return;
    // A change that failed in flight may or may not have been applied by the FHIR server: say so.
    const change = req.method === 'POST' ? ' Your change may not have been saved: open the case again to check before repeating it.' : '';
    res.status(upstream ? 502 : 500).type('html').send(errorPage({
      actor: req.session?.ws?.actor, csrfToken: req.session?.ws?.csrf, status: upstream ? 502 : 500,
      title: upstream ? 'The case records could not be reached' : 'Sorry, something went wrong',
      message: `${upstream ? 'The link-worker record system did not answer properly.' : 'Something unexpected went wrong.'}${change} Try again in a minute, and tell your service manager if it keeps happening.`,
    }));
  };
  router.use(onError);
  router.close = () => session.store.close();
  return router;
}
