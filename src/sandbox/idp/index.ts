import { createHmac } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import Provider, { errors, type ClientMetadata, type Configuration } from 'oidc-provider';
import type { Config } from '../../config/schema.js';
import { logger } from '../../http/logger.js';
import { loadServerSigningKeys } from '../auth/keys.js';
import { sandboxAssetsRouter } from '../ehr-ui/assets.js';
import { renderLoginPage } from './login-page.js';
import { sandboxStaff, type StaffUser } from './staff.js';

export { sandboxStaff, OTHER_ORG_ODS, SERVICE_MANAGER_ID, OTHER_ORG_WORKER_ID, type StaffUser } from './staff.js';

export const IDP_PATH = '/sandbox/idp';
const IDP_SCOPES = ['openid', 'profile', 'email'];

export interface SandboxIdpOptions {
  config: Config;
  /** Defaults to config.dataDir; signing keys go to `{dataDir}/sandbox-keys/idp-signing.jwks.json`. */
  dataDir?: string;
  /** Link-worker FHIR base: `fhirUser` = `{lwBase}/Practitioner/{id}`. */
  lwBase: string;
}

export interface SandboxIdp {
  /** Mount at the app root (serves /sandbox/idp/…); no body parser in front of it. */
  readonly router: Router;
  /** `{origin of publicUrl}/sandbox/idp`; OIDC discovery at `{issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly users: readonly StaffUser[];
  close(): Promise<void>;
}

/**
 * The sandbox staff identity provider for the link-worker workspace (oidc-provider 9, in memory):
 * authorization code + PKCE S256 (required) for client `workspace.oidc.clientId`; ID token claims `name`,
 * `email`, and under the configured claim names the roles, organisation ODS code and Practitioner reference.
 * Every authorization request shows the sign-in page (no single sign-on), so switching user needs no logout.
 */
export async function createSandboxIdp(opts: SandboxIdpOptions): Promise<SandboxIdp> {
  const { config } = opts;
  const log = logger.child({ module: 'sandbox-idp' });
  const publicUrl = config.server.publicUrl.replace(/\/+$/, '');
  const issuer = new URL(publicUrl).origin + IDP_PATH;
  const lwBase = opts.lwBase.replace(/\/+$/, '');
  const users = sandboxStaff();
  const byId = new Map(users.map((u) => [u.id, u]));
  const byUsername = new Map(users.map((u) => [u.username.toLowerCase(), u]));
  const claimNames = config.workspace?.oidc ?? { rolesClaim: 'roles', organizationClaim: 'org', practitionerClaim: 'fhirUser' };

  const clients: ClientMetadata[] = config.workspace
    ? [
        {
          client_id: config.workspace.oidc.clientId,
          client_secret: config.workspace.oidc.clientSecret,
          client_name: 'SP Link workspace',
          redirect_uris: [`${publicUrl}/workspace/callback`],
          post_logout_redirect_uris: [`${publicUrl}/workspace`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ]
    : [];

  const configuration: Configuration = {
    clients,
    jwks: (await loadServerSigningKeys(opts.dataDir ?? config.dataDir, 'idp')) as Configuration['jwks'],
    cookies: { keys: [createHmac('sha256', config.server.sessionSecret).update('sandbox-idp-cookies').digest('base64url')] },
    scopes: IDP_SCOPES,
    claims: {
      openid: ['sub', claimNames.rolesClaim, claimNames.organizationClaim, claimNames.practitionerClaim],
      profile: ['name', 'given_name', 'family_name'],
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
          [claimNames.practitionerClaim]: `${lwBase}/Practitioner/${u.id}`,
        }),
      };
    },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `${IDP_PATH}/interaction/${interaction.uid}` },
    ttl: { AuthorizationCode: 60, Interaction: 900, Session: 8 * 3600, Grant: 8 * 3600, IdToken: 3600, AccessToken: 3600 },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => log.error({ err }, 'sandbox identity provider error'));
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth' || ctx.path.startsWith('/auth/')) {
      // Sandbox: every sign-in starts afresh (pick any user each time). The browser's IdP session is ignored on
      // /auth and its resume step, so switching user never meets an account-switch logout page.
      ctx.req.headers.cookie = ctx.req.headers.cookie
        ?.split(';')
        .filter((c) => !/^_session(\.|$)/.test(c.trim().split('=')[0] ?? ''))
        .join(';');
      if (ctx.method === 'GET' && ctx.path === '/auth') ctx.query = { ...ctx.query, prompt: 'login' };
    }
    await next();
  });

  const router = Router();
  router.use(sandboxAssetsRouter());
  const clientName = (id: unknown) => clients.find((c) => c.client_id === id)?.client_name ?? String(id);

  router.get(`${IDP_PATH}/interaction/:uid`, async (req: Request, res: Response, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      res.set('Cache-Control', 'no-store').type('html').send(renderLoginPage({ uid: details.uid, users, clientName: clientName(details.params.client_id) }));
    } catch (err) {
      next(err);
    }
  });

  router.post(`${IDP_PATH}/interaction/:uid/login`, express.urlencoded({ extended: false, limit: '4kb' }), async (req: Request, res: Response, next) => {
    try {
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
    } catch (err) {
      next(err);
    }
  });
  router.use(IDP_PATH, provider.callback());

  return {
    router,
    issuer,
    users,
    async close() {
      // in-memory provider: nothing to release
    },
  };
}
