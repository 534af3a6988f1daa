import { expect } from 'chai';
import { Browser, formFields, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';

/** The IdP's "Sign out" question: its form action and anti-forgery token. */
function logoutForm(html: string): { action: string; xsrf: string } {
  const action = /<form method="post" action="([^"]+)" data-testid="logout-form">/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new Error('no IdP sign-out form on the page');
  return { action, xsrf };
}

const idpSessions = async (h: WorkspaceHarness) =>
  (await h.db.query<{ n: number }>("SELECT count(*)::int AS n FROM oidc_records WHERE namespace = 'sandbox-idp' AND model = 'Session'")).rows[0]!.n;

describe('workspace: sign-out ends the identity provider session too (RP-initiated logout, HTTP)', () => {
  let h: WorkspaceHarness;

  before(async () => {
    h = await startWorkspaceHarness();
  });
  after(async () => {
    await h?.stop();
  });

  it('after signing out, "Sign in again" asks who is signing in instead of restoring the previous user', async () => {
    const pc = new Browser(h.url);
    expect((await pc.signIn('sarah.whitfield')).text).to.include('data-testid="signed-in-as">Sarah Whitfield');
    // While the IdP session lives, signing in again is silent: what a shared computer must not keep after sign-out.
    expect((await pc.get('/workspace/login')).text, 'single sign-on before sign-out').to.include('data-testid="signed-in-as">Sarah Whitfield');
    expect(await idpSessions(h)).to.be.greaterThan(0);

    const csrf = formFields((await pc.get('/workspace/caseload')).text, '/workspace/logout')._csrf;
    const ask = await pc.post('/workspace/logout', { _csrf: csrf });
    const end = new URL(ask.url);
    expect(end.pathname).to.equal('/sandbox/idp/session/end');
    expect(end.searchParams.get('id_token_hint')).to.be.a('string').and.not.equal('');
    expect(end.searchParams.get('post_logout_redirect_uri')).to.equal(`${h.config.server.publicUrl}/workspace/signed-out`);
    expect(new URL((await pc.get('/workspace/caseload')).url).pathname, 'SP Link session ended first').to.equal('/workspace/sign-in');

    const { action, xsrf } = logoutForm(ask.text);
    const landed = await pc.post(new URL(action, ask.url).href, { xsrf, logout: 'yes' });
    expect(landed.url).to.equal(`${h.config.server.publicUrl}/workspace/signed-out`);
    expect(landed.text).to.include('You have signed out').and.include('data-testid="sign-in-again"');
    expect(landed.text).to.not.include('data-testid="idp-session-kept"');
    expect(await idpSessions(h), 'IdP session ended').to.equal(0);

    const again = await pc.get('/workspace/login');
    expect(new URL(again.url).pathname).to.match(/^\/sandbox\/idp\/interaction\//);
    expect(again.text).to.include('data-testid="username-form"');
    expect((await pc.signIn('nina.kaur')).text).to.include('data-testid="signed-in-as">Nina Kaur');
  });

  it('keeps the ID token on the server only: not in pages, and sealed in the session store', async () => {
    const pc = new Browser(h.url);
    const page = await pc.signIn('daniel.osei');
    expect(page.text).to.not.match(/eyJ[\w-]+\.eyJ/);
    const csrf = formFields((await pc.get('/workspace/caseload')).text, '/workspace/logout')._csrf;
    const idToken = new URL((await pc.post('/workspace/logout', { _csrf: csrf })).url).searchParams.get('id_token_hint')!;
    expect(idToken).to.match(/^eyJ/);
    const stored = await h.db.query<{ data: unknown }>('SELECT data FROM sessions');
    expect(JSON.stringify(stored.rows)).to.not.include(idToken.split('.')[1]!);
  });

  it('refuses a sign-out without the CSRF token and stays signed in', async () => {
    const pc = new Browser(h.url);
    await pc.signIn('megan.pritchard');
    const r = await pc.post('/workspace/logout', {});
    expect(r.status).to.equal(403);
    expect((await pc.get('/workspace/caseload')).text).to.include('data-testid="signed-in-as">Megan Pritchard');
  });
});
