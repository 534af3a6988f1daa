import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { PROFILE } from '../../../src/referral-model/codes.js';
import { profilesRouter } from '../../../src/fhir/profiles-page.js';
import { buildContract } from '../../../src/fhir/validate/contract.js';
import { readGeneratedResources } from '../../../src/fhir/validate/definitions.js';

describe('GET /profiles', () => {
  let server: Server;
  let base: string;

  before(async () => {
    const app = express();
    app.use(profilesRouter());
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('renders the contract as HTML listing every profile, extension and value set', async () => {
    const res = await fetch(`${base}/profiles`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    const html = await res.text();
    expect(html).to.match(/^<!doctype html>\n<html lang="en-GB">/);
    expect(html).to.contain('<h1>SP Link FHIR profiles</h1>');
    const contract = buildContract(readGeneratedResources());
    expect(contract.profiles.map((p) => p.url)).to.have.members(Object.values(PROFILE));
    for (const p of contract.profiles) {
      expect(html).to.contain(`<h2 id="${p.id}">${p.title}</h2>`);
      expect(html).to.contain(`<code>${p.url}</code>`);
    }
    for (const e of contract.extensions) expect(html).to.contain(`<code>${e.url}</code>`);
    for (const v of contract.valueSets) expect(html).to.contain(`id="vs-${v.id}"`);
    expect(html).to.contain('<code>loneliness</code>');
    expect(html).to.contain('<code>ServiceRequest.extension:consentGiven</code>');
  });

  it('keeps styles in a stylesheet (the app CSP forbids inline styles) and escapes example JSON', async () => {
    const html = await (await fetch(`${base}/profiles`)).text();
    expect(html).to.not.match(/<style|style="/);
    expect(html).to.contain('<link rel="stylesheet" href="/profiles/profiles.css">');
    expect(html).to.contain('&quot;resourceType&quot;: &quot;ServiceRequest&quot;');
    const css = await fetch(`${base}/profiles/profiles.css`);
    expect(css.status).to.equal(200);
    expect(css.headers.get('content-type')).to.match(/^text\/css/);
  });
});
