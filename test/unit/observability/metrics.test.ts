import { expect } from 'chai';
import express from 'express';
import { Counter } from 'prom-client';
import { httpMetricsMiddleware, metricsHandler, metricsRegistry } from '../../../src/observability/metrics.js';
import { listen } from '../../helpers/http.js';

describe('observability/metrics', () => {
  it('serves the shared registry, including metrics other modules register, labelled by route pattern', async () => {
    const probe = new Counter({ name: 'sp_link_test_probe_total', help: 'test probe', registers: [metricsRegistry] });
    probe.inc(3);
    const app = express();
    app.use(httpMetricsMiddleware());
    app.get('/things/:id', (_req, res) => void res.send('ok'));
    app.get('/metrics', metricsHandler());
    const srv = await listen(app);
    try {
      await (await fetch(`${srv.url}/things/9990001234`)).text();
      const res = await fetch(`${srv.url}/metrics`);
      expect(res.headers.get('content-type')).to.contain('text/plain');
      const text = await res.text();
      expect(text).to.contain('sp_link_test_probe_total 3');
      expect(text).to.contain('sp_link_http_request_duration_seconds_count{method="GET",route="/things/:id",status="200"} 1');
      expect(text).to.contain('sp_link_process_cpu_user_seconds_total');
      expect(text).to.not.contain('9990001234');
    } finally {
      await srv.close();
      metricsRegistry.removeSingleMetric('sp_link_test_probe_total');
    }
  });
});
