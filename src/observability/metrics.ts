import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The one Prometheus registry. Modules register their own metrics on it, named `sp_link_<area>_<what>`:
 *   new Counter({ name: 'sp_link_reconcile_tasks_total', help: '…', registers: [metricsRegistry] })
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'sp_link_' });

export const fhirRequestDuration = new Histogram({
  name: 'sp_link_fhir_request_duration_seconds',
  help: 'Outbound FHIR requests (one observation per attempt), by method and outcome (HTTP status or error code).',
  labelNames: ['method', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const fhirRetries = new Counter({
  name: 'sp_link_fhir_retries_total',
  help: 'Outbound FHIR request retries, by reason (HTTP status or error code).',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: 'sp_link_http_request_duration_seconds',
  help: 'Inbound HTTP requests, by method, matched route and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** Times every inbound request; labels use the matched route pattern, never the raw URL (ids stay out). */
export function httpMetricsMiddleware(): RequestHandler {
  return (req, res, next) => {
    const end = httpRequestDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      end({
        method: req.method,
        route: typeof route === 'string' ? `${req.baseUrl}${route}` : req.baseUrl || 'unmatched',
        status: String(res.statusCode),
      });
    });
    next();
  };
}

/**
 * `GET /metrics` in the Prometheus text format. With `token`, only for `Authorization: Bearer <token>` (401
 * otherwise, compared in constant time), for a scraper that reaches SP Link's public port.
 */
export function metricsHandler(opts: { registry?: Registry; token?: string } = {}): RequestHandler {
  const registry = opts.registry ?? metricsRegistry;
  const expected = opts.token === undefined ? undefined : createHash('sha256').update(opts.token).digest();
  return (req, res, next) => {
    if (expected) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
      const given = createHash('sha256').update(m?.[1] ?? '').digest();
      if (!m || !timingSafeEqual(given, expected)) {
        res.status(401).set('www-authenticate', 'Bearer realm="metrics"').type('text').send('metrics need the configured bearer token\n');
        return;
      }
    }
    registry
      .metrics()
      .then((text) => {
        res.setHeader('content-type', registry.contentType);
        res.send(text);
      })
      .catch(next);
  };
}
