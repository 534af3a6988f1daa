import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import * as client from 'openid-client';
import { bootAuthApp, type AuthTestApp } from '../../integration/sandbox/auth/boot.js';
import { axeViolations, startChromium } from '../../helpers/browser.js';

describe('sandbox GP system and staff sign-in pages in Chromium (e2e)', () => {
  let app: AuthTestApp;
  let browser: Browser;

  before(async () => {
    app = await bootAuthApp(undefined, { demo: true, idp: true });
    browser = await startChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('drives the GP record by keyboard: choose clinician, search, open a record, launch SP Link embedded', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.url}/sandbox/ehr`);
    expect(await axeViolations(page)).to.deep.equal([]);

    await page.getByLabel('Signed in clinician').selectOption('gp-2');
    await page.locator('#change-clinician').press('Enter');
    await page.waitForURL(/clinician=gp-2/);

    await page.getByLabel('Name or NHS number').fill('Malik');
    await page.getByLabel('Name or NHS number').press('Enter');
    await page.waitForURL(/q=Malik/);
    const link = page.locator('[data-testid="patient-list"] a[data-testid="open-patient"]');
    expect(await link.count()).to.equal(1);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="patient-record"]');
    expect(await page.locator('[data-testid="banner-nhs-number"]').innerText()).to.match(/^\d{3} \d{3} \d{4}$/);
    expect(await axeViolations(page)).to.deep.equal([]);

    await page.getByRole('button', { name: 'Social prescribing (SP Link)' }).press('Enter');
    const frame = page.locator('iframe#sp-link-frame');
    await frame.waitFor();
    const src = new URL((await frame.getAttribute('src')) as string);
    expect(src.pathname).to.equal('/launch');
    expect(src.searchParams.get('iss')).to.equal(app.ehrBase);
    expect(await page.locator('#launch-window').getAttribute('target')).to.equal('_blank');

    // The launch drives the sandbox authorization server in a real browser (its cookies included) to a code.
    const tenant = app.config.tenants[0]!;
    const smart = (await (await fetch(`${app.ehrBase}/.well-known/smart-configuration`)).json()) as client.ServerMetadata;
    const cfg = new client.Configuration(smart, tenant.smart.clientId, undefined, client.ClientSecretBasic(tenant.smart.clientSecret!));
    client.allowInsecureRequests(cfg);
    const redirectUri = `${app.config.server.publicUrl}/smart/callback`;
    const authUrl = client.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri,
      scope: tenant.smart.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'ehr-e2e',
      launch: src.searchParams.get('launch') as string,
      aud: app.ehrBase,
    });
    const callback = page.waitForRequest((r) => r.url().startsWith(redirectUri));
    await page.goto(authUrl.href).catch(() => undefined); // the callback itself is another area's route
    const reached = new URL((await callback).url());
    expect(reached.searchParams.get('code')).to.be.a('string');
    expect(reached.searchParams.get('state')).to.equal('ehr-e2e');
    await context.close();
  });

  it('signs a member of staff in with a "Sign in as" button and reaches the workspace callback with a code', async () => {
    const ws = app.config.workspace!;
    const oidc = await client.discovery(new URL(ws.oidc.issuer), ws.oidc.clientId, undefined, client.ClientSecretBasic(ws.oidc.clientSecret), {
      execute: [client.allowInsecureRequests],
    });
    const redirectUri = `${app.config.server.publicUrl}/workspace/callback`;
    const url = client.buildAuthorizationUrl(oidc, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'e2e',
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url.href);
    expect(await page.locator('[data-testid="sandbox-warning"]').innerText()).to.include('Sandbox only');
    expect(await axeViolations(page)).to.deep.equal([]);
    const callback = page.waitForRequest((r) => r.url().startsWith(redirectUri));
    await page.locator('[data-testid="sign-in-as"][data-username="megan.pritchard"]').press('Enter');
    const reached = new URL((await callback).url());
    expect(reached.searchParams.get('code')).to.be.a('string');
    expect(reached.searchParams.get('state')).to.equal('e2e');
    await context.close();
  });
});
