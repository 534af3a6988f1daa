import { createHmac } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import Provider, { errors, type ClientMetadata, type Configuration } from 'oidc-provider';
import type { Config } from '../../config/schema.js';
import { BODY_LIMITS, formBody } from '../../http/body-limits.js';
import { logger } from '../../observability/logger.js';
import { loadServerSigningKeys } from '../auth/keys.js';
import { sandboxAssetsRouter } from '../ehr-ui/assets.js';
import type { OidcStore } from '../../store/oidc-adapter.js';
import { renderLoginPage, renderLogoutPage, renderSignedOutPage } from './login-page.js';
import { sandboxStaff, type StaffUser } from './staff.js';
import { normaliseBaseUrl } from '../../referral-model/references.js';

export { sandboxStaff, OTHER_ORG_ODS, SERVICE_MANAGER_ID, OTHER_ORG_WORKER_ID, DEMO_AGENCIES, PHARMACIST_ID, type StaffUser } from './staff.js';

export const IDP_PATH = '/sandbox/idp';
const IDP_SCOPES = ['openid', 'profile', 'email'];

export interface SandboxIdpOptions {
  config: Config;
  /** Defaults to config.dataDir; signing keys go to `{dataDir}/sandbox-keys/idp-signing.jwks.json`. */
  dataDir?: string;
  /** Link-worker FHIR base: `fhirUser` = `{lwBase}/Practitioner/{id}`. */
  lwBase: string;
  /** Storage of sessions and grants (SP Link's Db), so staff stay signed in to the IdP across a restart. */
  store: OidcStore;
  /**
   * The origin the IdP is served at. Default: the origin of `publicUrl`, as the sandbox serves it in SP Link's own
   * process; a test standing it up as an organisation's IdP apart from SP Link names its own origin.
   */
  origin?: string;
}

