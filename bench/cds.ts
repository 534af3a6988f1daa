/**
 * Decision-support figures: the `patient-view` hook's response time with prefetch (what a GP system waits for when a
 * record opens), p50 and p95, against the same hook without prefetch (SP Link reads the record with
 * `fhirAuthorization`), interleaved in one run on the sandbox. Each request carries a fresh signed JWT, as a GP system
 * sends; the prefetch is what the sandbox GP system would send for that patient (its templates run on its record).
 * CDS_BENCH_ROUNDS requests of each kind (default 200).
 */
import { randomUUID } from 'node:crypto';
import { parseSearchRequest } from '@medplum/core';
import type { ResourceType } from '@medplum/fhirtypes';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { PREFETCH, SERVICE_ID, substituteTokens } from '../src/cds/index.js';
import { listen } from '../test/helpers/http.js';
import { getDevToken } from '../test/helpers/sandbox-tokens.js';
import { startTestSystem } from '../test/helpers/system.js';

const ISS = 'https://bench-gp-system.example/cds';
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function run(print: (name: string, value: string | number) => void): Promise<void> {
  const rounds = Math.max(20, Number(process.env.CDS_BENCH_ROUNDS ?? 200));
  const { publicKey, privateKey } = await generateKeyPair('ES384');
  const keys = express();
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES384' };
  keys.get('/jwks.json', (_req, res) => res.json({ keys: [jwk] }));
  const keyServer = await listen(keys);
  const sys = await startTestSystem({
    background: false,
    edit: (raw) => {
      const cds = raw.tenants[0]!.cds as { clients: unknown[] };
      cds.clients.push({ iss: ISS, jwksUrl: `${keyServer.url}/jwks.json` });
    },
  });
  try {
    const serviceUrl = `${sys.url}/cds-services/${SERVICE_ID}`;
    const ehr = sys.sandbox!.ehr;
    const fhirServer = sys.config.tenants[0]!.ehr.fhirBase;
    const accessToken = await getDevToken(sys.url, 'ehr', 'system/*.rs');
    const patients = Array.from({ length: 28 }, (_, i) => `pat-${String(i + 1).padStart(2, '0')}`);

    const prefetchFor = async (patientId: string) => {
      const out: Record<string, unknown> = {};
      for (const [key, template] of Object.entries(PREFETCH)) {
        const q = substituteTokens(template, { patientId, userId: 'Practitioner/gp-1' })!;
        const [type, id] = q.split('?')[0]!.split('/');
        out[key] = id ? await ehr.repo.readResource(type as ResourceType, id) : await ehr.repo.search(parseSearchRequest(q));
      }
      return out;
    };
    const prefetches = new Map<string, Record<string, unknown>>();
    for (const p of patients) prefetches.set(p, await prefetchFor(p));

    const call = async (patientId: string, withPrefetch: boolean) => {
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({ iss: ISS, aud: serviceUrl, iat: now, exp: now + 60, jti: randomUUID() }).setProtectedHeader({ alg: 'ES384', kid: 'bench' }).sign(privateKey);
      const body = {
        hook: 'patient-view',
        hookInstance: randomUUID(),
        context: { userId: 'Practitioner/gp-1', patientId },
        ...(withPrefetch ? { prefetch: prefetches.get(patientId) } : { fhirServer, fhirAuthorization: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope: 'system/*.rs', subject: 'bench' } }),
      };
      const started = performance.now();
      const res = await fetch(serviceUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` }, body: JSON.stringify(body) });
      await res.json();
      const ms = performance.now() - started;
      if (!res.ok) throw new Error(`patient-view answered ${res.status}`);
      return ms;
    };

    for (let i = 0; i < 20; i++) await call(patients[i % patients.length]!, i % 2 === 0); // warm-up
    const withPrefetch: number[] = [];
    const withoutPrefetch: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const p = patients[i % patients.length]!;
      withPrefetch.push(await call(p, true));
      withoutPrefetch.push(await call(p, false));
    }
    const p95 = percentile(withPrefetch, 95);
    const p95Fallback = percentile(withoutPrefetch, 95);
    print('cds_patient_view_prefetch_p50_ms', percentile(withPrefetch, 50).toFixed(1));
    print('cds_patient_view_prefetch_p95_ms', p95.toFixed(1));
    print('cds_patient_view_fhir_authorization_p95_ms', p95Fallback.toFixed(1));
    print('cds_patient_view_fhir_authorization_over_prefetch_p95_ratio', (p95Fallback / p95).toFixed(2));
    print('cds_patient_view_requests_each', rounds);
  } finally {
    await sys.stop();
    await keyServer.close();
  }
}
