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
 * sends state only when the server does not advertise PKCE; SP Link binds both (docs/SECURITY.md), and the
 * strategy then checks `expectedState` on the callback because it is kept with the code verifier.
 */
class StaffStrategy extends Strategy {
  override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(req, options) ?? undefined);
    params.set('state', client.randomState());
    return params;
  }
}

/** What a successful sign-in hands the callback route: the user, and the ID token for signing out at the IdP. */
export interface StaffSignIn {
  actor: Actor;
  /** Kept server-side in the (encrypted) session, only as `id_token_hint` for RP-initiated logout. */
  idToken?: string;
}

/** Where sign-out at the IdP returns to (register it at the IdP as a post-logout redirect URI). */
export const signedOutUrl = (config: Config): string => `${config.server.publicUrl}/workspace/signed-out`;

export interface StaffLogin {
  /** A passport instance of the workspace's own, so nothing leaks into other areas' passport use. */
  passport: passport.PassportStatic;
  /** Discovers the IdP on first use (the sandbox IdP is served by this same process). */
  ready(): Promise<void>;
  /**
   * The IdP's end-session URL for this user (OpenID Connect RP-Initiated Logout 1.0: `id_token_hint`,
   * `post_logout_redirect_uri` = signedOutUrl), or undefined when the IdP publishes no `end_session_endpoint`.
   */
  endSessionUrl(idToken: string | undefined): Promise<URL | undefined>;
  /**
   * Origins the sign-out form ends up at (the IdP's issuer and end-session endpoint): CSP `form-action`
   * also governs where a form's redirects go, so the workspace's pages must allow them.
   */
  signOutOrigins(): string[];
}

/**
 * Staff login: OIDC authorization code flow with PKCE S256 and state, via passport and
 * openid-client's Strategy. The verify step turns claims into the workspace Actor; of the token response
 * only the ID token is kept, to end the IdP session at sign-out (no access or refresh token is needed).
 */
export function createStaffLogin(opts: { config: Config; workspace: WorkspaceConfig; linkWorkerBase: string; logger: Logger }): StaffLogin {
  const { workspace, config } = opts;
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  let pending: Promise<void> | undefined;
  let discovered: client.Configuration | undefined;

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
    discovered = oidc;
    const strategy = new StaffStrategy(
      {
        config: oidc,
        name: STRATEGY_NAME,
        sessionKey: 'oidc:workspace',
        scope: workspace.oidc.scopes,
        callbackURL: `${config.server.publicUrl}/workspace/callback`,
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
          const signIn: StaffSignIn = { actor: result.actor, idToken: tokens.id_token };
          verified(null, signIn as StaffSignIn & Express.User);
        })().catch((err: unknown) => verified(err as Error));
      },
    );
    instance.use(STRATEGY_NAME, strategy);
  }

  function ready(): Promise<void> {
    pending ??= discover().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  }

  return {
    passport: instance,
    ready,
    signOutOrigins() {
      const origins = new Set([new URL(workspace.oidc.issuer).origin]);
      const endSession = discovered?.serverMetadata().end_session_endpoint;
      if (endSession) origins.add(new URL(endSession).origin);
      return [...origins];
    },
    async endSessionUrl(idToken) {
      await ready();
      if (!discovered?.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(discovered, {
        post_logout_redirect_uri: signedOutUrl(config),
        ...(idToken ? { id_token_hint: idToken } : {}),
      });
    },
  };
}
