import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { productionYaml } from '../../helpers/production-config.js';

const config = (endpoint: string) =>
  productionYaml({
    server: `  publicUrl: https://sp-link.example.nhs.uk\n  sessionSecret: ${'s'.repeat(40)}`,
    endpoints: endpoint,
    rest: 'reconcile:\n  webhookSecret: hook\nadmin:\n  token: admin-token\n',
  });

const problems = (text: string): string[] => {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
};

describe('config: hosted link-worker records', () => {
  it('loads config/hosted.example.yaml when its secrets are in the environment: sandbox off, the record at SP Link’s own address', async () => {
    const text = await readFile('config/hosted.example.yaml', 'utf8');
    const vars = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1] as string);
    const env = Object.fromEntries(vars.map((v) => [v, v.includes('SECRET') ? 'y'.repeat(40) : `value-of-${v}`]));
    const cfg = parseConfig(text, 'hosted.example.yaml', env);
    expect(cfg.sandbox.enabled).to.equal(false);
    expect(cfg.linkWorkerEndpoints.map((e) => [e.id, e.hosted, e.fhirBase])).to.deep.equal([['valley-connect', true, 'https://sp-link.example-icb.nhs.uk/hosted/valley-connect/fhir']]);
    expect(cfg.workspace?.linkWorkerEndpoint).to.equal('valley-connect');
  });

  it('gives a hosted record SP Link’s own base and credential, and keeps its backend clients', () => {
    const cfg = parseConfig(
      config(`  - id: links
    name: Community Links
    hosted: true
    backendClients:
      - clientId: case-system
        name: Community Links case system
        jwksUrl: https://case.example.org/jwks.json
        scopes: system/Task.rs system/Observation.rs`),
      'test.yaml',
      {},
    );
    const e = cfg.linkWorkerEndpoints[0]!;
    expect(e.fhirBase).to.equal('https://sp-link.example.nhs.uk/hosted/links/fhir');
    expect(e.auth.type).to.equal('hosted');
    expect(e.auth.type === 'hosted' && e.auth.key).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(e.backendClients.map((c) => c.clientId)).to.deep.equal(['case-system']);
  });

  it('signs with a key per endpoint, the same on every instance with the same configuration', () => {
    const two = `  - { id: links, name: Community Links, hosted: true }
  - { id: other, name: Other Links, hosted: true }`;
    const keyOf = (id: string) => {
      const e = parseConfig(config(two), 'test.yaml', {}).linkWorkerEndpoints.find((x) => x.id === id)!;
      return e.auth.type === 'hosted' ? e.auth.key : undefined;
    };
    expect(keyOf('links')).to.be.a('string').and.equal(keyOf('links'));
    expect(keyOf('links')).to.not.equal(keyOf('other'));
  });

  it('refuses a hosted record with its own base or auth, and a plain endpoint without them', () => {
    expect(
      problems(
        config(`  - id: links
    name: Community Links
    hosted: true
    fhirBase: https://links.example.org/fhir
    auth: { type: none }`),
      ),
    ).to.have.members([
      'linkWorkerEndpoints.0.fhirBase: a hosted record is served by SP Link at {publicUrl}/hosted/links/fhir; remove fhirBase',
      'linkWorkerEndpoints.0.auth: a hosted record needs no auth: SP Link signs its own tokens; external systems are listed in backendClients',
    ]);
    const plain = problems(config(`  - { id: links, name: Community Links }`));
    expect(plain.join('\n')).to.include('linkWorkerEndpoints.0.fhirBase: is required').and.include('linkWorkerEndpoints.0.auth: is required');
  });

  it('checks backend clients: one key source, system scopes only, unique ids, not SP Link’s own id, hosted records only', () => {
    const found = problems(
      config(`  - id: links
    name: Community Links
    hosted: true
    backendClients:
      - { clientId: a, name: A, scopes: system/Task.rs }
      - { clientId: b, name: B, jwksUrl: 'https://b.example.org/jwks', scopes: patient/Task.rs }
      - { clientId: b, name: B again, jwksUrl: 'https://b.example.org/jwks', scopes: system/Task.rs }
      - { clientId: sp-link, name: Impostor, jwksUrl: 'https://c.example.org/jwks', scopes: system/Task.rs }
  - id: other
    name: Other
    fhirBase: https://other.example.org/fhir
    auth: { type: none }
    backendClients:
      - { clientId: d, name: D, jwksUrl: 'https://d.example.org/jwks', scopes: system/Task.rs }`),
    ).join('\n');
    expect(found).to.include('linkWorkerEndpoints.0.backendClients.0.jwksUrl: set exactly one of jwksUrl or jwks');
    expect(found).to.include('linkWorkerEndpoints.0.backendClients.1.scopes: expected space-separated SMART system scopes');
    expect(found).to.include('linkWorkerEndpoints.0.backendClients.2.clientId: duplicate client id "b"');
    expect(found).to.include('linkWorkerEndpoints.0.backendClients.3.clientId: "sp-link" is SP Link\'s own client id');
    expect(found).to.include('linkWorkerEndpoints.1.backendClients: only a hosted record (hosted: true) has backend clients');
  });
});
