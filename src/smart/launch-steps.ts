import type { Config, TenantConfig } from '../config/schema.js';
import { needFromAppContext } from '../cds/index.js';
import { SpLinkError } from '../errors.js';
import type { NeedCode } from '../referral-model/codes.js';
import { isFhirId, parseReferenceOf, relativeToBase, sameBase } from '../referral-model/references.js';

/**
 * The SMART EHR launch as pure steps (SMART App Launch 2.x §EHR launch). The driver (launch-routes.ts)
 * does the I/O: fetching the SMART configuration, redirects, the token request and the session.
 */

/** A launch between `/launch` and `/smart/callback`, bound to the pre-login session by its `state`. */
export interface PendingLaunch {
  tenantId: string;
  iss: string;
  launch: string;
  state: string;
  codeVerifier: string;
  createdAt: number;
}

/** What SP Link keeps, server-side only, after a successful launch. */
export interface LaunchSession {
  tenantId: string;
  iss: string;
  patient: string;
  encounter?: string;
  /** Absolute or relative reference to the launching user, e.g. `…/Practitioner/gp-1`. */
  fhirUser?: string;
  /** True when the EHR did not say who the user is and `fhirUser` is the tenant's configured fallback requester. */
  fhirUserIsFallback?: boolean;
  /** Display name of the user, read once from the EHR after launch. */
  practitionerName?: string;
  needPatientBanner: boolean;
  /** The need the referral form starts with: launched from SP Link's decision-support card. */
  referNeed?: NeedCode;
  scope: string;
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  launchedAt: number;
}

/** A pending launch older than this is refused: the authorization server's own login step is minutes, not hours. */
export const PENDING_LAUNCH_TTL_MS = 10 * 60 * 1000;
/** Concurrent launches kept per browser session (several EHR tabs); the oldest is dropped. */
export const MAX_PENDING_LAUNCHES = 5;
/** Launches (patients) one browser may hold open at once, e.g. several EHR windows; the oldest is closed. */
export const MAX_OPEN_LAUNCHES = 10;
/** Refresh the access token this long before it expires. */
export const REFRESH_SKEW_MS = 60 * 1000;

/** A user SP Link can put in `requester`: a Practitioner or PractitionerRole, relative or absolute (SP Link profile). */
const isFhirUser = (v: string) => parseReferenceOf(v, 'Practitioner', 'PractitionerRole') !== undefined;

/**
 * SMART App Launch 2.x §Launch: the app must check `iss` before trusting it. Only an `iss` on a tenant's
 * allowlist selects that tenant; anything else is refused before any redirect (no open redirector).
 */
export function tenantForIss(config: Pick<Config, 'tenants'>, iss: unknown): TenantConfig {
  if (typeof iss !== 'string' || iss.length === 0 || iss.length > 2048) {
    throw new SpLinkError('ERR_SMART_ISS_NOT_ALLOWED', { message: 'The launch did not say which clinical system it came from.' });
  }
  const tenant = config.tenants.find((t) => t.smart.issAllowlist.some((a) => sameBase(a, iss)));
  if (!tenant) throw new SpLinkError('ERR_SMART_ISS_NOT_ALLOWED', { message: 'This clinical system is not registered with SP Link.' });
  return tenant;
}

export function checkLaunchParam(launch: unknown): string {
  if (typeof launch !== 'string' || !/^[\x21-\x7e]{1,512}$/.test(launch)) {
    throw new SpLinkError('ERR_SMART_LAUNCH_FAILED', { message: 'The launch from the clinical system is missing its launch code.' });
  }
  return launch;
}

/** Parameters of the authorization request (SMART App Launch 2.x §Obtaining authorization code). */
export function authorizationParams(p: {
  tenant: TenantConfig;
  iss: string;
  launch: string;
  state: string;
  codeChallenge: string;
  redirectUri: string;
}): Record<string, string> {
  return {
    response_type: 'code',
    redirect_uri: p.redirectUri,
    scope: p.tenant.smart.scopes,
    state: p.state,
    launch: p.launch,
    // `aud` = the FHIR base the token is for; stops a token minted for one server being replayed at another.
    aud: p.iss,
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
  };
}

