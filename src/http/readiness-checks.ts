import type { Config } from '../config/schema.js';
import { FhirClient } from '../fhir/client.js';
import type { Db } from '../store/db.js';
import type { HealthCheck, HealthRegistry } from '../observability/health.js';
import { metricsRegistry } from '../observability/metrics.js';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';

/** The store answers a trivial query. */
export function dbCheck(db: Db): HealthCheck {
  return async () => {
    await db.query('SELECT 1');
    return db.kind;
  };
}

/**
 * The FHIR endpoint serves `/metadata`. The client should have a short budget and no retries, e.g.
 * `retry: { timeoutMs: 2000, maxAttempts: 1 }`; readiness must answer fast.
 */
export function fhirMetadataCheck(client: FhirClient): HealthCheck {
  return async (signal) => {
    const cs = await client.capabilityStatement({ signal });
    return `FHIR ${cs.fhirVersion ?? 'unknown version'}`;
  };
}

/** 1 when an external FHIR endpoint answered its last probe, 0 when not (probed at scrape time, results cached). */
export const endpointUp = new Gauge({
  name: 'sp_link_endpoint_up',
  help: 'Whether each configured FHIR endpoint answers /metadata (1) or not (0); kind ehr or lw. Alert on 0 for some minutes.',
  labelNames: ['endpoint', 'kind'] as const,
  registers: [metricsRegistry],
  async collect() {
    await Promise.all([...probes].map(async (p) => this.set({ endpoint: p.id, kind: p.kind }, (await p.check()) ? 1 : 0)));
  },
});
const probes = new Set<{ id: string; kind: 'ehr' | 'lw'; check: () => Promise<boolean> }>();

/**
 * Registers `store` (critical: without it this instance cannot serve) and one `fhir:ehr:<tenant>` /
 * `fhir:lw:<endpoint>` check per configured endpoint. The endpoint checks are detail only: another system being
 * down must not make a load balancer pull every instance (the GP app and workspace of every other practice
 * included); it shows in the `/readyz` detail, in `sp_link_endpoint_up` and in an error log line when it changes.
 * `/metadata` is fetched without credentials (SMART servers serve it publicly), so probes cost no token
 * traffic; `sp-link doctor` is the place that proves the credentials. Returns what unregisters the metric probes.
 */
export function registerCoreChecks(registry: HealthRegistry, deps: { db: Db; config: Pick<Config, 'tenants' | 'linkWorkerEndpoints'>; logger?: Logger }): () => void {
  registry.register('store', dbCheck(deps.db));
  const mine: (typeof probes extends Set<infer P> ? P : never)[] = [];
  const add = (kind: 'ehr' | 'lw', id: string, fhirBase: string) => {
    const name = `fhir:${kind}:${id}`;
    const check = fhirMetadataCheck(new FhirClient({ baseUrl: fhirBase, retry: { timeoutMs: 2000, maxAttempts: 1 } }));
    let last: boolean | undefined;
    registry.register(name, async (signal) => {
      try {
        const detail = await check(signal);
        if (last === false) deps.logger?.info({ endpoint: id, kind }, 'FHIR endpoint answers again');
        last = true;
        return detail;
      } catch (err) {
        if (last !== false) deps.logger?.error({ endpoint: id, kind, reason: (err as Error).message }, 'ALERT: FHIR endpoint does not answer; this instance stays ready for everything else');
        last = false;
        throw err;
      }
    }, { critical: false });
    const probe = { id, kind, check: async () => (await registry.check(name))?.status === 'up' };
    probes.add(probe);
    mine.push(probe);
  };
  for (const t of deps.config.tenants) add('ehr', t.id, t.ehr.fhirBase);
  for (const e of deps.config.linkWorkerEndpoints) add('lw', e.id, e.fhirBase);
  return () => {
    for (const p of mine) probes.delete(p);
    endpointUp.reset();
  };
}
