import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseSearchRequest } from '@medplum/core';
import type { Bundle, Communication, Observation, Provenance, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { expect } from 'chai';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { createSandboxAuth, type SandboxAuth } from '../../../src/sandbox/auth/index.js';
import { BACKEND_CLIENT_KEY_FILE, BACKEND_CLIENT_KID, sandboxKeysDir } from '../../../src/sandbox/auth/keys.js';
import { ehrSeed, ODS, patientId } from '../../../src/sandbox/demo/index.js';
import { LINK_WORKER_ORG, linkWorkerResources } from '../../../src/sandbox/demo/link-workers.js';
import { createSandboxFhirServer, type SandboxFhirServer } from '../../../src/sandbox/fhir/index.js';
import { createSandboxIdp, type SandboxIdp } from '../../../src/sandbox/idp/index.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { OidcStore } from '../../../src/store/oidc-adapter.js';
import { appContextOf, CookieJar, follow, request } from '../../helpers/gp-launch.js';
import { PG_URL, requirePostgres } from '../../helpers/postgres.js';
import { referralForm } from '../../helpers/referral-form.js';
import { TEST_RATE_LIMITS } from '../../helpers/system.js';
import { fetchTrusting, makeTestTls, type Fetch, type TestTls } from '../../helpers/tls.js';
import { Browser, formFields } from '../workspace/harness.js';
import { freePort } from '../../helpers/http.js';

/**
 * SP Link as a link-worker service with no case system of its own runs it: config/hosted.example.yaml, sandbox off,
 * the record hosted in PostgreSQL, two instances behind a TLS-terminating load balancer. Everything outside SP Link is
 * a server of its own on loopback, over real HTTPS with a throwaway CA: the practice's EHR (FHIR with its SMART
 * authorization server) and the service's staff identity provider. Instance A serves the GP app and the workspace;
 * instance B reconciles (`reconcile.enabled` from the environment), through the record A serves.
 */
describe('hosted link-worker record in production: two instances on PostgreSQL, the sandbox off (processes)', function () {
  this.timeout(600_000);
  const schema = `t_hosted_prod_${process.pid}_${randomBytes(4).toString('hex')}`;
  const ENDPOINT = 'valley-connect';
  const PATIENT = patientId(3);
  const GP = 'gp-1';
  const secrets = {
    SP_LINK_SESSION_SECRET: randomBytes(32).toString('base64url'),
    SP_LINK_RIVERSIDE_SMART_CLIENT_SECRET: randomBytes(16).toString('hex'),
    SP_LINK_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    SP_LINK_WORKSPACE_CLIENT_SECRET: randomBytes(16).toString('hex'),
    SP_LINK_ADMIN_TOKEN: randomBytes(16).toString('hex'),
  };
  let dir: string;
  let tls: TestTls;
  let send: Fetch;
  const servers: (http.Server | https.Server)[] = [];
  let worldDb: Db | undefined;
  let oidcStore: OidcStore | undefined;
  let auth: SandboxAuth | undefined;
  let ehr: SandboxFhirServer | undefined;
  let idp: SandboxIdp | undefined;
  let publicUrl: string;
  let ehrBase: string;
  let hostedBase: string;
  const instances: Record<'a' | 'b', Instance | undefined> = { a: undefined, b: undefined };
  let loaderKey: CryptoKey;
  let referral: { referralId: string; serviceRequestId: string };
  let caseId: string;
  let completed = false;

  before(async function () {
    await requirePostgres(this);
    dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-hosted-prod-'));
    tls = await makeTestTls(dir);
    send = fetchTrusting(tls.ca);

    // The practice's EHR and the staff IdP (one server of their own), and the load balancer in front of SP Link.
    const world = await listenTls(tls);
    const balancer = await listenTls(tls);
    servers.push(world.server, balancer.server);
    const worldUrl = `https://localhost:${world.port}`;
    publicUrl = `https://localhost:${balancer.port}`;
    ehrBase = `${worldUrl}/sandbox/ehr/fhir`;
    hostedBase = `${publicUrl}/hosted/${ENDPOINT}/fhir`;

    const loader = await generateKeyPair('ES384', { extractable: true });
    loaderKey = loader.privateKey;
    const raw = parseYaml(await readFile('config/hosted.example.yaml', 'utf8')) as ExampleConfig;
    raw.server.host = '127.0.0.1';
    raw.server.publicUrl = publicUrl;
    raw.store = { databaseUrl: '${DATABASE_URL}', schema };
    raw.rateLimits = TEST_RATE_LIMITS;
    const tenant = raw.tenants[0]!;
    tenant.ehr.fhirBase = ehrBase;
    tenant.smart.issAllowlist = [ehrBase];
    tenant.frameAncestors = [worldUrl];
    const endpoint = raw.linkWorkerEndpoints[0]!;
    endpoint.organizationOdsCode = ODS.linkWorkerService;
    // The service's staff directory is loaded through the record's FHIR API, as any registered system would.
    endpoint.backendClients.push({
      clientId: 'staff-directory', name: 'Staff directory',
      jwks: { keys: [{ ...(await exportJWK(loader.publicKey)), kid: 'loader-1', alg: 'ES384' }] },
      scopes: 'system/Organization.cu system/Practitioner.cu system/PractitionerRole.cu',
    });
    raw.reconcile = { ...raw.reconcile, enabled: '${SP_LINK_RECONCILE:-true}', pollSchedule: '*/2 * * * * *' };
    raw.workspace.oidc.issuer = `${worldUrl}/sandbox/idp`;
    // SP Link's backend-services key, as the EHR registers it (the EHR's authorization server makes the pair).
    const worldDir = path.join(dir, 'world');
    delete tenant.ehr.auth.privateKey;
    tenant.ehr.auth.privateKeyFile = path.join(sandboxKeysDir(worldDir), BACKEND_CLIENT_KEY_FILE);
    tenant.ehr.auth.kid = BACKEND_CLIENT_KID;

    // The EHR registers SP Link as the config names it (GP app client and secret, redirect URIs at publicUrl).
    const asConfigured = parseConfig(stringifyYaml(raw), 'hosted.yaml', { ...process.env, ...secrets, DATABASE_URL: PG_URL });
    const worldConfig: Config = { ...asConfigured, server: { ...asConfigured.server, sessionSecret: randomBytes(32).toString('base64url') } };
    worldDb = await openDb({ memory: true });
    oidcStore = new OidcStore(worldDb, { secret: worldConfig.server.sessionSecret });
    auth = await createSandboxAuth({ config: worldConfig, dataDir: worldDir, ehrBase, lwBase: `${worldUrl}/sandbox/lw/fhir`, store: oidcStore });
    ehr = await createSandboxFhirServer({
      name: 'ehr', baseUrl: ehrBase, db: worldDb, authorize: auth.ehrAuthorize, security: auth.ehrSecurity,
      seed: () => ehrSeed({ ehr: ehrBase, lw: hostedBase }).filter((r) => r.resourceType !== 'ServiceRequest'),
    });
    auth.attachServers({ ehr });
    idp = await createSandboxIdp({ config: worldConfig, dataDir: worldDir, lwBase: hostedBase, store: oidcStore, origin: worldUrl });
    const app = express();
    app.use(auth.router, idp.router);
    app.use('/sandbox/ehr/fhir', ehr.router);
    world.server.on('request', app);

    expect(auth.backendKey).to.deep.equal({ file: tenant.ehr.auth.privateKeyFile, kid: tenant.ehr.auth.kid });
    const configFile = path.join(dir, 'hosted.yaml');
    await writeFile(configFile, stringifyYaml(raw));

    // One at a time: the first start builds the GP app and migrates the schema.
    const trust = { ...secrets, NODE_EXTRA_CA_CERTS: tls.caFile };
    instances.a = await startInstance('a', configFile, { ...trust, SP_LINK_RECONCILE: 'false' });
    instances.b = await startInstance('b', configFile, trust);
    // The load balancer: the reconciler's webhook and admin API go to B, everything else to A.
    balancer.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const to = /^\/(reconcile|admin)\//.test(req.url ?? '') ? instances.b! : instances.a!;
      const upstream = http.request(
        { host: '127.0.0.1', port: to.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': req.socket.remoteAddress ?? '' } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
      req.pipe(upstream);
    });

    // Go-live: the service's organisation and link workers, written to its record by the staff directory system.
    const token = await backendToken('staff-directory', loaderKey, 'loader-1', 'system/Organization.cu system/Practitioner.cu system/PractitionerRole.cu');
    const bundle: Bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [LINK_WORKER_ORG, ...linkWorkerResources()].map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })),
    };
    const loaded = await send(hostedBase, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
    expect(loaded.status, await loaded.clone().text()).to.equal(200);
  });

  after(async () => {
    for (const i of [instances.a, instances.b]) if (i) await i.stop();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    await ehr?.close();
    await idp?.close();
    await auth?.close();
    oidcStore?.close();
    await worldDb?.close();
    const db = await openDb({ databaseUrl: PG_URL, schema, maxConnections: 1 }).catch(() => undefined);
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A SMART Backend Services token from the hosted record's token endpoint (through the load balancer). */
  async function backendToken(clientId: string, key: CryptoKey, kid: string, scope: string): Promise<string> {
    const tokenUrl = `${publicUrl}/hosted/${ENDPOINT}/auth/token`;
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid }).setIssuer(clientId).setSubject(clientId)
      .setAudience(tokenUrl).setExpirationTime('2m').setJti(randomUUID()).sign(key);
    const res = await send(tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!res.ok || !body.access_token) throw new Error(`token: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** What the EHR holds (read in its own process, as its operator would). */
  const inEhr = async <T extends Resource>(search: string): Promise<T[]> => (await ehr!.repo.searchResources(parseSearchRequest(search))) as T[];
  const ehrCounts = async () => {
    const out: Record<string, number> = {};
    for (const type of ['ServiceRequest', 'Observation', 'Communication', 'Flag', 'Provenance']) out[type] = (await inEhr(`${type}?_count=1000`)).length;
    return out;
  };

  it('refuses what production must: anonymous access to the record, and the sandbox is not there', async () => {
    expect((await send(`${hostedBase}/Task`)).status).to.equal(401);
    expect((await send(`${publicUrl}/sandbox/ehr`)).status).to.equal(404);
    // Instance A runs no reconciler (its admin API is not there); B does.
    expect((await fetch(`http://127.0.0.1:${instances.a!.port}/admin/api/reconcile/status`, { headers: { authorization: `Bearer ${secrets.SP_LINK_ADMIN_TOKEN}` } })).status).to.equal(404);
    expect((await send(`${publicUrl}/admin/api/reconcile/status`, { headers: { authorization: `Bearer ${secrets.SP_LINK_ADMIN_TOKEN}` } })).status).to.equal(200);
  });

  it('a GP refers from the EHR launch: the ServiceRequest in the EHR, the Task in the hosted record', async () => {
    const jar = new CookieJar();
    const launch = auth!.createLaunch({ patient: PATIENT, practitioner: GP });
    const { res, url } = await follow(jar, `${publicUrl}/launch?${new URLSearchParams({ iss: ehrBase, launch })}`, undefined, send);
    const ctx = appContextOf(url);
    expect(ctx, `launch ended at ${url} with HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`).to.be.a('string');
    jar.launchContext = ctx;
    const context = (await (await request(jar, `${publicUrl}/app/api/context`, {}, send)).json()) as { csrfToken: string };
    const made = await request(jar, `${publicUrl}/app/api/referrals`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': context.csrfToken }, body: JSON.stringify(referralForm(PATIENT)),
    }, send);
    expect(made.status, await made.clone().text()).to.equal(201);
    referral = (await made.json()) as typeof referral;
    const [sr] = await inEhr<ServiceRequest>(`ServiceRequest?_id=${referral.serviceRequestId}`);
    expect(sr?.status).to.equal('active');
    // The hosted record's organisation, by its ODS code (config organizationOdsCode).
    expect(sr?.performer?.[0]?.identifier?.value).to.equal(ODS.linkWorkerService);
  });

  it('a link worker signs in at the service\'s IdP and works the case in the workspace through instance A', async () => {
    const b = new Browser(publicUrl, send);
    const landed = await b.signIn('sarah.whitfield');
    expect(landed.url).to.equal(`${publicUrl}/workspace/caseload`);
    const list = await b.get('/workspace/caseload?view=new');
    const ids = [...list.text.matchAll(/data-case-id="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).to.have.length(1);
    caseId = ids[0]!;
    const casePath = `/workspace/cases/${caseId}`;
    const act = async (action: string, form: Record<string, string | string[]> = {}) => {
      const page = await b.get(casePath);
      const r = await b.post(`${casePath}/${action}`, { ...formFields(page.text, `${casePath}/${action}`), ...form });
      expect(r.status, `${action}: ${r.text.slice(0, 500)}`).to.equal(200);
      return r;
    };
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    expect((await act('accept')).text).to.include('Referral accepted.');
    await act('contact', { date: daysAgo(2), method: 'phone', outcome: 'successful' });
    await act('session', { date: daysAgo(2), mode: 'face-to-face', durationMinutes: '45', notes: 'What matters conversation' });
    await act('outcome', { instrument: 'swemwbs', date: daysAgo(2), 'score-total': '18' });
    await act('outcome', { instrument: 'swemwbs', date: daysAgo(0), 'score-total': '23' });
    expect((await act('complete', { summary: 'Back at the allotment twice a week.' })).text).to.include('Case completed.');
    completed = true;
  });

  it('instance B\'s reconciler writes the status, the outcome and the message back into the EHR, once each, with Provenance', async () => {
    expect(completed, 'the link worker completed the case').to.equal(true);
    const sr = `ServiceRequest/${referral.serviceRequestId}`;
    await until(async () => (await inEhr<ServiceRequest>(`ServiceRequest?_id=${referral.serviceRequestId}`))[0]?.status === 'completed');
    await until(async () => (await inEhr<Communication>(`Communication?based-on=${sr}`)).some((c) => c.topic?.coding?.[0]?.code === 'referral-completed'));
    const observations = await inEhr<Observation>(`Observation?based-on=${sr}`);
    expect(observations.map((o) => [o.code.coding?.[0]?.code, o.valueInteger]).sort()).to.deep.equal([['swemwbs', 18], ['swemwbs', 23]]);
    const messages = (await inEhr<Communication>(`Communication?based-on=${sr}`)).filter((c) => c.topic?.coding?.[0]?.code === 'referral-completed');
    expect(messages).to.have.length(1);
    expect(messages[0]!.payload?.map((p) => p.contentString)).to.include('Back at the allotment twice a week.');
    // The GP app's Provenance of the referral, then the reconciler's: one per status change, each from a Task version.
    const provenance = await inEhr<Provenance>(`Provenance?target=${sr}`);
    expect(provenance.filter((p) => !p.entity?.length).map((p) => p.agent[0]?.who?.reference)).to.deep.equal([`Practitioner/${GP}`]);
    const written = provenance.filter((p) => p.entity?.length);
    expect(written.length).to.be.greaterThan(0);
    for (const p of written) {
      expect(p.entity?.[0]?.what.reference, 'each write names the Task version it came from').to.match(new RegExp(`^${escape(hostedBase)}/Task/${caseId}/_history/`));
    }
    for (const o of observations) {
      expect(o.code.coding?.[0]?.system).to.equal(CODE_SYSTEM.outcomeInstrument);
      expect(await inEhr<Provenance>(`Provenance?target=Observation/${o.id}`), `Provenance of Observation/${o.id}`).to.have.length(1);
    }

    // Exactly once: another run and a backfill of every Task version through B write nothing new.
    const before = await ehrCounts();
    const admin = { authorization: `Bearer ${secrets.SP_LINK_ADMIN_TOKEN}` };
    const run = await send(`${publicUrl}/admin/api/reconcile/run`, { method: 'POST', headers: admin });
    expect(run.status, await run.clone().text()).to.equal(200);
    const backfill = await send(`${publicUrl}/admin/api/reconcile/backfill?since=2000-01-01`, { method: 'POST', headers: admin });
    expect(backfill.status).to.equal(200);
    expect(await backfill.text()).to.not.match(/"error"/);
    expect(await ehrCounts()).to.deep.equal(before);
  });
});

