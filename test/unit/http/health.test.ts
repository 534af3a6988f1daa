import { expect } from 'chai';
import express from 'express';
import { HealthRegistry, dbCheck, healthRouter, registerCoreChecks } from '../../../src/http/health.js';
import type { Db } from '../../../src/store/db.js';
import { listen } from './helpers.js';

describe('http/health', () => {
  // The store itself is covered by test/integration/store; here it only has to answer.
  const db = {
    kind: 'pglite',
    schema: 'public',
    query: async () => ({ rows: [{ '?column?': 1 }], rowCount: 1 }),
  } as unknown as Db;

  it('/healthz is always 200; /readyz is 200 when every critical check is up', async () => {
    const registry = new HealthRegistry();
    registry.register('store', dbCheck(db));
    registry.register('optional', () => Promise.reject(new Error('not there')), { critical: false });
    const app = express();
    app.use(healthRouter(registry));
    const srv = await listen(app);
    try {
      expect((await fetch(`${srv.url}/healthz`)).status).to.equal(200);
      const res = await fetch(`${srv.url}/readyz`);
      expect(res.status).to.equal(200);
      const body = (await res.json()) as { status: string; checks: Record<string, { status: string; detail?: string }> };
      expect(body.status).to.equal('ready');
      expect(body.checks.store).to.deep.include({ status: 'up', detail: 'pglite' });
      expect(body.checks.optional).to.deep.include({ status: 'down', detail: 'not there', critical: false });
    } finally {
      await srv.close();
    }
  });

  it('/readyz is 503 with per-check JSON when a configured FHIR endpoint is unreachable', async () => {
    // A FHIR endpoint that works and one that does not (port from a closed server).
    const fhir = express();
    fhir.get('/fhir/metadata', (_req, res) => void res.json({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' }));
    const good = await listen(fhir);
    const dead = await listen(express());
    await dead.close();
    const registry = new HealthRegistry();
    registerCoreChecks(registry, {
      db,
      config: {
        tenants: [{ id: 'riverside', ehr: { fhirBase: `${good.url}/fhir` } }],
        linkWorkerEndpoints: [{ id: 'lw-main', fhirBase: `${dead.url}/fhir` }],
      } as unknown as Parameters<typeof registerCoreChecks>[1]['config'],
    });
    const app = express();
    app.use(healthRouter(registry));
    const srv = await listen(app);
    try {
      const res = await fetch(`${srv.url}/readyz`);
      expect(res.status).to.equal(503);
      const body = (await res.json()) as { status: string; checks: Record<string, { status: string; detail?: string }> };
      expect(body.status).to.equal('not-ready');
      expect(body.checks.store!.status).to.equal('up');
      expect(body.checks['fhir:ehr:riverside']).to.deep.include({ status: 'up', detail: 'FHIR 4.0.1' });
      expect(body.checks['fhir:lw:lw-main']!.status).to.equal('down');
      expect(body.checks['fhir:lw:lw-main']!.detail).to.contain('ECONNREFUSED');
    } finally {
      await srv.close();
      await good.close();
    }
  });

  it('caches results and shares one in-flight run between concurrent probes', async () => {
    let runs = 0;
    const registry = new HealthRegistry();
    registry.register('counted', async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
    });
    await Promise.all([registry.run(), registry.run(), registry.run()]);
    await registry.run();
    expect(runs).to.equal(1);
  });

  it('a check that ignores its signal still ends at its time budget', async () => {
    const registry = new HealthRegistry();
    registry.register('hangs', () => new Promise<void>(() => undefined), { timeoutMs: 50 });
    const report = await registry.run();
    expect(report.status).to.equal('not-ready');
    expect(report.checks.hangs!.detail).to.match(/timed out/);
  });

  it('report() lets a module push per-endpoint status; critical ones gate readiness', async () => {
    const registry = new HealthRegistry();
    registry.report('reconcile:lw-main', 'down', 'last poll failed: ERR_FHIR_TIMEOUT');
    expect((await registry.run()).status).to.equal('ready');
    registry.report('reconcile:lw-main', 'down', 'lease lost', { critical: true });
    const r = await registry.run();
    expect(r.status).to.equal('not-ready');
    expect(r.checks['reconcile:lw-main']).to.deep.include({ status: 'down', detail: 'lease lost' });
    registry.report('reconcile:lw-main', 'up');
    expect((await registry.run()).status).to.equal('ready');
  });
});
