import { expect } from 'chai';
import { appContextOf, CookieJar, follow, launch, launchUrl, request } from '../../helpers/gp-launch.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { launchRows } from '../../helpers/launches.js';
import { MAX_OPEN_LAUNCHES } from '../../../src/smart/launch-steps.js';

const GP = 'gp-1';
const PATIENT = 'pat-01';

/** Follows the launch up to (not into) SP Link's callback, returning the callback URL and the pre-login jar. */
async function toCallback(sys: TestSystem, jar = new CookieJar()): Promise<{ jar: CookieJar; callback: URL }> {
  const { url } = await follow(jar, await launchUrl(sys, { patient: PATIENT, practitioner: GP }), (u) => u.pathname === '/smart/callback');
  const callback = new URL(url);
  expect(callback.pathname).to.equal('/smart/callback');
  return { jar, callback };
}

describe('GP app: SMART EHR launch (integration)', function () {
  this.timeout(180_000);
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem();
  });
  after(async () => {
    await sys?.stop();
  });

  it('launches from the sandbox EHR and gives the app the launch patient, with a rotated HttpOnly session cookie', async () => {
    const jar = new CookieJar();
    const first = await request(jar, await launchUrl(sys, { patient: PATIENT, practitioner: GP }));
    expect(first.status).to.equal(302);
    const auth = new URL(first.headers.get('location')!);
    expect(auth.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(auth.searchParams.get('code_challenge')).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('aud')).to.equal(sys.config.tenants[0]!.ehr.fhirBase);
    expect(auth.searchParams.get('state')).to.have.length.greaterThan(20);
    expect(auth.searchParams.get('scope')).to.equal(sys.config.tenants[0]!.smart.scopes);
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith('sp_link_gp_launch='));
    expect(cookie, 'pre-login state cookie').to.match(/HttpOnly/i).and.match(/SameSite=Lax/i).and.match(/Path=\/smart/);
    expect(first.headers.getSetCookie().some((c) => c.startsWith('sp_link_gp=')), 'no session before sign-in').to.equal(false);

    const { url } = await follow(jar, auth.href);
    expect(new URL(url).pathname).to.equal('/app/');
    jar.launchContext = appContextOf(url);
    expect(jar.launchContext, 'the app page names its launch').to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(jar.cookies.get('sp_link_gp'), 'session created at sign-in').to.be.a('string');

    const ctx = await request(jar, `${sys.url}/app/api/context`);
    expect(ctx.status).to.equal(200);
    const body = (await ctx.json()) as { patient: { id: string; nhsNumber: string }; needPatientBanner: boolean; csrfToken: string };
    expect(body.patient.id).to.equal(PATIENT);
    expect(body.patient.nhsNumber).to.match(/^999\d{7}$/);
    expect(body.needPatientBanner).to.equal(true);
    expect(body.csrfToken).to.have.length.greaterThan(20);
    expect(JSON.stringify(body)).to.not.match(/access_token|refresh_token|eyJ[A-Za-z0-9_-]{10,}\./);
  });

  it('embedded launch says the EHR already shows the patient banner', async () => {
    const { context } = await launch(sys, { patient: PATIENT, practitioner: GP, needPatientBanner: false });
    expect(context.needPatientBanner).to.equal(false);
  });

  it('keeps two EHR windows for two patients apart in one browser: own patient, own CSRF token, no use elsewhere', async () => {
    const OTHER = 'pat-02';
    const a = await launch(sys, { patient: PATIENT, practitioner: GP });
    const ctxA = a.jar.launchContext!;
    const b = await launch(sys, { patient: OTHER, practitioner: GP }, a.jar);
    const ctxB = b.jar.launchContext!;
    expect(ctxB).to.not.equal(ctxA);
    const jar = b.jar;
    const as = (ctx: string, path: string, init: RequestInit = {}) =>
      request(jar, `${sys.url}/app/api${path}`, { ...init, headers: { 'x-sp-link-context': ctx, ...(init.headers as Record<string, string>) } });
    const context = async (ctx: string) => ((await (await as(ctx, '/context')).json()) as { patient: { id: string }; csrfToken: string });
    expect((await context(ctxA)).patient.id, 'the first window still shows its patient').to.equal(PATIENT);
    expect((await context(ctxB)).patient.id).to.equal(OTHER);
    expect((await as(ctxA, `/referrals?patient=${PATIENT}`)).status).to.equal(200);
    const crossed = await as(ctxB, `/referrals?patient=${PATIENT}`);
    expect(crossed.status).to.equal(403);
    expect(((await crossed.json()) as { error: { code: string } }).error.code).to.equal('ERR_PATIENT_MISMATCH');

    // Each window has its own CSRF token: the other window's is refused before anything is read or written.
    const post = (ctx: string, csrf: string) =>
      as(ctx, '/referrals', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ patientId: PATIENT, needs: [] }) });
    const [csrfA, csrfB] = [(await context(ctxA)).csrfToken, (await context(ctxB)).csrfToken];
    expect(csrfA).to.not.equal(csrfB);
    expect((await post(ctxA, csrfB)).status).to.equal(403);
    expect((await post(ctxA, csrfA)).status, 'past the CSRF check, refused for the empty form').to.equal(422);

    // A handle means nothing without the browser session that opened it, or without a handle at all.
    const stranger = new CookieJar();
    stranger.launchContext = ctxA;
    expect((await request(stranger, `${sys.url}/app/api/context`)).status).to.equal(401);
    expect((await request(jar, `${sys.url}/app/api/context`, { headers: { 'x-sp-link-context': '' } })).status).to.equal(401);
  });

  it('closes the oldest window of a browser once it holds too many launches', async () => {
    const jar = new CookieJar();
    const first = (await launch(sys, { patient: PATIENT, practitioner: GP }, jar)).jar.launchContext!;
    for (let i = 0; i < MAX_OPEN_LAUNCHES; i++) await launch(sys, { patient: PATIENT, practitioner: GP }, jar);
    expect((await request(jar, `${sys.url}/app/api/context`)).status, 'the newest window').to.equal(200);
    const oldest = await request(jar, `${sys.url}/app/api/context`, { headers: { 'x-sp-link-context': first } });
    expect(oldest.status).to.equal(401);
    expect(await launchRows(sys.db, sys.config.server.sessionSecret).read(first), 'its tokens are deleted').to.equal(undefined);
  });

  it('refuses an iss that is not on the allowlist with a 4xx page and no redirect', async () => {
    for (const iss of ['https://evil.example/fhir', `${sys.url}/sandbox/lw/fhir`, '']) {
      const res = await fetch(`${sys.url}/launch?${new URLSearchParams({ iss, launch: 'abc' })}`, { redirect: 'manual' });
      expect(res.status, iss).to.equal(400);
      expect(res.headers.get('location'), iss).to.equal(null);
      expect(res.headers.get('content-type')).to.match(/text\/html/);
      const html = await res.text();
      expect(html).to.contain('ERR_SMART_ISS_NOT_ALLOWED');
      expect(html).to.contain('Ask your practice manager');
    }
  });

  it('refuses a callback whose state does not match the launch (state mismatch)', async () => {
    const { jar, callback } = await toCallback(sys);
    callback.searchParams.set('state', 'forged-state-value');
    const res = await request(jar, callback.href);
    expect(res.status).to.equal(400);
    expect(res.headers.get('location')).to.equal(null);
    expect(await res.text()).to.contain('ERR_SMART_STATE_MISMATCH');
    expect((await request(jar, `${sys.url}/app/api/context`)).status, 'no session was created').to.equal(401);
  });

  it('refuses a callback from another browser session (state bound to the session) with 401 ERR_SESSION_EXPIRED, as the API does', async () => {
    const { callback } = await toCallback(sys);
    const res = await request(new CookieJar(), callback.href);
    expect(res.status).to.equal(401);
    expect(await res.text()).to.contain('ERR_SESSION_EXPIRED');
  });

  it('refuses authorization code replay, with the pre-login cookie or without', async () => {
    const { jar, callback } = await toCallback(sys);
    const stolen = jar.clone();
    const ok = await request(jar, callback.href);
    expect(ok.status).to.equal(303);
    for (const j of [stolen, new CookieJar()]) {
      const replay = await request(j, callback.href);
      expect(replay.status).to.equal(401);
      expect(replay.headers.get('location')).to.equal(null);
      expect((await request(j, `${sys.url}/app/api/context`)).status).to.equal(401);
    }
    // Straight to the token endpoint: the code was used, so the authorization server refuses it too.
    const smart = (await (await fetch(`${sys.config.tenants[0]!.ehr.fhirBase}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
    const { clientId, clientSecret } = sys.config.tenants[0]!.smart;
    const res = await fetch(smart.token_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: `${sys.config.server.publicUrl}/smart/callback`, code_verifier: 'x'.repeat(43) }),
    });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: string }).error).to.equal('invalid_grant');
  });

  it('the sandbox authorization server refuses an authorization request without PKCE', async () => {
    const first = await fetch(await launchUrl(sys, { patient: PATIENT, practitioner: GP }), { redirect: 'manual' });
    const auth = new URL(first.headers.get('location')!);
    auth.searchParams.delete('code_challenge');
    auth.searchParams.delete('code_challenge_method');
    const { res, url } = await follow(new CookieJar(), auth.href, (u) => u.pathname === '/smart/callback');
    const u = new URL(url);
    if (u.pathname === '/smart/callback') expect(u.searchParams.get('error')).to.equal('invalid_request');
    else expect(res.status).to.be.within(400, 499);
    expect(u.searchParams.get('code')).to.equal(null);
  });

  it('shows an access-denied page when the EHR denies the launch', async () => {
    const { jar, callback } = await toCallback(sys);
    const denied = new URL(callback.href);
    denied.search = new URLSearchParams({ error: 'access_denied', state: callback.searchParams.get('state')! }).toString();
    const res = await request(jar, denied.href);
    expect(res.status).to.equal(403);
    expect(await res.text()).to.contain('ERR_SMART_ACCESS_DENIED');
  });

  it('answers 401 ERR_SESSION_EXPIRED to API calls without a session', async () => {
    const res = await fetch(`${sys.url}/app/api/context`);
    expect(res.status).to.equal(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('ERR_SESSION_EXPIRED');
  });

  it('the sandbox EHR refuses an anonymous FHIR read (401)', async () => {
    const res = await fetch(`${sys.config.tenants[0]!.ehr.fhirBase}/Patient/${PATIENT}`);
    expect(res.status).to.equal(401);
  });

  it('keeps tokens on the server: no response of the launch or API carries them', async () => {
    const jar = new CookieJar();
    const seen: string[] = [];
    const { hops, url } = await follow(jar, await launchUrl(sys, { patient: PATIENT, practitioner: GP }));
    jar.launchContext = appContextOf(url);
    for (const path of ['/app/api/context', `/app/api/referrals?patient=${PATIENT}`, '/app/api/directory?need=loneliness', '/app/']) {
      const res = await request(jar, `${sys.url}${path}`);
      seen.push(await res.text(), JSON.stringify([...res.headers]));
    }
    expect(hops.some((h) => h.includes('/smart/callback'))).to.equal(true);
    for (const text of seen) expect(text).to.not.match(/access_token|refresh_token|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    const rows = await launchRows(sys.db, sys.config.server.sessionSecret).all();
    const tokens = rows.flatMap((r) => [r.data.accessToken, r.data.refreshToken]).filter((t): t is string => Boolean(t));
    expect(tokens.length).to.be.greaterThan(0);
    for (const t of tokens) for (const text of seen) expect(text.includes(t)).to.equal(false);
    // At rest the tokens are sealed too: a database dump does not contain them.
    const dump = JSON.stringify([(await sys.db.query('SELECT data FROM sessions')).rows, (await sys.db.query('SELECT data FROM gp_launches')).rows]);
    for (const t of tokens) expect(dump.includes(t)).to.equal(false);
  });
});
