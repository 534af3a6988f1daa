import { Router, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { Config, KnownAgencyConfig } from '../config/schema.js';
import { BODY_LIMITS, formBody } from '../http/body-limits.js';
import { csrfKey, csrfTokenFor, sameToken } from '../http/csrf-token.js';
import { allowFormAction } from '../http/form-action.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { SessionCipher } from '../store/session-cipher.js';
import { DbSessionStore } from '../store/session-store.js';
import { agencyUserFromClaims, type AgencyUser } from './agency-claims.js';
import { sendPage } from './form-routes.js';
import { AGENCY_BASE } from './views/agency-referral-pages.js';
import { agencySignedOutPage, agencySignInPage, agencySignInRefusedPage } from './views/agency-sign-in-pages.js';

/**
 * Optional sign-in to the agency form for staff of a known agency (`intake.knownAgencies`), with their
 * organisation's IdP: OpenID Connect authorization code with PKCE S256, state and nonce (openid-client v6, which
 * also checks the `iss` of the response and of the ID token against the configured issuer). Its own client, callback
 * and session cookie (path `/refer/agency`); the tokens stay server-side and only the ID token is kept, to end the
 * IdP's session at sign-out. Signed in, the form's posts need the session's CSRF token. Anonymous use stays allowed.
 */

export const AGENCY_SIGN_IN = `${AGENCY_BASE}/sign-in`;
export const AGENCY_CALLBACK = `${AGENCY_SIGN_IN}/callback`;
export const AGENCY_SESSION_COOKIE = 'sp_link_agency';
/** A sign-in started and never finished lives this long. */
const PENDING_TTL_MS = 10 * 60_000;

/** What the agency form keeps in its session: the sign-in in progress, then the user (never patient data). */
export interface AgencySession {
  pending?: { agencyId: string; state: string; nonce: string; codeVerifier: string };
  user?: AgencyUser;
  idToken?: string;
  csrf?: string;
}

declare module 'express-session' {
  interface SessionData {
    agency?: AgencySession;
  }
}

/** Who is filling in the agency form, for its pages and its sending: the signed-in user, their agency, the CSRF token. */
export interface SignedInAgency {
  user: AgencyUser;
  agency: KnownAgencyConfig;
  csrf: string;
}

export interface AgencySignIn {
  /** The session middleware and the sign-in routes; mount at the app root before the form's routes. */
  router: Router;
  /** The signed-in user of this request, if any (after the router's session middleware). */
  signedIn(req: Request): SignedInAgency | undefined;
  /** Whether a signed-in user's post carries their session's CSRF token. */
  csrfValid(req: Request, who: SignedInAgency): boolean;
  close(): void;
}

export function createAgencySignIn(opts: { config: Config; db: Db; logger: Logger }): AgencySignIn | undefined {
  const { config, db, logger } = opts;
  const agencies = config.intake?.knownAgencies ?? [];
  if (!agencies.length) return undefined;
  const log = logger.child({ module: 'agency-sign-in' });
  const publicUrl = config.server.publicUrl;
  const redirectUri = `${publicUrl}${AGENCY_CALLBACK}`;
  const signedOutUri = `${publicUrl}${AGENCY_BASE}/signed-out`;
  const byId = new Map(agencies.map((a) => [a.id, a]));
  const key = csrfKey(config.server.sessionSecret, 'agency form csrf v1');

  const idleMs = config.server.sessionIdleMinutes * 60_000;
  const store = new DbSessionStore(db, {
    defaultTtlMs: idleMs,
    cipher: new SessionCipher(config.server.sessionSecret),
    preLogin: { is: (s) => !s.agency?.user, ttlMs: Math.min(idleMs, PENDING_TTL_MS), max: config.server.maxPreLoginSessions },
  });
  const sessions = session({
    name: AGENCY_SESSION_COOKIE,
    secret: config.server.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    proxy: config.server.trustProxy !== false ? true : undefined,
    // A top-level public form, never framed: Lax lets the IdP's redirect back carry the cookie.
    cookie: { path: AGENCY_BASE, httpOnly: true, sameSite: 'lax', secure: publicUrl.startsWith('https://') },
  });

  // Each agency's IdP, discovered on first use (the sandbox IdP is served by this same process).
  const discovered = new Map<string, Promise<client.Configuration>>();
  function idp(agency: KnownAgencyConfig): Promise<client.Configuration> {
    let found = discovered.get(agency.id);
    if (!found) {
      const issuer = new URL(agency.oidc.issuer);
      const insecure = issuer.protocol === 'http:';
      found = insecure && !config.sandbox.enabled
        ? Promise.reject(new Error(`intake.knownAgencies ${agency.id}: the issuer must be https:// outside the sandbox`))
        : client.discovery(issuer, agency.oidc.clientId, { client_secret: agency.oidc.clientSecret }, client.ClientSecretBasic(agency.oidc.clientSecret), insecure ? { execute: [client.allowInsecureRequests] } : undefined);
      found.catch(() => discovered.delete(agency.id));
      discovered.set(agency.id, found);
    }
    return found;
  }

  const regenerate = (req: Request) => new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
  const save = (req: Request) => new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));

  function signedIn(req: Request): SignedInAgency | undefined {
    const s = req.session?.agency;
    const agency = s?.user ? byId.get(s.user.agencyId) : undefined;
    if (!s?.user || !agency) return undefined;
    s.csrf ??= csrfTokenFor(key, req.sessionID);
    return { user: s.user, agency, csrf: s.csrf };
  }

  const router = Router();
  // Only the agency form's paths carry (and read) this cookie.
  router.use(AGENCY_BASE, sessions as RequestHandler);
  // Signed in, the sign-out form ends at the agency's IdP: browsers apply form-action to that redirect too.
  router.use(AGENCY_BASE, (req, res, next) => {
    const agency = signedIn(req)?.agency;
    if (agency) allowFormAction(res, [new URL(agency.oidc.issuer).origin]);
    next();
  });

  router.get(AGENCY_SIGN_IN, (req, res) => {
    if (signedIn(req)) return res.redirect(303, `${AGENCY_BASE}/about-you`);
    sendPage(res, 200, agencySignInPage(agencies));
  });

  router.get(`${AGENCY_SIGN_IN}/start`, async (req: Request, res: Response, next) => {
    const agency = byId.get(String(req.query.agency ?? ''));
    if (!agency) return sendPage(res, 422, agencySignInPage(agencies, 'Choose the organisation you work for'));
    try {
      const oidc = await idp(agency);
      const pending = { agencyId: agency.id, state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
      req.session.agency = { pending };
      await save(req);
      const url = client.buildAuthorizationUrl(oidc, {
        redirect_uri: redirectUri,
        scope: agency.oidc.scopes,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      });
      res.redirect(303, url.href);
    } catch (err) {
      log.error({ agency: agency.id, err: (err as Error).message }, 'agency sign-in could not start: identity provider unreachable');
      next(err);
    }
  });

  router.get(AGENCY_CALLBACK, async (req: Request, res: Response, next) => {
    const pending = req.session.agency?.pending;
    const agency = pending ? byId.get(pending.agencyId) : undefined;
    const refuse = (reason: string, status = 403) => {
      log.warn({ agency: agency?.id, reason }, 'agency sign-in refused');
      return sendPage(res, status, agencySignInRefusedPage(reason));
    };
    if (!pending || !agency) return refuse('the sign-in was not started here, or took too long', 400);
    // One try per sign-in: a replayed or second callback finds nothing pending.
    delete req.session.agency!.pending;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      const current = new URL(req.originalUrl, publicUrl);
      tokens = await client.authorizationCodeGrant(await idp(agency), current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const e = err as Error & { code?: string; error?: string };
      return refuse(`the identity provider's answer was not accepted (${e.error ?? e.code ?? e.name})`);
    }
    const read = agencyUserFromClaims({ ...(tokens.claims() ?? {}) }, agency);
    if (!read.ok) return refuse(read.reason);
    try {
      // A new session id once signed in (session fixation).
      await regenerate(req);
      req.session.agency = { user: read.user, ...(tokens.id_token ? { idToken: tokens.id_token } : {}) };
      await save(req);
      await recordAudit(db, { actor: agencyActor(read.user), action: 'intake.agency-sign-in', details: { agency: agency.id, odsCode: agency.odsCode } });
      res.redirect(303, `${AGENCY_BASE}/about-you`);
    } catch (err) {
      next(err);
    }
  });

  // Sign-out ends the session here, then the IdP's (RP-initiated logout), so the next person at a shared computer
  // is not signed in as this one.
  router.post(`${AGENCY_BASE}/sign-out`, formBody(BODY_LIMITS.signInForm), (req, res, next) => {
    const who = signedIn(req);
    if (!who) return res.redirect(303, AGENCY_BASE);
    if (!csrfValid(req, who)) return sendPage(res, 403, agencySignInRefusedPage('the sign-out form did not come from this page'));
    const idToken = req.session.agency?.idToken;
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(AGENCY_SESSION_COOKIE, { path: AGENCY_BASE });
      void recordAudit(db, { actor: agencyActor(who.user), action: 'intake.agency-sign-out', details: { agency: who.agency.id } }).catch(() => undefined);
      idp(who.agency).then(
        (oidc) => res.redirect(303, oidc.serverMetadata().end_session_endpoint
          ? client.buildEndSessionUrl(oidc, { post_logout_redirect_uri: signedOutUri, ...(idToken ? { id_token_hint: idToken } : {}) }).href
          : `${AGENCY_BASE}/signed-out`),
        () => res.redirect(303, `${AGENCY_BASE}/signed-out`),
      );
    });
  });

  router.get(`${AGENCY_BASE}/signed-out`, (_req, res) => sendPage(res, 200, agencySignedOutPage()));

  function csrfValid(req: Request, who: SignedInAgency): boolean {
    return sameToken(who.csrf, (req.body as Record<string, unknown> | undefined)?._csrf);
  }

  return { router, signedIn, csrfValid, close: () => store.close() };
}

/** The audit trail's name for a signed-in agency user: the agency and the IdP's subject (no patient data). */
export const agencyActor = (u: AgencyUser): string => `agency:${u.agencyId}:${u.sub}`;