export interface SandboxIdp {
  /** Mount at the app root (serves /sandbox/idp/…); no body parser in front of it. */
  readonly router: Router;
  /** `{origin}/sandbox/idp` (origin: `opts.origin`, else that of publicUrl); OIDC discovery at `{issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly users: readonly StaffUser[];
  close(): Promise<void>;
}

/**
 * The sandbox staff identity provider for the link-worker workspace (oidc-provider 9, storage in SP Link's Db):
 * authorization code + PKCE S256 (required) for client `workspace.oidc.clientId` and the agency form's client of
 * the known agencies this IdP serves (`intake.knownAgencies`); ID token claims `name`, `job_title`,
 * `email`, and under the configured claim names the roles, organisation ODS code and Practitioner reference.
 * Like an organisation's IdP it keeps a single sign-on session for the browser (ended when the browser closes),
 * so another authorization request signs the same person in without asking; RP-initiated logout
 * (`end_session_endpoint`) ends that session, and the next sign-in asks who is signing in.
 */
export async function createSandboxIdp(opts: SandboxIdpOptions): Promise<SandboxIdp> {
  const { config } = opts;
  const log = logger.child({ module: 'sandbox-idp' });
  const publicUrl = config.server.publicUrl;
  const issuer = (opts.origin ? new URL(opts.origin).origin : new URL(publicUrl).origin) + IDP_PATH;
  const lwBase = normaliseBaseUrl(opts.lwBase);
  const users = sandboxStaff();
  const byId = new Map(users.map((u) => [u.id, u]));
  const byUsername = new Map(users.map((u) => [u.username.toLowerCase(), u]));
  const claimNames = config.workspace?.oidc ?? { rolesClaim: 'roles', organizationClaim: 'org', practitionerClaim: 'fhirUser' };

  // The agency form's client (`intake.knownAgencies` whose issuer is this IdP): one per client id.
  const agencyClients = [...new Map((config.intake?.knownAgencies ?? []).filter((a) => normaliseBaseUrl(a.oidc.issuer) === issuer).map((a) => [a.oidc.clientId, a.oidc])).values()].map(
    (o): ClientMetadata => ({
      client_id: o.clientId,
      client_secret: o.clientSecret,
      client_name: 'SP Link agency referral form',
      redirect_uris: [`${publicUrl}/refer/agency/sign-in/callback`],
      post_logout_redirect_uris: [`${publicUrl}/refer/agency/signed-out`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }),
  );
  const workspaceClients: ClientMetadata[] = config.workspace
    ? [
        {
          client_id: config.workspace.oidc.clientId,
          client_secret: config.workspace.oidc.clientSecret,
          client_name: 'SP Link workspace',
          redirect_uris: [`${publicUrl}/workspace/callback`],
          post_logout_redirect_uris: [`${publicUrl}/workspace/signed-out`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ]
    : [];
  const clients = [...workspaceClients, ...agencyClients];
  const clientName = (id: unknown) => clients.find((c) => c.client_id === id)?.client_name ?? String(id);

  const configuration: Configuration = {
    adapter: opts.store.adapterFactory('sandbox-idp'),
    clients,
    jwks: (await loadServerSigningKeys(opts.dataDir ?? config.dataDir, 'idp')) as Configuration['jwks'],
    cookies: { keys: [createHmac('sha256', config.server.sessionSecret).update('sandbox-idp-cookies').digest('base64url')] },
    scopes: IDP_SCOPES,
    claims: {
      openid: ['sub', claimNames.rolesClaim, claimNames.organizationClaim, claimNames.practitionerClaim],
      profile: ['name', 'given_name', 'family_name', 'job_title'],
      email: ['email', 'email_verified'],
    },
    // Roles, organisation and Practitioner go in the ID token itself, where the workspace reads them.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const u = byId.get(sub);
      if (!u) return undefined;
      return {
        accountId: u.id,
        claims: () => ({
          sub: u.id,
          name: `${u.givenName} ${u.familyName}`,
          given_name: u.givenName,
          family_name: u.familyName,
          email: u.email,
          email_verified: true,
          [claimNames.rolesClaim]: [...u.roles],
          [claimNames.organizationClaim]: u.org,
          job_title: u.jobTitle,
          // Agencies' staff have no record at the link-worker service.
          ...(u.agency ? {} : { [claimNames.practitionerClaim]: `${lwBase}/Practitioner/${u.id}` }),
        }),
      };
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // OpenID Connect RP-Initiated Logout 1.0: the OP asks before ending its session (§2), with one button.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage({
            action: ctx.oidc.urlFor('end_session_confirm'),
            xsrf: String(ctx.oidc.session?.state?.secret ?? ''),
            clientName: ctx.oidc.client ? clientName(ctx.oidc.client.clientId) : undefined,
          });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = renderSignedOutPage();
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${IDP_PATH}/interaction/${interaction.uid}` },
    // The grant outlives the session it was given in, so a live session never meets a consent prompt.
    ttl: { AuthorizationCode: 60, Interaction: 900, Session: 8 * 3600, Grant: 9 * 3600, IdToken: 3600, AccessToken: 3600 },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => log.error({ err }, 'sandbox identity provider error'));

  const router = Router();
  router.use(sandboxAssetsRouter());

  router.get(`${IDP_PATH}/interaction/:uid`, async (req: Request, res: Response) => {
    const details = await provider.interactionDetails(req, res);
    res.set('Cache-Control', 'no-store').type('html').send(renderLoginPage({ uid: details.uid, users, clientName: clientName(details.params.client_id) }));
  });

  router.post(`${IDP_PATH}/interaction/:uid/login`, formBody(BODY_LIMITS.signInForm), async (req: Request, res: Response) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') throw new errors.InvalidRequest('this interaction is not waiting for a sign-in');
    const username = typeof req.body?.username === 'string' ? req.body.username.trim() : '';
    const user = byUsername.get(username.toLowerCase());
    if (!user) {
      const error = username ? 'No sandbox staff member has that username' : 'Enter a username, or choose a staff member below';
      res.status(400).set('Cache-Control', 'no-store').type('html');
      res.send(renderLoginPage({ uid: details.uid, users, clientName: clientName(details.params.client_id), error, username }));
      return;
    }
    // The workspace is a first-party client of this sandbox IdP: consent is given with the sign-in.
    const clientId = String(details.params.client_id);
    const grant = new provider.Grant({ accountId: user.id, clientId });
    const requested = typeof details.params.scope === 'string' ? details.params.scope.split(' ') : [];
    grant.addOIDCScope(requested.filter((s) => IDP_SCOPES.includes(s)).join(' '));
    log.info({ sub: user.id }, 'sandbox staff sign-in');
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.id, remember: false }, consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: false },
    );
  });
  router.use(IDP_PATH, provider.callback());

  return {
    router,
    issuer,
    users,
    async close() {
      // Storage belongs to the caller (opts.store); the provider holds no timers or sockets.
    },
  };
}
