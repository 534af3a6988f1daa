import { expect } from 'chai';
import * as client from 'openid-client';
import { bootAuthApp, type AuthTestApp } from '../auth/boot.js';
import { FormBrowser } from '../auth/browser-flow.js';
import { OTHER_ORG_ODS } from '../../../../src/sandbox/idp/index.js';
import { ODS } from '../../../../src/sandbox/demo/index.js';

describe('sandbox staff identity provider /sandbox/idp (integration)', () => {
  let app: AuthTestApp;
  let oidc: client.Configuration;
  let redirectUri: string;

  before(async () => {
    app = await bootAuthApp(undefined, { idp: true });
    const ws = app.config.workspace!;
    oidc = await client.discovery(new URL(ws.oidc.issuer), ws.oidc.clientId, undefined, client.ClientSecretBasic(ws.oidc.clientSecret), {
      execute: [client.allowInsecureRequests],
    });
    redirectUri = `${app.config.server.publicUrl}/workspace/callback`;
  });
  after(async () => app?.stop());

  async function startLogin(extra: Record<string, string> = {}, browser = new FormBrowser(redirectUri)) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(oidc, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...extra,
    });
    const page = await browser.go(url);
    return { browser, page, verifier, state };
  }

  async function signInAs(username: string, inBrowser?: FormBrowser) {
    const { browser, page, verifier, state } = await startLogin({}, inBrowser);
    if (page.redirected) throw new Error('expected the sign-in page');
    const back = await browser.post(new URL(`${page.url.pathname}/login`, page.url), { username });
    if (!back.redirected) throw new Error(`sign-in stopped with HTTP ${back.status}`);
    return client.authorizationCodeGrant(oidc, back.url, { pkceCodeVerifier: verifier, expectedState: state });
  }

  it('shows a clearly labelled sandbox sign-in page listing the staff with "Sign in as" buttons and a username field', async () => {
    const { page } = await startLogin();
    expect(page.redirected).to.equal(false);
    if (page.redirected) return;
    expect(page.status).to.equal(200);
    expect(page.html).to.include('Sandbox only').and.include('<label class="nhsuk-label" for="username">Username</label>');
    const buttons = [...page.html.matchAll(/data-testid="sign-in-as" data-username="([^"]+)"/g)].map((m) => m[1]);
    expect(buttons).to.have.length(11);
    expect(buttons).to.include.members(['sarah.whitfield', 'nina.kaur', 'owen.price', 'gail.hughes', 'carol.evans', 'priya.shah', 'tom.reid', 'marcus.bell']);
  });

  it('signs a link worker in with roles, org, fhirUser, name and email in the ID token', async () => {
    const tokens = await signInAs('sarah.whitfield');
    const claims = tokens.claims()!;
    expect(claims.sub).to.equal('lw-1');
    expect(claims.roles).to.deep.equal(['link-worker']);
    expect(claims.org).to.equal(ODS.linkWorkerService);
    expect(claims.fhirUser).to.equal(`${app.lwBase}/Practitioner/lw-1`);
    expect(claims.name).to.equal('Sarah Whitfield');
    expect(claims.email).to.equal('sarah.whitfield@fernbridge-connect.example.org');
  });

  it('signs in an agency’s pharmacist with their role, organisation and job title, and no Practitioner at the link-worker service', async () => {
    const priya = (await signInAs('priya.shah')).claims()!;
    expect(priya).to.deep.include({ sub: 'agency-pharmacist-1', roles: ['pharmacist'], org: 'FA123', job_title: 'Community pharmacist', name: 'Priya Shah' });
    expect(priya.fhirUser).to.equal(undefined);
  });

  it('signs in a community group’s organiser as a provider of their own organisation', async () => {
    const gail = (await signInAs('gail.hughes')).claims()!;
    expect(gail.roles).to.deep.equal(['provider']);
    expect(gail.org).to.equal('Y99974');
    expect(gail.fhirUser).to.equal(`${app.lwBase}/Practitioner/grp-leisure-1`);
  });

  it('signs in the service manager and the other organisation’s link worker with their own claims', async () => {
    const manager = (await signInAs('Nina.Kaur')).claims()!;
    expect(manager.roles).to.deep.equal(['service-manager']);
    expect(manager.org).to.equal(ODS.linkWorkerService);
    const other = (await signInAs('owen.price')).claims()!;
    expect(other.roles).to.deep.equal(['link-worker']);
    expect(other.org).to.equal(OTHER_ORG_ODS);
    expect(other.fhirUser).to.equal(`${app.lwBase}/Practitioner/lw-other-1`);
  });

  it('keeps a single sign-on session: the next authorization in that browser is silent until RP-initiated logout ends it', async () => {
    const browser = new FormBrowser(redirectUri);
    const first = await signInAs('daniel.osei', browser);
    expect(first.claims()?.sub).to.equal('lw-2');
    const again = await startLogin({}, browser);
    expect(again.page.redirected, 'signed in again without a sign-in page').to.equal(true);
    const end = client.buildEndSessionUrl(oidc, { id_token_hint: first.id_token!, post_logout_redirect_uri: `${app.config.server.publicUrl}/workspace/signed-out` });
    const ask = await browser.go(end);
    if (ask.redirected) throw new Error('expected the sign-out question');
    expect(ask.status).to.equal(200);
    expect(ask.html).to.include('Sign out of the sandbox staff sign-in too');
    const action = /<form method="post" action="([^"]+)" data-testid="logout-form">/.exec(ask.html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(ask.html)?.[1];
    const done = await browser.post(new URL(action!, ask.url), { xsrf: xsrf!, logout: 'yes' });
    expect(done.url.href).to.equal(`${app.config.server.publicUrl}/workspace/signed-out`);
    const next = await startLogin({}, browser);
    expect(next.page.redirected, 'asks who is signing in').to.equal(false);
    expect((await signInAs('tariq.aziz', browser)).claims()?.sub).to.equal('lw-4');
  });

  it('refuses a post-logout redirect URI that is not registered', async () => {
    const url = client.buildEndSessionUrl(oidc, { post_logout_redirect_uri: 'https://evil.example/after' });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).to.equal(400);
    expect(await res.text()).to.include('post_logout_redirect_uri not registered');
  });

  it('answers an unknown username with a field error, not a sign-in', async () => {
    const { browser, page } = await startLogin();
    if (page.redirected) throw new Error('expected the sign-in page');
    const back = await browser.post(new URL(`${page.url.pathname}/login`, page.url), { username: 'mallory' });
    expect(back.redirected).to.equal(false);
    if (back.redirected) return;
    expect(back.status).to.equal(400);
    expect(back.html).to.include('No sandbox staff member has that username').and.include('value="mallory"');
  });

  it('requires PKCE S256', async () => {
    const url = client.buildAuthorizationUrl(oidc, { redirect_uri: redirectUri, scope: 'openid', state: 'x' });
    const back = await new FormBrowser(redirectUri).go(url);
    expect(back.redirected).to.equal(true);
    expect(back.url.searchParams.get('error')).to.equal('invalid_request');
  });
});