/** Adds a pending launch, dropping expired ones and keeping at most MAX_PENDING_LAUNCHES. */
export function addPending(list: readonly PendingLaunch[] | undefined, p: PendingLaunch, now: number): PendingLaunch[] {
  const live = (list ?? []).filter((x) => now - x.createdAt < PENDING_LAUNCH_TTL_MS);
  return [...live, p].slice(-MAX_PENDING_LAUNCHES);
}

/** An OAuth 2.0 error as the authorization server stated it (RFC 6749 §4.1.2.1, §5.2); kept for the logs. */
export interface OAuthErrorInfo {
  error: string;
  error_description?: string;
}

const clip = (s: string, n: number) => s.slice(0, n);

/**
 * What an OAuth error from the EHR's authorization server means for the GP (RFC 6749 §4.1.2.1 for the
 * authorization response, §5.2 for the token endpoint), as a launch error page: the cause, and through the
 * code's page who has to act. The server's own `error` and `error_description` travel in `details` for the log.
 */
export function launchErrorFor(e: OAuthErrorInfo, at: 'authorization' | 'token'): SpLinkError {
  const info = { oauthError: clip(e.error, 64), ...(e.error_description ? { oauthErrorDescription: clip(e.error_description, 500) } : {}) };
  const description = (e.error_description ?? '').toLowerCase();
  // Servers report a redirect URI they do not know as invalid_request or invalid_grant, naming it in the description.
  if (/redirect[_ ]?ur[il]/.test(description)) return new SpLinkError('ERR_SMART_REDIRECT_URI', { details: info });
  switch (e.error) {
    case 'access_denied':
      return new SpLinkError('ERR_SMART_ACCESS_DENIED', { message: 'Access to the record was not granted.', details: info });
    case 'invalid_client':
    case 'unauthorized_client':
      return new SpLinkError('ERR_SMART_INVALID_CLIENT', { details: info });
    case 'invalid_scope':
      return new SpLinkError('ERR_SMART_INVALID_SCOPE', { details: info });
    case 'invalid_grant':
      // A used or expired code: the GP's "start again" (RFC 6749 §5.2).
      return at === 'token'
        ? new SpLinkError('ERR_SESSION_EXPIRED', { message: 'The sign-in code was already used or has expired.', details: info })
        : new SpLinkError('ERR_SMART_AUTHORIZATION_SERVER', { details: info });
    default:
      return at === 'token'
        ? new SpLinkError('ERR_SMART_AUTHORIZATION_SERVER', { message: `The clinical system refused the sign-in (${info.oauthError}).`, details: info })
        : new SpLinkError('ERR_SMART_LAUNCH_FAILED', { message: `The clinical system refused the launch (${info.oauthError}).`, details: info });
  }
}

/**
 * Matches the callback to a pending launch by `state` (RFC 6749 §10.12, CSRF on the redirect URI).
 * An `error` from the authorization server wins; then state; then the launch's age.
 */
export function matchCallback(
  query: Record<string, unknown>,
  pending: readonly PendingLaunch[] | undefined,
  now: number,
): PendingLaunch {
  const error = typeof query.error === 'string' ? query.error : undefined;
  if (error) {
    const description = typeof query.error_description === 'string' ? query.error_description : undefined;
    throw launchErrorFor({ error, ...(description ? { error_description: description } : {}) }, 'authorization');
  }
  const state = typeof query.state === 'string' ? query.state : undefined;
  if (!pending || pending.length === 0) {
    throw new SpLinkError('ERR_SESSION_EXPIRED', { message: 'This sign-in link has already been used or has expired.' });
  }
  const match = state ? pending.find((p) => p.state === state) : undefined;
  if (!match) throw new SpLinkError('ERR_SMART_STATE_MISMATCH', { message: 'The sign-in response does not belong to this launch.' });
  if (now - match.createdAt >= PENDING_LAUNCH_TTL_MS) throw new SpLinkError('ERR_SESSION_EXPIRED', { message: 'The launch took too long and has expired.' });
  if (typeof query.code !== 'string' || !query.code) throw new SpLinkError('ERR_SMART_LAUNCH_FAILED', { message: 'The sign-in response has no authorization code.' });
  return match;
}

