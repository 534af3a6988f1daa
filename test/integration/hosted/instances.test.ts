import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { Bundle, Task } from '@medplum/fhirtypes';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createAuthProvider } from '../../../src/fhir/auth/index.js';
import { createHostedRecords, type HostedRecords } from '../../../src/hosted/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { listen } from '../../helpers/http.js';
import { PG_URL, requirePostgres } from '../../helpers/postgres.js';

/**
 * Two SP Link instances serving one hosted record from one PostgreSQL database: a token from one is good at the other,
 * a write through one is read through the other, and a client assertion used at one is refused as a replay at the other.
 */
describe('hosted link-worker record: two instances, one PostgreSQL database', function () {
  this.timeout(300_000);
  const schema = `hosted_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const instances: { db: Db; hosted: HostedRecords; http: Awaited<ReturnType<typeof listen>> }[] = [];
  let config: Config;
  let key: CryptoKey;
  const tokenPath = '/hosted/community-links/auth/token';
  const fhirPath = '/hosted/community-links/fhir';

  before(async function () {
    await requirePostgres(this);
    const pair = await generateKeyPair('ES384', { extractable: true });
    key = pair.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384' }] };
    config = parseConfig(
      `
server:
  publicUrl: https://sp-link.example-icb.nhs.uk
  sessionSecret: ${'i'.repeat(48)}
tenants:
  - id: riverside
    name: Riverside Surgery
    ehr: { fhirBase: 'https://ehr.example.nhs.uk/fhir', auth: { type: none } }
    smart: { clientId: sp-link, clientSecret: s3cret, issAllowlist: ['https://ehr.example.nhs.uk/fhir'], scopes: launch openid fhirUser }
    linkWorkerEndpoint: community-links
linkWorkerEndpoints:
  - id: community-links
    name: Community Links
    hosted: true
    backendClients:
      - { clientId: case-system, name: Case system, jwks: ${JSON.stringify(jwks)}, scopes: system/Task.crs }
reconcile:
  webhookSecret: hook
admin:
  token: admin-token
`,
      'instances.yaml',
      {},
    );
    const logger = createLogger({ level: 'silent' });
    for (let i = 0; i < 2; i++) {
      const db = await openDb({ databaseUrl: PG_URL, schema, maxConnections: 4 });
      const hosted = (await createHostedRecords({ config, db, logger }))!;
      const app = express();
      app.use(hosted.router);
      instances.push({ db, hosted, http: await listen(app) });
    }
  });

  after(async () => {
    for (const i of instances) {
      await i.http.close();
      await i.hosted.close();
    }
    if (instances[0]) await instances[0].db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const i of instances) await i.db.close();
  });

  const url = (i: number, p: string) => `${instances[i]!.http.url}${p}`;
  const assertion = (jti: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', kid: 'k1' })
      .setIssuer('case-system')
      .setSubject('case-system')
      // The token endpoint's public address, whichever instance answers.
      .setAudience(`${config.server.publicUrl}${tokenPath}`)
      .setExpirationTime('2m')
      .setJti(jti)
      .sign(key);
  const tokenAt = async (i: number, jti: string) => {
    const res = await fetch(url(i, tokenPath), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'system/Task.crs',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(jti),
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('a token from one instance is good at the other, and a write through one is read through the other', async () => {
    const { status, body } = await tokenAt(0, randomUUID());
    expect(status, JSON.stringify(body)).to.equal(200);
    const auth = { authorization: `Bearer ${String(body.access_token)}`, 'content-type': 'application/fhir+json' };
    const created = await fetch(url(1, `${fhirPath}/Task`), { method: 'POST', headers: auth, body: JSON.stringify({ resourceType: 'Task', status: 'requested', intent: 'order' }) });
    expect(created.status).to.equal(201);
    const task = (await created.json()) as Task;
    const read = await fetch(url(0, `${fhirPath}/Task/${task.id}`), { headers: auth });
    expect(((await read.json()) as Task).id).to.equal(task.id);
    // SP Link's own credential is the same on every instance (derived from the shared configuration).
    const endpoint = config.linkWorkerEndpoints[0]!;
    const own = await createAuthProvider(endpoint.auth, endpoint.fhirBase);
    const found = await fetch(url(1, `${fhirPath}/Task?_id=${task.id}`), { headers: { authorization: (await own.authorization())! } });
    expect(((await found.json()) as Bundle<Task>).entry?.map((e) => e.resource?.id)).to.deep.equal([task.id]);
  });

  it('refuses a client assertion replayed at the other instance', async () => {
    const jti = randomUUID();
    expect((await tokenAt(0, jti)).status).to.equal(200);
    const replay = await tokenAt(1, jti);
    expect(replay.status).to.equal(401);
    expect(String(replay.body.error_description)).to.match(/replay/);
  });

  it('keeps one audit trail for both', async () => {
    const { rows } = await instances[0]!.db.query<{ action: string; n: number }>(
      "SELECT action, count(*)::int AS n FROM audit_events WHERE action LIKE 'hosted.%' GROUP BY action ORDER BY action",
    );
    expect(rows.map((r) => r.action)).to.deep.equal(['hosted.fhir', 'hosted.token']);
  });
});
