import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.js';
import { substituteEnv } from '../../../src/config/env-substitute.js';
import { productionYaml } from '../../helpers/production-config.js';

const minimal = (extra = '') =>
  productionYaml({
    server: '  publicUrl: https://sp-link.example.nhs.uk\n  sessionSecret: ${SESSION_SECRET}',
    ehrToken: "'${EHR_TOKEN}'",
    endpoints: '  - id: links\n    name: Community Links\n    fhirBase: https://links.example.org/fhir\n    auth: { type: none }',
    rest: `reconcile:\n  webhookSecret: \${WEBHOOK_SECRET:-hook}\nadmin:\n  token: admin-token\n${extra}`,
  });

const env = { SESSION_SECRET: 'x'.repeat(40), EHR_TOKEN: 'tok' };

function problemsOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config/load', () => {
  it('loads the shipped sandbox default and freezes it', async () => {
    const cfg = await loadConfig('config/default.yaml', { PORT: '4123' });
    expect(cfg.server.port).to.equal(4123);
    expect(cfg.tenants[0]?.ehr.fhirBase).to.equal('http://localhost:4123/sandbox/ehr/fhir');
    expect(cfg.sandbox.enabled).to.equal(true);
    expect(Object.isFrozen(cfg.tenants[0]?.smart)).to.equal(true);
  });

  it('loads the production example when its secrets are in the environment', async () => {
    const text = await readFile('config/production.example.yaml', 'utf8');
    const vars = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1] as string);
    const prodEnv = Object.fromEntries(vars.map((v) => [v, v.includes('SECRET') ? 'y'.repeat(40) : 'value-of-' + v]));
    const cfg = parseConfig(text, 'production.example.yaml', prodEnv);
    expect(cfg.tenants).to.have.length(2);
    expect(cfg.linkWorkerEndpoints).to.have.length(2);
  });

  it('substitutes ${VAR} and ${VAR:-default}, keeping numbers typed', () => {
    const cfg = parseConfig(minimal(), 'x.yaml', env);
    expect(cfg.reconcile.webhookSecret).to.equal('hook');
    expect(cfg.tenants[0]?.ehr.auth).to.deep.equal({ type: 'bearer', token: 'tok' });
    expect(substituteEnv('${N:-42}', {})).to.equal(42);
    expect(substituteEnv('http://h:${N:-42}/x', {})).to.equal('http://h:42/x');
  });

  it('names the file, the path, the line and the missing variable', () => {
    const err = problemsOf(() => parseConfig(minimal(), 'sp-link.yaml', { EHR_TOKEN: 't' }));
    expect(err.message).to.contain('Invalid configuration in sp-link.yaml');
    expect(err.message).to.match(/server\.sessionSecret \(line 4\): environment variable SESSION_SECRET is not set/);
  });

  it('reports every problem at once, each with an example', () => {
    const text = minimal('bogus: 1').replace('https://links.example.org/fhir', 'links.example.org').replace('linkWorkerEndpoint: links', 'linkWorkerEndpoint: nowhere');
    const err = problemsOf(() => parseConfig(text, 'x.yaml', env));
    const paths = err.problems.map((p) => p.path);
    expect(paths).to.include.members(['linkWorkerEndpoints.0.fhirBase', 'tenants.0.linkWorkerEndpoint', '']);
    const fhirBase = err.problems.find((p) => p.path === 'linkWorkerEndpoints.0.fhirBase');
    expect(fhirBase?.message).to.contain('absolute http(s) URL');
    expect(fhirBase?.example).to.contain('fhirBase: https://');
    expect(err.message).to.contain('unknown link-worker endpoint "nowhere"');
    expect(err.message).to.contain('unknown key(s) "bogus"');
  });

  it('refuses cross-site cookies without https and the developer client outside the sandbox', () => {
    const text = minimal('sandbox: { enabled: false, allowInsecureDeveloperClient: true }').replace('https://sp-link.example.nhs.uk', 'http://sp-link.local');
    const err = problemsOf(() => parseConfig(text, 'x.yaml', env));
    expect(err.message).to.contain('server.cookieMode');
    expect(err.message).to.contain('sandbox.allowInsecureDeveloperClient');
  });

  it('refuses a referral route nobody watches: direct via a workspace that does not serve the endpoint, or via an unknown endpoint', () => {
    const direct = (entries: string) =>
      minimal().replace('    auth: { type: none }\nreconcile:', `    auth: { type: none }\n    organizationOdsCode: Y00050\n    directReferrals:\n${entries}\nreconcile:`);
    const housing = "      - { via: workspace, organization: Organization/org-housing, odsCode: Y00071, name: Vale Housing Advice }";
    const calm = "      - { via: endpoint, organization: Organization/org-calm, odsCode: Y00072, name: Calm Waters, endpoint: calm-waters }";
    let err = problemsOf(() => parseConfig(direct(`${housing}\n${calm}`), 'x.yaml', env));
    const byPath = Object.fromEntries(err.problems.map((p) => [p.path, p.message]));
    expect(byPath['linkWorkerEndpoints.0.directReferrals.0.via']).to.match(/nobody would see referrals to Vale Housing Advice: no SP Link workspace serves endpoint "links"/);
    expect(byPath['linkWorkerEndpoints.0.directReferrals.1.endpoint']).to.match(/nobody would see referrals to Calm Waters: unknown link-worker endpoint "calm-waters"/);

    err = problemsOf(() => parseConfig(direct(housing.replace('Y00071', 'Y00050')), 'x.yaml', env));
    expect(err.message).to.contain('Y00050 is Community Links itself');

    const workspace = `workspace:
  oidc: { issuer: https://login.example.org, clientId: ws, clientSecret: ws-secret }
  linkWorkerEndpoint: links`;
    const calmEndpoint = `  - { id: calm-waters, name: Calm Waters, fhirBase: https://calm.example.org/fhir, auth: { type: none }, organizationOdsCode: Y00072 }`;
    const ok = parseConfig(direct(`${housing}\n${calm}`).replace('reconcile:', `${calmEndpoint}\nreconcile:`) + workspace, 'x.yaml', env);
    expect(ok.linkWorkerEndpoints[0]?.directReferrals.map((d) => d.via)).to.deep.equal(['workspace', 'endpoint']);

    err = problemsOf(() => parseConfig(direct(calm).replace('reconcile:', `${calmEndpoint.replace('Y00072', 'Y00099')}\nreconcile:`), 'x.yaml', env));
    expect(err.message).to.contain('endpoint "calm-waters" accepts only Tasks owned by ODS Y00099');
  });

  it('rejects a smart-backend auth with neither or both key sources', () => {
    const text = minimal().replace('auth: { type: none }', 'auth: { type: smart-backend, clientId: c, scope: system/Task.cru, kid: k1 }');
    const err = problemsOf(() => parseConfig(text, 'x.yaml', env));
    expect(err.message).to.contain('set exactly one of privateKey or privateKeyFile');
  });

  it('reports YAML syntax errors with a line', () => {
    const err = problemsOf(() => parseConfig('server:\n  port: [1,\n', 'x.yaml', env));
    expect(err.problems[0]?.message).to.match(/^YAML syntax/);
  });

  it('lets PORT, SP_LINK_DATA_DIR and DATABASE_URL override the file', () => {
    const cfg = parseConfig(minimal(), 'x.yaml', { ...env, PORT: '8080', SP_LINK_DATA_DIR: '/var/lib/sp-link', DATABASE_URL: 'postgres://db/sp' });
    expect(cfg.server.port).to.equal(8080);
    expect(cfg.dataDir).to.equal('/var/lib/sp-link');
    expect(cfg.store.databaseUrl).to.equal('postgres://db/sp');
  });

  it('known agencies: each with an ODS code, an IdP and the roles that may refer; ids and ODS codes once each', async () => {
    const agency = (id: string, ods: string, extra = '') => `
    - id: ${id}
      name: Riverside Pharmacy
      odsCode: ${ods}
      oidc:
        issuer: https://login.riverside-pharmacy.example.org
        clientId: sp-link-agency-form
        clientSecret: agency-secret${extra}`;
    const cfg = parseConfig(minimal(`intake:\n  linkWorkerEndpoint: links\n  knownAgencies:${agency('riverside-pharmacy', 'FA123', '\n        roles: [pharmacist]')}`), 'x.yaml', env);
    expect(cfg.intake?.knownAgencies[0]?.oidc).to.deep.include({ roles: ['pharmacist'], rolesClaim: 'roles', organizationClaim: 'org', jobTitleClaim: 'job_title', scopes: 'openid profile email' });
    expect(parseConfig(minimal('intake:\n  linkWorkerEndpoint: links'), 'x.yaml', env).intake?.knownAgencies).to.deep.equal([]);

    const noRoles = problemsOf(() => parseConfig(minimal(`intake:\n  linkWorkerEndpoint: links\n  knownAgencies:${agency('riverside-pharmacy', 'fa123')}`), 'x.yaml', env));
    expect(noRoles.problems.map((p) => p.path)).to.have.members(['intake.knownAgencies.0.odsCode', 'intake.knownAgencies.0.oidc.roles']);
    const twice = problemsOf(() => parseConfig(minimal(`intake:\n  linkWorkerEndpoint: links\n  knownAgencies:${agency('a', 'FA123', '\n        roles: [pharmacist]')}${agency('a', 'FA124', '\n        roles: [pharmacist]')}${agency('b', 'FA123', '\n        roles: [pharmacist]')}`), 'x.yaml', env));
    expect(twice.problems.map((p) => `${p.path}: ${p.message}`)).to.deep.equal(['intake.knownAgencies.1.id: duplicate agency id "a"', 'intake.knownAgencies.2.odsCode: duplicate ODS code "FA123": one entry per agency']);

    // The shipped sandbox: the demo pharmacy and housing office at the sandbox IdP.
    const shipped = await loadConfig('config/default.yaml', { PORT: '4123' });
    expect(shipped.intake?.knownAgencies.map((a) => [a.id, a.odsCode, a.oidc.issuer])).to.deep.equal([
      ['fernbridge-pharmacy', 'FA123', 'http://localhost:4123/sandbox/idp'],
      ['westshire-housing', 'Y99981', 'http://localhost:4123/sandbox/idp'],
    ]);
  });
});
