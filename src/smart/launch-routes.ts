import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import * as client from 'openid-client';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { isSpLinkError, SpLinkError } from '../errors.js';
import { recordAudit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { renderErrorPage } from './error-pages.js';
import { addOpenLaunch, authorizationParams, checkLaunchParam, launchErrorFor, launchSessionFrom, matchCallback, tenantForIss, type TokenResult } from './launch-steps.js';
import type { LaunchStore } from './launch-store.js';
import type { OidcConfigCache } from './oidc-config.js';
import { PendingLaunchCookie } from './pending-cookie.js';
import { sessionCookieOptions } from './session.js';
import { normaliseBaseUrl } from '../referral-model/references.js';

/** Where the authorization server sends the GP back (register exactly this in the EHR). */
export const CALLBACK_PATH = '/smart/callback';
export const LAUNCH_PATH = '/launch';
export const APP_PATH = '/app/';
/** Query parameter of `/app/` carrying the launch handle of that window. */
export const APP_CONTEXT_PARAM = 'ctx';

export interface LaunchRoutesDeps {
  config: Config;
  db: Db;
  oidc: OidcConfigCache;
  launches: LaunchStore;
  logger: Logger;
}

const saveSession = (req: Request) => new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
const regenerate = (req: Request) => new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));

/**
 * The thin driver of the EHR launch (SMART App Launch 2.x §EHR launch): every decision is a pure step
 * in launch-steps.ts; this file only does I/O. Failures render an HTML page with a 4xx/5xx status and
 * never redirect, so a bad `iss` cannot turn SP Link into an open redirector.
 */
export function launchRoutes(deps: LaunchRoutesDeps): Router {
  const { config, db, oidc, launches } = deps;
  const log = deps.logger.child({ module: 'smart-launch' });
  const redirectUri = new URL(CALLBACK_PATH, config.server.publicUrl).href;
  const secureCookie = sessionCookieOptions(config.server).secure === true;
  const pendingCookie = new PendingLaunchCookie(config.server);
  const router = Router();

  router.get(LAUNCH_PATH, async (req, res) => {
    const tenant = tenantForIss(config, req.query.iss);
    if (secureCookie && !req.secure) {
      // The session cookie is Secure, so over plain http the browser would never send it back and the
      // callback would fail as "expired": say what is wrong instead (usually a TLS proxy without trustProxy).
      log.error({ tenantId: tenant.id }, 'launch over plain http but the session cookie needs https; check server.publicUrl and server.trustProxy');
      throw new SpLinkError('ERR_CONFIG_INVALID', { message: 'SP Link is not set up correctly for secure sign-in. Tell IT support.' });
    }
    const iss = normaliseBaseUrl(String(req.query.iss));
    const launch = checkLaunchParam(req.query.launch);
    const oidcConfig = await oidc.get(tenant, iss);
    const state = client.randomState();
    const codeVerifier = client.randomPKCECodeVerifier();
    const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
    const now = Date.now();
    // No session yet: nothing is stored for a launch until the EHR signs the GP in (pending-cookie.ts).
    pendingCookie.add(req, res, { tenantId: tenant.id, iss, launch, state, codeVerifier, createdAt: now }, now);
    const url = client.buildAuthorizationUrl(oidcConfig, authorizationParams({ tenant, iss, launch, state, codeChallenge, redirectUri }));
    log.info({ tenantId: tenant.id }, 'smart launch started');
    res.redirect(302, url.href);
  });

  router.get(CALLBACK_PATH, async (req, res) => {
    const now = Date.now();
    const pendingList = pendingCookie.read(req);
    const pending = matchCallback(req.query as Record<string, unknown>, pendingList, now);
    // One use per state: dropped from the cookie of this very answer, whatever the token request does.
    pendingCookie.write(res, pendingList.filter((p) => p.state !== pending.state));
    const tenant = config.tenants.find((t) => t.id === pending.tenantId);
    if (!tenant) throw new SpLinkError('ERR_SESSION_EXPIRED', { message: 'The practice for this launch is no longer configured.' });
    const oidcConfig = await oidc.get(tenant, pending.iss);
    const currentUrl = new URL(req.originalUrl, config.server.publicUrl);
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(oidcConfig, currentUrl, { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state });
    } catch (err) {
      throw tokenError(err);
    }
    const session = launchSessionFrom(pending, tokens as unknown as TokenResult, tokens.claims()?.fhirUser, now, {
      ...(tenant.smart.fallbackRequester ? { fallbackRequester: tenant.smart.fallbackRequester } : {}),
    });
    if (session.fhirUserIsFallback) log.warn({ tenantId: tenant.id }, 'launch without fhirUser: using the configured fallback requester');
    const handle = await launches.create({ ...session, csrfToken: randomBytes(32).toString('base64url') });
    // The browser's other EHR windows (other patients) keep their launches; launches still pending stay in their cookie.
    const { open, closed } = addOpenLaunch(req.session.smartLaunches, handle);
    await launches.remove(closed);
    // Session fixation defence: a fresh session id once the GP is signed in (OWASP Session Management).
    await regenerate(req);
    req.session.smartLaunches = open;
    await saveSession(req);
    await recordAudit(db, { actor: session.fhirUser ?? 'unknown', action: 'smart-launch', tenantId: tenant.id, resourceRef: `Patient/${session.patient}` });
    log.info({ tenantId: tenant.id }, 'smart launch completed');
    // The handle names this window's launch in every API call (header x-sp-link-context).
    res.redirect(303, `${APP_PATH}?${APP_CONTEXT_PARAM}=${handle}`);
  });

  router.use([LAUNCH_PATH, CALLBACK_PATH], (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = isSpLinkError(err) ? err : new SpLinkError('ERR_INTERNAL', { message: 'The launch could not be completed.', cause: err });
    if (!isSpLinkError(err)) log.error({ err }, 'smart launch failed');
    else {
      // The authorization server's own words (error, error_description) are what IT support needs to fix it.
      const d = e.details ?? {};
      log.warn({ code: e.code, ...(d.oauthError ? { error: d.oauthError } : {}), ...(d.oauthErrorDescription ? { error_description: d.oauthErrorDescription } : {}), ...(d.check ? { check: d.check } : {}) }, 'smart launch refused');
    }
    res.status(e.httpStatus).type('html').set('cache-control', 'no-store').send(renderErrorPage(e.code));
  });
  return router;
}

/**
 * Token endpoint failures, by cause (launch-steps.ts `launchErrorFor`): a used or expired code is the GP's
 * "start again"; a refused client, redirect URI or scope is for IT; a response that fails SP Link's checks
 * (id_token, state, iss) is a refusal by the authorization server as far as the GP is concerned; no answer is "unreachable".
 */
function tokenError(err: unknown): SpLinkError {
  if (err instanceof client.ResponseBodyError) return launchErrorFor({ error: err.error, ...(err.error_description ? { error_description: err.error_description } : {}) }, 'token');
  if (err instanceof client.WWWAuthenticateChallengeError) {
    const p = err.cause[0]?.parameters ?? {};
    return launchErrorFor({ error: p.error ?? (err.status === 401 ? 'invalid_client' : 'server_error'), ...(p.error_description ? { error_description: p.error_description } : {}) }, 'token');
  }
  if (err instanceof client.ClientError) {
    return new SpLinkError('ERR_SMART_AUTHORIZATION_SERVER', { message: 'The sign-in response failed SP Link’s checks.', details: { check: `${err.code ?? 'check'}: ${err.message.slice(0, 300)}` } });
  }
  return new SpLinkError('ERR_FHIR_UNREACHABLE', { message: 'The clinical system could not be reached.' });
}