/** The parts of a token response SP Link uses (SMART App Launch 2.x §Response with access token). */
export interface TokenResult {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  patient?: unknown;
  encounter?: unknown;
  need_patient_banner?: unknown;
  fhirUser?: unknown;
  /** Launched from a CDS Hooks card: the card link's context (SP Link's cards say which need to refer for). */
  appContext?: unknown;
}

/**
 * The launch as SP Link keeps it. SMART App Launch 2.x §Scopes for requesting identity data: `fhirUser` comes
 * in the id_token (or, from some servers, the token response). Without it a referral could only name a
 * made-up requester, so the launch either takes the tenant's configured `fallbackRequester` (marked as such)
 * or is refused with ERR_SMART_NO_USER; it never proceeds with a dangling reference.
 */
export function launchSessionFrom(
  pending: PendingLaunch,
  tokens: TokenResult,
  idTokenFhirUser: unknown,
  now: number,
  opts: { fallbackRequester?: string } = {},
): LaunchSession {
  if (!isFhirId(tokens.patient)) {
    throw new SpLinkError('ERR_SMART_LAUNCH_FAILED', { message: 'The clinical system did not say which patient the launch is for.' });
  }
  const stated = typeof idTokenFhirUser === 'string' ? idTokenFhirUser : typeof tokens.fhirUser === 'string' ? tokens.fhirUser : undefined;
  const valid = stated && isFhirUser(stated) ? stated : undefined;
  if (!valid && !opts.fallbackRequester) throw new SpLinkError('ERR_SMART_NO_USER', stated ? { details: { fhirUser: 'not a Practitioner or PractitionerRole reference' } } : {});
  const fhirUser = valid ?? opts.fallbackRequester!;
  return {
    tenantId: pending.tenantId,
    iss: pending.iss,
    patient: tokens.patient,
    ...(typeof tokens.encounter === 'string' ? { encounter: tokens.encounter } : {}),
    fhirUser,
    ...(valid ? {} : { fhirUserIsFallback: true }),
    // Spec default when absent is "the app decides"; showing the banner is the safe choice.
    needPatientBanner: tokens.need_patient_banner !== false,
    ...referNeedOf(tokens.appContext),
    scope: tokens.scope ?? '',
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    expiresAt: now + (typeof tokens.expires_in === 'number' && tokens.expires_in > 0 ? tokens.expires_in : 300) * 1000,
    launchedAt: now,
  };
}

/** The session's open launch handles after adding one (newest last), and those that fell off the end. */
export function addOpenLaunch(list: readonly string[] | undefined, handle: string): { open: string[]; closed: string[] } {
  const all = [...(list ?? []).filter((h) => h !== handle), handle];
  const cut = Math.max(0, all.length - MAX_OPEN_LAUNCHES);
  return { open: all.slice(cut), closed: all.slice(0, cut) };
}

export function needsRefresh(s: Pick<LaunchSession, 'expiresAt'>, now: number): boolean {
  return now >= s.expiresAt - REFRESH_SKEW_MS;
}

/** `https://ehr/fhir/Practitioner/gp-1` → `Practitioner/gp-1` when on the launch's FHIR base; else unchanged. */
export function relativeToIss(ref: string, iss: string): string {
  return relativeToBase(ref, iss);
}

function referNeedOf(appContext: unknown): { referNeed?: NeedCode } {
  const need = needFromAppContext(typeof appContext === 'string' ? appContext : undefined);
  return need ? { referNeed: need } : {};
}
