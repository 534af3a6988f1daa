import { expect } from 'chai';
import express from 'express';
import { healthRouter, HealthRegistry } from '../../../src/observability/health.js';
import { registerCoreChecks } from '../../../src/http/readiness-checks.js';
import type { Db } from '../../../src/store/db.js';
import { listen } from '../../helpers/http.js';

describe('http/readiness-checks', () => {
  const db = {
    kind: 'pglite',
    schema: 'public',
    query: async () => ({ rows: [{ '?column?': 1 }], rowCount: 1 }),
  } as unknown as Db;

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

});
