import { expect } from 'chai';
import * as client from 'openid-client';
import { bootAuthApp, type AuthTestApp } from '../auth/boot.js';
import { followToRedirectUri } from '../auth/browser-flow.js';
import { DEMO_PATIENT_COUNT } from '../../../../src/sandbox/demo/index.js';

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

describe('sandbox GP system page /sandbox/ehr (integration)', () => {
  let app: AuthTestApp;
  before(async () => {
    app = await bootAuthApp(undefined, { demo: true });
  });
  after(async () => app?.stop());

  const page = async (query = '') => {
    const res = await fetch(`${app.url}/sandbox/ehr${query}`);
    return { status: res.status, html: await res.text(), type: res.headers.get('content-type') };
  };

  it('lists the demo patients with NHS number (3-3-4), date of birth and age, and the three GPs', async () => {
    const { status, html, type } = await page();
    expect(status).to.equal(200);
    expect(type).to.match(/^text\/html/);
    expect(DEMO_PATIENT_COUNT).to.be.at.least(25);
    const rows = html.match(/<tr class="nhsuk-table__row[^"]*" data-patient-id="/g) ?? [];
    expect(rows).to.have.length(DEMO_PATIENT_COUNT);
    const nhs = [...html.matchAll(/data-testid="nhs-number">([^<]*)</g)].map((m) => m[1]);
    expect(nhs.every((n) => /^\d{3} \d{3} \d{4}$/.test(n ?? ''))).to.equal(true);
    expect(html).to.match(/<td class="nhsuk-table__cell sbx-nowrap">\d{2}-[A-Z][a-z]{2}-\d{4}<\/td>\s*<td class="nhsuk-table__cell">\d+<\/td>/);
    const options = [...html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).to.deep.equal(['gp-1', 'gp-2', 'gp-3']);
    expect(html).to.include('<label class="nhsuk-label" for="clinician">').and.include('for="patient-search"');
    expect(html).to.include('/sandbox/assets/nhsuk-frontend.min.css');
    expect((await fetch(`${app.url}/sandbox/assets/nhsuk-frontend.min.css`)).status).to.equal(200);
  });

  it('searches by name and by NHS number with or without spaces', async () => {
    const byName = await page('?q=ellis');
    expect(byName.html.match(/data-testid="open-patient"/g)).to.have.length(1);
    expect(byName.html).to.include('ELLIS, Margaret');
    const nhs = /data-testid="nhs-number">([^<]*)</.exec(byName.html)?.[1] as string;
    for (const q of [nhs, nhs.replace(/ /g, '')]) {
      const byNhs = await page(`?q=${encodeURIComponent(q)}`);
      expect(byNhs.html).to.include('ELLIS, Margaret');
      expect(byNhs.html.match(/data-testid="open-patient"/g)).to.have.length(1);
    }
    const none = await page('?q=%3Cscript%3E');
    expect(none.html).to.include('No patients match').and.not.include('<script>');
  });

  it("shows a patient's record: banner, problems and social prescribing referrals", async () => {
    const { status, html } = await page('?clinician=gp-2&patient=pat-01');
    expect(status).to.equal(200);
    expect(html).to.include('data-testid="patient-record" data-patient-id="pat-01"');
    expect(html).to.match(/data-testid="banner-nhs-number">\d{3} \d{3} \d{4}</);
    expect(html).to.match(/<ul class="nhsuk-list nhsuk-list--bullet" data-testid="problems"><li>/);
    expect(html).to.include('<option value="gp-2" selected>');
    expect(html).to.include('id="launch-embedded"').and.include('id="launch-window"');
    expect(html).not.to.include('id="sp-link-frame"');
    expect((await page('?patient=nope')).status).to.equal(404);
    // pat-15 has a completed referral in the demo data
    const withReferral = await page('?patient=pat-15');
    expect(withReferral.html).to.match(/<table class="nhsuk-table sbx-table" data-testid="referrals">/);
    expect(withReferral.html).to.include('data-referral-id="ref-04"');
    expect(withReferral.html).to.match(/data-testid="referral-status">completed</);
  });

  it('embeds SP Link in an iframe with a launch that resolves to the chosen patient and clinician', async () => {
    const { html } = await page('?clinician=gp-3&patient=pat-02&app=sp-link');
    const src = decode(/<iframe id="sp-link-frame"[^>]* src="([^"]+)"/.exec(html)?.[1] ?? '');
    const url = new URL(src);
    expect(url.origin + url.pathname).to.equal(`${app.config.server.publicUrl}/launch`);
    expect(url.searchParams.get('iss')).to.equal(app.ehrBase);
    const launch = url.searchParams.get('launch') as string;
    expect(launch).to.have.length.greaterThan(30);
    expect(html).to.include('title="SP Link social prescribing"');

    // The launch id drives a real SMART authorization to a token for that patient and clinician.
    const smart = (await (await fetch(`${app.ehrBase}/.well-known/smart-configuration`)).json()) as client.ServerMetadata;
    const tenant = app.config.tenants[0]!;
    const cfg = new client.Configuration(smart, tenant.smart.clientId, undefined, client.ClientSecretBasic(tenant.smart.clientSecret!));
    client.allowInsecureRequests(cfg);
    const verifier = client.randomPKCECodeVerifier();
    const redirectUri = `${app.config.server.publicUrl}/smart/callback`;
    const authUrl = client.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri,
      scope: tenant.smart.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 's1',
      launch,
      aud: app.ehrBase,
    });
    const tokens = await client.authorizationCodeGrant(cfg, await followToRedirectUri(authUrl, redirectUri), { pkceCodeVerifier: verifier, expectedState: 's1' });
    expect(tokens.patient).to.equal('pat-02');
    expect(tokens.fhirUser).to.equal(`${app.ehrBase}/Practitioner/gp-3`);
    expect(tokens.need_patient_banner).to.equal(false);
    const read = await fetch(`${app.ehrBase}/Patient/pat-02`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(read.status).to.equal(200);
  });

  it('opens SP Link in a new window through a 303 to the launch URL', async () => {
    const res = await fetch(`${app.url}/sandbox/ehr/launch?clinician=gp-1&patient=pat-03`, { redirect: 'manual' });
    expect(res.status).to.equal(303);
    const location = new URL(res.headers.get('location') as string);
    expect(location.pathname).to.equal('/launch');
    expect(location.searchParams.get('iss')).to.equal(app.ehrBase);
    expect(location.searchParams.get('launch')).to.be.a('string');
  });
});
