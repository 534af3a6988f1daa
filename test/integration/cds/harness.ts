import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createCdsRouter, SERVICE_ID } from '../../../src/cds/index.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/observability/logger.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { listen } from '../../helpers/http.js';
import type { RawConfig } from '../../helpers/system.js';

/**
 * A CDS Hooks service on loopback with its own store, a CDS client (key pair, JWK Set served over HTTP, JWT
 * signing) and a practice FHIR server for the `fhirAuthorization` fallback that answers from `records` and
 * counts its requests.
 */
export const CLIENT_ISS = 'https://gp-system.example/cds-client';
export const ACCESS_TOKEN = 'practice-access-token';

export interface CdsHarness {
  url: string;
  serviceUrl: string;
  feedbackUrl: string;
  fhirBase: string;
  config: Config;
  db: Db;
  /** Resources the practice FHIR server holds. */
  records: Resource[];
  fhirRequests: string[];
  now: { value: Date };
  sign(claims?: JWTPayload, header?: { alg?: string; kid?: string; jku?: string }): Promise<string>;
  /** Empties the store's prompt tables, the records and the request log; the clock back to the start. */
  reset(): Promise<void>;
  call(body: unknown, token?: string | null, url?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startCdsHarness(opts: { tenantCds?: Record<string, unknown>; now?: Date } = {}): Promise<CdsHarness> {
  const { publicKey, privateKey } = await generateKeyPair('ES384');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'client-1', alg: 'ES384', use: 'sig' };
  const keys = express();
  keys.get('/jwks.json', (_req, res) => res.json({ keys: [jwk] }));
  const keyServer = await listen(keys);

  const records: Resource[] = [];
  const fhirRequests: string[] = [];
  const fhir = express();
  fhir.use('/fhir', (req, res) => {
    fhirRequests.push(req.originalUrl);
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return void res.status(401).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    const [type, id] = req.path.slice(1).split('/');
    if (id) {
      const r = records.find((x) => x.resourceType === type && x.id === id);
      return void (r ? res.type('application/fhir+json').json(r) : res.status(404).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }));
    }
    const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', entry: records.filter((r) => r.resourceType === type).map((resource) => ({ resource })) };
    res.type('application/fhir+json').json(bundle);
  });
  const fhirServer = await listen(fhir);
  const fhirBase = `${fhirServer.url}/fhir`;

  const app = express();
  const appServer = await listen(app);
  const file = path.resolve('config/default.yaml');
  const raw = parseYaml(await readFile(file, 'utf8')) as RawConfig;
  const tenant = raw.tenants[0]!;
  (tenant.ehr as Record<string, unknown>).fhirBase = fhirBase;
  tenant.cds = { clients: [{ iss: CLIENT_ISS, jwksUrl: `${keyServer.url}/jwks.json` }], serviceOverviewUrl: 'https://pcn.example/social-prescribing', ...opts.tenantCds };
  const config = parseConfig(stringifyYaml(raw), file, { ...process.env, PORT: appServer.url.split(':').pop()!, DATABASE_URL: '' });
  const db = await openDb({ memory: true });
  const now = { value: opts.now ?? new Date('2026-12-01T10:00:00Z') };
  app.use(createCdsRouter({ config, db, logger: createLogger({ level: 'silent' }), now: () => now.value }));
  const url = config.server.publicUrl.replace(/\/$/, '');
  const serviceUrl = `${url}/cds-services/${SERVICE_ID}`;

  const sign = (claims: JWTPayload = {}, header: { alg?: string; kid?: string; jku?: string } = {}) => {
    const iat = Math.floor(now.value.getTime() / 1000);
    return new SignJWT({ iss: CLIENT_ISS, sub: 'gp-system', aud: serviceUrl, iat, exp: iat + 60, jti: randomUUID(), ...claims })
      .setProtectedHeader({ alg: header.alg ?? 'ES384', kid: header.kid ?? 'client-1', typ: 'JWT', ...(header.jku ? { jku: header.jku } : {}) })
      .sign(privateKey);
  };

  return {
    url,
    serviceUrl,
    feedbackUrl: `${serviceUrl}/feedback`,
    fhirBase,
    config,
    db,
    records,
    fhirRequests,
    now,
    sign,
    async reset() {
      await db.exec('TRUNCATE cds_suppressions, cds_feedback, cds_cards, cds_jwt_ids');
      records.length = 0;
      fhirRequests.length = 0;
      now.value = opts.now ?? new Date('2026-12-01T10:00:00Z');
    },
    async call(body, token, target = serviceUrl) {
      const auth = token === null ? undefined : (token ?? (await sign({ aud: target })));
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async close() {
      await appServer.close();
      await fhirServer.close();
      await keyServer.close();
      await db.close();
    },
  };
}
