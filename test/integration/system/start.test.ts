import { expect } from 'chai';
import { runCli } from '../../helpers/cli.js';
import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bundle, CapabilityStatement, HealthcareService, Patient } from '@medplum/fhirtypes';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { getDevToken } from '../../helpers/sandbox-tokens.js';
import { KEPT_TABLES, RESET_WITH_OTHERS, SANDBOX_STATE_TABLES } from '../../../src/commands/seed.js';
import { recordAudit } from '../../../src/store/audit.js';
import { openDb } from '../../../src/store/db.js';

/** The two-command promise: the whole system on embedded defaults, reachable over real HTTP. */
describe('system: sp-link start on embedded defaults', () => {
  let system: TestSystem;
  before(async () => {
    system = await startTestSystem({ background: false });
  });
  after(async () => {
    await system?.stop();
  });

  it('serves an R4 CapabilityStatement for the sandbox EHR and link-worker servers', async () => {
    for (const server of ['ehr', 'lw']) {
      const res = await fetch(`${system.url}/sandbox/${server}/fhir/metadata`);
      expect(res.status).to.equal(200);
      const cs = (await res.json()) as CapabilityStatement;
      expect(cs.resourceType).to.equal('CapabilityStatement');
      expect(cs.fhirVersion).to.equal('4.0.1');
    }
  });

  it('is live and ready, with every configured endpoint checked', async () => {
    expect((await fetch(`${system.url}/healthz`)).status).to.equal(200);
    const ready = await fetch(`${system.url}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(ready.status, JSON.stringify(body)).to.equal(200);
    expect(Object.keys(body.checks)).to.include.members(['store', 'fhir:ehr:demo-practice', 'fhir:lw:demo-link-workers']);
  });

  it('keeps an idle keep-alive connection open longer than clients and proxies do (server.keepAliveSeconds)', async function () {
    this.timeout(30_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = http.get(`${system.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    try {
      expect(await get()).to.deep.equal({ status: 200, reused: false });
      // Longer than Node's 5 s default, after which the server would close the socket under the client.
      await new Promise((r) => setTimeout(r, 6_000));
      expect(await get()).to.deep.equal({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await fetch(`${system.url}/metrics`)).text();
    expect(text).to.match(/^# HELP /m);
  });

  it('has searchable demo patients and a service directory', async () => {
    const ehrToken = await getDevToken(system.url, 'ehr');
    const patients = (await (
      await fetch(`${system.url}/sandbox/ehr/fhir/Patient?_count=100`, { headers: { authorization: `Bearer ${ehrToken}` } })
    ).json()) as Bundle<Patient>;
    expect(patients.entry?.length ?? 0).to.be.at.least(25);
    const lwToken = await getDevToken(system.url, 'lw');
    const services = (await (
      await fetch(`${system.url}/sandbox/lw/fhir/HealthcareService?_count=100`, { headers: { authorization: `Bearer ${lwToken}` } })
    ).json()) as Bundle<HealthcareService>;
    expect(services.entry?.length ?? 0).to.be.at.least(15);
  });

  it('answers unknown routes with our JSON error', async () => {
    const res = await fetch(`${system.url}/no/such/route`);
    expect(res.status).to.equal(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('ERR_NOT_FOUND');
  });

  it('redirects / to the sandbox GP system', async () => {
    const res = await fetch(`${system.url}/`, { redirect: 'manual' });
    expect(res.headers.get('location')).to.equal('/sandbox/ehr');
  });
});

describe('system: the sp-link command', function () {
  // Each case spawns a fresh process that boots (and for some, seeds) the whole system: minutes on a loaded machine.
  this.timeout(240_000);
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-cli-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { SP_LINK_DATA_DIR: dataDir, ...env });

  it('prints usage and exits 2 without a command', async () => {
    const r = await run([]);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.contain('Usage: sp-link <command>');
  });

  it('exits 78 with every config problem listed', async () => {
    const r = await run(['doctor', '--config', 'config/production.example.yaml']);
    expect(r.code).to.equal(78);
    expect(r.stderr).to.contain('Invalid configuration in config/production.example.yaml');
    expect(r.stderr).to.contain('environment variable SP_LINK_SESSION_SECRET is not set');
    expect(r.stderr).to.contain('environment variable DATABASE_URL is not set');
  });

  it('seed --reset restores both sandbox FHIR stores and clears sign-ins and reconciler progress; says what it keeps (the audit trail, hosted records, every other table)', async () => {
    const before = await openDb({ dataDir });
    await before.query(`INSERT INTO fhir_stores (store) VALUES ('ehr') ON CONFLICT DO NOTHING`);
    const { rows } = await before.query<{ rid: number }>(
      `INSERT INTO fhir_resources (store, resource_type, id, version, last_updated, content)
       VALUES ('ehr', 'Patient', 'stray', 1, now(), '{"resourceType":"Patient","id":"stray"}') RETURNING rid`,
    );
    expect(rows).to.have.length(1);
    for (const table of SANDBOX_STATE_TABLES) expect((await before.query(`SELECT 1 FROM ${table} LIMIT 0`)).rowCount, table).to.equal(0);
    await before.query(`INSERT INTO sessions (sid, data, expires_at) VALUES ('s1', '{}', now() + interval '1 hour')`);
    await before.query(`INSERT INTO reconcile_cursors (endpoint_id, cursor) VALUES ('demo-link-workers', now())`);
    await recordAudit(before, { actor: 'Practitioner/gp-1', action: 'smart-launch' });
    // Another FHIR store (a record SP Link hosts) is not the sandbox's: kept whole.
    await before.query(`INSERT INTO fhir_stores (store) VALUES ('hosted:elsewhere') ON CONFLICT DO NOTHING`);
    await before.query(
      `INSERT INTO fhir_resources (store, resource_type, id, version, last_updated, content)
       VALUES ('hosted:elsewhere', 'Task', 'case-1', 1, now(), '{"resourceType":"Task","id":"case-1"}')`,
    );
    // Every table is either reset or named as kept.
    const tables = (await before.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()`)).rows.map((r) => r.t);
    const named = new Set<string>([...SANDBOX_STATE_TABLES, ...Object.keys(KEPT_TABLES), ...RESET_WITH_OTHERS]);
    expect(tables.filter((t) => !named.has(t)), 'tables seed --reset neither resets nor names as kept').to.deep.equal([]);
    await before.close();

    const r = await run(['seed', '--reset']);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain(`Resetting the sandbox in the embedded database in ${path.join(dataDir, 'pglite')}`);
    expect(r.stdout).to.match(/Restored the GP practice EHR demo data \(store "ehr"\): \d+ resources, replacing 1 and their history/);
    expect(r.stdout).to.contain('Restored the link-worker service demo data');
    expect(r.stdout).to.contain('sign-in sessions: 1');
    expect(r.stdout).to.contain('reconciler change-feed cursors: 1');
    expect(r.stdout).to.contain('audit trail events (never rewritten): 1');
    expect(r.stdout).to.contain('Kept FHIR store "hosted:elsewhere": 1 resources, unchanged.');
    const after = await openDb({ dataDir });
    try {
      expect((await after.query(`SELECT 1 FROM fhir_resources WHERE store = 'ehr' AND id = 'stray'`)).rowCount, 'replaced by the demo data').to.equal(0);
      expect((await after.query(`SELECT 1 FROM fhir_resources WHERE store = 'ehr' AND resource_type = 'Patient'`)).rowCount).to.be.greaterThan(0);
      expect((await after.query(`SELECT 1 FROM fhir_resources WHERE store = 'lw' AND resource_type = 'Task'`)).rowCount).to.be.greaterThan(0);
      for (const table of SANDBOX_STATE_TABLES) expect((await after.query(`SELECT 1 FROM ${table}`)).rowCount, table).to.equal(0);
      expect((await after.query('SELECT 1 FROM audit_events')).rowCount).to.equal(1);
      expect((await after.query(`SELECT 1 FROM fhir_resources WHERE store = 'hosted:elsewhere' AND id = 'case-1'`)).rowCount, 'the hosted record is kept').to.equal(1);
    } finally {
      await after.close();
    }
  });

  it('seed --reset refuses a configuration without the sandbox (production), changing nothing', async () => {
    const file = path.join(dataDir, 'no-sandbox.yaml');
    const raw = parseYaml(await readFile('config/default.yaml', 'utf8')) as { sandbox: Record<string, unknown> };
    raw.sandbox = { enabled: false };
    await writeFile(file, stringifyYaml(raw));
    const r = await run(['seed', '--reset', '--config', file]);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain(`sp-link seed: refused: ${file} has the sandbox disabled (sandbox.enabled: false)`);
    expect(r.stderr).to.contain('nothing was changed');
  });

  it('prints the config JSON Schema', async () => {
    const r = await run(['config-schema']);
    expect(r.code).to.equal(0);
    const schema = JSON.parse(r.stdout) as { title: string; properties: Record<string, unknown> };
    expect(schema.title).to.equal('SP Link configuration');
    expect(schema.properties).to.have.property('tenants');
  });
});

describe('system: sp-link doctor against the running sandbox', () => {
  let system: TestSystem;
  before(async () => {
    system = await startTestSystem({ background: false });
  });
  after(async () => {
    await system?.stop();
  });

  it('passes every check, including SMART configuration and backend tokens', async () => {
    const { runDoctor, renderDoctorReport } = await import('../../../src/doctor/index.js');
    const report = await runDoctor(system.config);
    const table = renderDoctorReport(report);
    expect(report.checks.filter((c) => c.status === 'FAIL'), table).to.deep.equal([]);
    expect(report.ok, table).to.equal(true);
    expect(report.checks.some((c) => /token/i.test(c.check) && c.status === 'PASS'), table).to.equal(true);
    expect(report.endpoints.map((e) => e.label)).to.deep.equal(['ehr:demo-practice', 'link-worker:demo-link-workers']);
  });
});
