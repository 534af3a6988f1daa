import { expect } from 'chai';
import type { Config } from '../../../src/config/schema.js';
import { SpLinkError } from '../../../src/errors.js';
import {
  addOpenLaunch,
  addPending,
  authorizationParams,
  checkLaunchParam,
  launchErrorFor,
  launchSessionFrom,
  matchCallback,
  MAX_OPEN_LAUNCHES,
  MAX_PENDING_LAUNCHES,
  needsRefresh,
  PENDING_LAUNCH_TTL_MS,
  relativeToIss,
  tenantForIss,
  type PendingLaunch,
} from '../../../src/smart/launch-steps.js';
import { sessionCookieOptions } from '../../../src/smart/session.js';
import { renderErrorPage } from '../../../src/smart/error-pages.js';

const tenant = {
  id: 'riverside',
  name: 'Riverside',
  ehr: { fhirBase: 'https://ehr.example/fhir', auth: { type: 'none' as const } },
  smart: { clientId: 'sp-link', clientSecret: 's', issAllowlist: ['https://ehr.example/fhir'], scopes: 'launch openid fhirUser patient/Patient.r' },
  frameAncestors: [],
  linkWorkerEndpoint: 'lw',
};
const config = { tenants: [tenant] } as unknown as Pick<Config, 'tenants'>;

const pending = (over: Partial<PendingLaunch> = {}): PendingLaunch => ({
  tenantId: 'riverside',
  iss: 'https://ehr.example/fhir',
  launch: 'L1',
  state: 'S1',
  codeVerifier: 'V1',
  createdAt: 1_000_000,
  ...over,
});

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpLinkError) return `${e.code} ${e.httpStatus}`;
    throw e;
  }
  return 'no error';
};

