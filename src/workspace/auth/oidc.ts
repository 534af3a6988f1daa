import type { Request } from 'express';
import * as client from 'openid-client';
import { Strategy, type AuthenticateOptions } from 'openid-client/passport';
import passport from 'passport';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Actor } from '../domain/actor.js';
import { actorFromClaims } from './claims.js';

type WorkspaceConfig = NonNullable<Config['workspace']>;

export const STRATEGY_NAME = 'sp-link-staff';

/**
 * openid-client's passport Strategy with `state` on every authorization request. The stock strategy
 * sends state only when the server does not advertise PKCE; SP Link binds both (DESIGN §7), and the
 * strategy then checks `expectedState` on the callback because it is kept with the code verifier.
 */
class StaffStrategy extends Strategy {
  override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) ?? undefined);
    params.set('state', client.randomState());
    return params;
  }
}

export interface StaffLogin {
  /** A passport instance of the workspace's own, so nothing leaks into other areas' passport use. */
  passport: passport.PassportStatic;
  /** Discovers the IdP on first use (the sandbox IdP is served by this same process). */
  ready(): Promise<void>;
}

/**
 * Staff login: OIDC authorization code flow with PKCE S256 and state, via passport and
 * openid-client's Strategy. The verify step turns claims into the workspace Actor; nothing from the
 * token response is stored besides that (no tokens are needed after sign-in).
 */
export function createStaffLogin(opts: { config: Config; workspace: WorkspaceConfig; linkWorkerBase: string; logger: Logger }): StaffLogin {
  const { workspace, config } = opts;
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  let pending: Promise<void> | undefined;

  async function discover(): Promise<void> {
    const issuer = new URL(workspace.oidc.issuer);
    const insecure = issuer.protocol === 'http:';
    if (insecure && !config.sandbox.enabled) throw new Error('workspace.oidc.issuer must be https:// outside the sandbox');
    const oidc = await client.discovery(
      issuer,
      workspace.oidc.clientId,
      { client_secret: workspace.oidc.clientSecret },
      client.ClientSecretBasic(workspace.oidc.clientSecret),
      // Sandbox only (plain http on localhost): loud and named, per openid-client.
      insecure ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    const strategy = new StaffStrategy(
      {
        config: oidc,
        name: STRATEGY_NAME,
        sessionKey: 'oidc:workspace',
        scope: workspace.oidc.scopes,
        callbackURL: `${config.server.publicUrl.replace(/\/+$/, '')}/workspace/callback`,
      },
      (tokens, verified) => {
        void (async () => {
          let claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
          if (claims[workspace.oidc.rolesClaim] === undefined && typeof claims.sub === 'string') {
            // Some IdPs put roles only in userinfo.
            claims = { ...(await client.fetchUserInfo(oidc, tokens.access_token, claims.sub)), ...claims };
          }
          const result = actorFromClaims(claims, workspace.oidc, opts.linkWorkerBase);
          if (!result.ok) {
            opts.logger.warn({ reason: result.reason }, 'workspace sign-in refused');
            return verified(null, false, { message: result.reason });
          }
          verified(null, result.actor as Actor & Express.User);
        })().catch((err: unknown) => verified(err as Error));
      },
    );
    instance.use(STRATEGY_NAME, strategy);
  }

  return {
    passport: instance,
    ready() {
      pending ??= discover().catch((err: unknown) => {
        pending = undefined;
        throw err;
      });
      return pending;
    },
  };
}
