import { expect } from 'chai';
import express from 'express';
import { healthRouter, HealthRegistry } from '../../../src/observability/health.js';
import { registerCoreChecks } from '../../../src/http/readiness-checks.js';
import type { Db } from '../../../src/store/db.js';
import { metricsRegistry } from '../../../src/observability/metrics.js';
import { listen } from '../../helpers/http.js';

describe('http/readiness-checks', () => {
  const db = {
    kind: 'pglite',
    schema: 'public',
    query: async () => ({ rows: [{ '?column?': 1 }], rowCount: 1 }),
  } as unknown as Db;

  it('the store is critical: without it the instance is not ready', async () => {
    const registry = new HealthRegistry();
    const broken = { ...db, query: async () => Promise.reject(new Error('connection refused')) } as unknown as Db;
    const unregister = registerCoreChecks(registry, { db: broken, config: { tenants: [], linkWorkerEndpoints: [] } });
    try {
      const report = await registry.run();
      expect(report.status).to.equal('not-ready');
      expect(report.checks.store).to.deep.include({ status: 'down', critical: true });
    } finally {
      unregister();
    }
  });

  it('an unreachable FHIR endpoint leaves /readyz 200 with the endpoint shown down, and sp_link_endpoint_up 0', async () => {
    // A FHIR endpoint that works and one that does not (port from a closed server).
    const fhir = express();
    fhir.get('/fhir/metadata', (_req, res) => void res.json({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' }));
    const good = await listen(fhir);
    const dead = await listen(express());
    await dead.close();
    const registry = new HealthRegistry();
    const unregister = registerCoreChecks(registry, {
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
      expect(res.status, 'another system being down does not make this instance unready').to.equal(200);
      const body = (await res.json()) as { status: string; checks: Record<string, { status: string; detail?: string; critical: boolean }> };
      expect(body.status).to.equal('ready');
      expect(body.checks['fhir:lw:lw-main']!.critical).to.equal(false);
      expect(body.checks.store!.status).to.equal('up');
      expect(body.checks['fhir:ehr:riverside']).to.deep.include({ status: 'up', detail: 'FHIR 4.0.1' });
      expect(body.checks['fhir:lw:lw-main']!.status).to.equal('down');
      expect(body.checks['fhir:lw:lw-main']!.detail).to.contain('ECONNREFUSED');
      const metrics = await metricsRegistry.metrics();
      expect(metrics).to.contain('sp_link_endpoint_up{endpoint="lw-main",kind="lw"} 0');
      expect(metrics).to.contain('sp_link_endpoint_up{endpoint="riverside",kind="ehr"} 1');
    } finally {
      unregister();
      await srv.close();
      await good.close();
    }
  });

});