describe('SMART launch steps', () => {
  it('selects the tenant only for an allowlisted iss (trailing slash tolerated)', () => {
    expect(tenantForIss(config, 'https://ehr.example/fhir').id).to.equal('riverside');
    expect(tenantForIss(config, 'https://ehr.example/fhir/').id).to.equal('riverside');
    expect(code(() => tenantForIss(config, 'https://ehr.example/fhir/other'))).to.equal('ERR_SMART_ISS_NOT_ALLOWED 400');
    expect(code(() => tenantForIss(config, 'https://evil.example/fhir'))).to.equal('ERR_SMART_ISS_NOT_ALLOWED 400');
    expect(code(() => tenantForIss(config, undefined))).to.equal('ERR_SMART_ISS_NOT_ALLOWED 400');
    expect(code(() => tenantForIss(config, ['https://ehr.example/fhir']))).to.equal('ERR_SMART_ISS_NOT_ALLOWED 400');
  });

  it('requires a launch parameter', () => {
    expect(checkLaunchParam('abc')).to.equal('abc');
    expect(code(() => checkLaunchParam(undefined))).to.equal('ERR_SMART_LAUNCH_FAILED 400');
    expect(code(() => checkLaunchParam('has space'))).to.equal('ERR_SMART_LAUNCH_FAILED 400');
  });

  it('asks for PKCE S256, aud = iss, the launch, state and the configured scopes', () => {
    const p = authorizationParams({ tenant, iss: 'https://ehr.example/fhir', launch: 'L', state: 'S', codeChallenge: 'C', redirectUri: 'https://sp/smart/callback' });
    expect(p).to.deep.equal({
      response_type: 'code',
      redirect_uri: 'https://sp/smart/callback',
      scope: tenant.smart.scopes,
      state: 'S',
      launch: 'L',
      aud: 'https://ehr.example/fhir',
      code_challenge: 'C',
      code_challenge_method: 'S256',
    });
  });

  it('keeps a bounded list of live pending launches', () => {
    let list: PendingLaunch[] = [pending({ state: 'old', createdAt: 0 })];
    for (let i = 0; i < MAX_PENDING_LAUNCHES + 2; i++) list = addPending(list, pending({ state: `s${i}`, createdAt: PENDING_LAUNCH_TTL_MS + i }), PENDING_LAUNCH_TTL_MS + i);
    expect(list).to.have.length(MAX_PENDING_LAUNCHES);
    expect(list.map((p) => p.state)).to.not.include('old');
  });

  it('matches the callback by state, and classifies every failure (an expired or used launch is 401, as everywhere)', () => {
    const list = [pending()];
    expect(matchCallback({ state: 'S1', code: 'c' }, list, 1_000_001).launch).to.equal('L1');
    expect(code(() => matchCallback({ state: 'S2', code: 'c' }, list, 1_000_001))).to.equal('ERR_SMART_STATE_MISMATCH 400');
    expect(code(() => matchCallback({ code: 'c' }, list, 1_000_001))).to.equal('ERR_SMART_STATE_MISMATCH 400');
    expect(code(() => matchCallback({ state: 'S1', code: 'c' }, [], 1_000_001))).to.equal('ERR_SESSION_EXPIRED 401');
    expect(code(() => matchCallback({ state: 'S1', code: 'c' }, list, 1_000_000 + PENDING_LAUNCH_TTL_MS))).to.equal('ERR_SESSION_EXPIRED 401');
    expect(code(() => matchCallback({ state: 'S1' }, list, 1_000_001))).to.equal('ERR_SMART_LAUNCH_FAILED 400');
    expect(code(() => matchCallback({ error: 'access_denied', state: 'S1' }, list, 1_000_001))).to.equal('ERR_SMART_ACCESS_DENIED 403');
    expect(code(() => matchCallback({ error: 'server_error', state: 'S1' }, list, 1_000_001))).to.equal('ERR_SMART_LAUNCH_FAILED 400');
  });

  it('builds the server-side session from the token response and needs a patient', () => {
    const s = launchSessionFrom(pending(), { access_token: 'A', refresh_token: 'R', expires_in: 600, scope: 'x', patient: 'pat-1', need_patient_banner: false }, 'https://ehr.example/fhir/Practitioner/gp-1', 5000);
    expect(s).to.include({ patient: 'pat-1', accessToken: 'A', refreshToken: 'R', expiresAt: 605_000, needPatientBanner: false, fhirUser: 'https://ehr.example/fhir/Practitioner/gp-1' });
    expect(launchSessionFrom(pending(), { access_token: 'A', patient: 'p' }, 'Practitioner/gp-1', 0).needPatientBanner, 'banner by default').to.equal(true);
    expect(code(() => launchSessionFrom(pending(), { access_token: 'A' }, 'Practitioner/gp-1', 0))).to.equal('ERR_SMART_LAUNCH_FAILED 400');
    expect(code(() => launchSessionFrom(pending(), { access_token: 'A', patient: '../x' }, 'Practitioner/gp-1', 0))).to.equal('ERR_SMART_LAUNCH_FAILED 400');
  });

  it('never makes up a requester: no fhirUser is refused unless a fallback requester is configured', () => {
    // Before: a launch without fhirUser was accepted and referrals named `Practitioner/unknown`.
    expect(code(() => launchSessionFrom(pending(), { access_token: 'A', patient: 'p' }, undefined, 0))).to.equal('ERR_SMART_NO_USER 403');
    expect(code(() => launchSessionFrom(pending(), { access_token: 'A', patient: 'p', fhirUser: 'Patient/p' }, undefined, 0)), 'a patient is not a referrer').to.equal('ERR_SMART_NO_USER 403');
    const fromTokenResponse = launchSessionFrom(pending(), { access_token: 'A', patient: 'p', fhirUser: 'PractitionerRole/r1' }, undefined, 0);
    expect(fromTokenResponse).to.include({ fhirUser: 'PractitionerRole/r1' });
    expect(fromTokenResponse.fhirUserIsFallback).to.equal(undefined);
    const fallback = launchSessionFrom(pending(), { access_token: 'A', patient: 'p' }, undefined, 0, { fallbackRequester: 'PractitionerRole/duty' });
    expect(fallback).to.include({ fhirUser: 'PractitionerRole/duty', fhirUserIsFallback: true });
  });

  it('names the cause of every OAuth error and keeps the server’s words for the log', () => {
    const at = (error: string, d?: string, where: 'authorization' | 'token' = 'token') => {
      const e = launchErrorFor({ error, ...(d ? { error_description: d } : {}) }, where);
      return `${e.code} ${e.httpStatus}`;
    };
    expect(at('invalid_client', 'client authentication failed')).to.equal('ERR_SMART_INVALID_CLIENT 502');
    expect(at('unauthorized_client', undefined, 'authorization')).to.equal('ERR_SMART_INVALID_CLIENT 502');
    expect(at('invalid_request', 'redirect_uri did not match any of the client\'s registered redirect_uris')).to.equal('ERR_SMART_REDIRECT_URI 502');
    expect(at('invalid_grant', 'Invalid redirect uri')).to.equal('ERR_SMART_REDIRECT_URI 502');
    expect(at('invalid_scope', undefined, 'authorization')).to.equal('ERR_SMART_INVALID_SCOPE 502');
    expect(at('access_denied', undefined, 'authorization')).to.equal('ERR_SMART_ACCESS_DENIED 403');
    expect(at('invalid_grant', 'code expired')).to.equal('ERR_SESSION_EXPIRED 401');
    expect(at('server_error')).to.equal('ERR_SMART_AUTHORIZATION_SERVER 502');
    const e = launchErrorFor({ error: 'invalid_client', error_description: 'x'.repeat(900) }, 'token');
    expect(e.details).to.include({ oauthError: 'invalid_client' });
    expect(String(e.details?.oauthErrorDescription)).to.have.length(500);
    expect(code(() => matchCallback({ error: 'invalid_scope', error_description: 'patient/Flag.r not allowed', state: 'S1' }, [pending()], 1_000_001))).to.equal('ERR_SMART_INVALID_SCOPE 502');
  });

  it('refreshes a minute before expiry', () => {
    expect(needsRefresh({ expiresAt: 120_000 }, 0)).to.equal(false);
    expect(needsRefresh({ expiresAt: 120_000 }, 60_000)).to.equal(true);
  });

  it('turns the fhirUser URL on the launch base into a relative reference', () => {
    expect(relativeToIss('https://ehr.example/fhir/Practitioner/gp-1', 'https://ehr.example/fhir/')).to.equal('Practitioner/gp-1');
    expect(relativeToIss('https://other/fhir/Practitioner/gp-1', 'https://ehr.example/fhir')).to.equal('https://other/fhir/Practitioner/gp-1');
  });

  it('sets cookie attributes per cookie mode (CHIPS when embedded cross-site)', () => {
    const base = { port: 0, host: 'x', sessionSecret: 'x'.repeat(32), trustProxy: false, sessionIdleMinutes: 30 } as const;
    expect(sessionCookieOptions({ ...base, publicUrl: 'https://sp.example', cookieMode: 'embedded-cross-site' })).to.include({ httpOnly: true, secure: true, sameSite: 'none', partitioned: true, maxAge: 1_800_000 });
    expect(sessionCookieOptions({ ...base, publicUrl: 'http://localhost:3000', cookieMode: 'same-site' })).to.include({ httpOnly: true, secure: false, sameSite: 'lax' });
    expect(sessionCookieOptions({ ...base, publicUrl: 'https://sp.example', cookieMode: 'same-site' }).secure).to.equal(true);
  });

  it('renders error pages that say what to do, escaping any detail', () => {
    const html = renderErrorPage('ERR_SMART_ISS_NOT_ALLOWED', '<script>x</script>');
    expect(html).to.contain('not set up for SP Link').and.contain('&lt;script&gt;').and.not.contain('<script>x');
    for (const c of ['ERR_SMART_ACCESS_DENIED', 'ERR_SMART_STATE_MISMATCH', 'ERR_SESSION_EXPIRED', 'ERR_FHIR_UNREACHABLE'] as const) {
      expect(renderErrorPage(c)).to.match(/Open SP Link again|Try again|Close this window/);
    }
    // Each cause has its own page saying who must act: the GP, or the practice's IT.
    const it = ['ERR_SMART_INVALID_CLIENT', 'ERR_SMART_REDIRECT_URI', 'ERR_SMART_INVALID_SCOPE', 'ERR_SMART_AUTHORIZATION_SERVER', 'ERR_SMART_NO_USER', 'ERR_SMART_ISS_NOT_ALLOWED'] as const;
    const titles = new Set<string>();
    for (const c of it) {
      const html = renderErrorPage(c);
      expect(html, c).to.contain('data-who="it"').and.contain('IT support');
      titles.add(/<h1[^>]*>([^<]+)</.exec(html)![1]!);
    }
    expect(titles.size, 'one page per cause').to.equal(it.length);
    expect(renderErrorPage('ERR_SMART_ACCESS_DENIED')).to.contain('data-who="gp"');
  });

  it('keeps a browser’s open launches newest last, closing the oldest beyond the limit', () => {
    expect(addOpenLaunch(undefined, 'a')).to.deep.equal({ open: ['a'], closed: [] });
    expect(addOpenLaunch(['a', 'b'], 'a'), 'a relaunch moves to the end').to.deep.equal({ open: ['b', 'a'], closed: [] });
    const full = Array.from({ length: MAX_OPEN_LAUNCHES }, (_, i) => `h${i}`);
    const { open, closed } = addOpenLaunch(full, 'new');
    expect(open).to.have.length(MAX_OPEN_LAUNCHES);
    expect(open.at(-1)).to.equal('new');
    expect(closed).to.deep.equal(['h0']);
  });
});
