import { expect } from 'chai';
import express from 'express';
import { HealthRegistry, healthRouter } from '../../../src/observability/health.js';
import { listen } from '../../helpers/http.js';

describe('observability/health', () => {
  it('/healthz is always 200; /readyz is 200 when every critical check is up', async () => {
    const registry = new HealthRegistry();
    registry.register('store', () => Promise.resolve('pglite'));
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