interface Instance {
  readonly port: number;
  stop(): Promise<void>;
}

/** The parts of config/hosted.example.yaml the test changes, loosely typed. */
type Loose = Record<string, unknown>;
interface ExampleConfig extends Loose {
  server: Loose;
  store?: Loose;
  reconcile: Loose;
  workspace: Loose & { oidc: Loose };
  tenants: (Loose & { ehr: Loose & { auth: Loose }; smart: Loose })[];
  linkWorkerEndpoints: (Loose & { backendClients: Loose[] })[];
}

async function listenTls(tls: TestTls): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer({ key: tls.key, cert: tls.cert });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * `sp-link start --config file` as a process of its own, trusting only the test's CA, with its own data directory
 * (and instance record); resolves once `/readyz` answers 200. Its output is kept for the error if it dies.
 */
async function startInstance(name: string, configFile: string, env: NodeJS.ProcessEnv): Promise<Instance> {
  const port = await freePort();
  const home = await mkdtemp(path.join(os.tmpdir(), `sp-link-instance-${name}-`));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, ...env, PORT: String(port), DATABASE_URL: PG_URL, SP_LINK_DATA_DIR: home, XDG_RUNTIME_DIR: home,
      LOG_LEVEL: 'warn',
    },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`instance ${name} exited before it was ready:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Resolves once `check` holds, polling; the suite's timeout bounds the wait. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 250));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
