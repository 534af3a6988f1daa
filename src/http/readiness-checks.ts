import type { Config } from '../config/schema.js';
import { FhirClient } from '../fhir/client.js';
import type { Db } from '../store/db.js';
import type { HealthCheck, HealthRegistry } from '../observability/health.js';

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

/**
 * Registers `store` and one `fhir:ehr:<tenant>` / `fhir:lw:<endpoint>` check per configured endpoint.
 * `/metadata` is fetched without credentials (SMART servers serve it publicly), so probes cost no
 * token traffic; `sp-link doctor` is the place that proves the credentials.
 */
export function registerCoreChecks(registry: HealthRegistry, deps: { db: Db; config: Pick<Config, 'tenants' | 'linkWorkerEndpoints'> }): void {
  registry.register('store', dbCheck(deps.db));
  const probe = (fhirBase: string) => fhirMetadataCheck(new FhirClient({ baseUrl: fhirBase, retry: { timeoutMs: 2000, maxAttempts: 1 } }));
  for (const t of deps.config.tenants) registry.register(`fhir:ehr:${t.id}`, probe(t.ehr.fhirBase));
  for (const e of deps.config.linkWorkerEndpoints) registry.register(`fhir:lw:${e.id}`, probe(e.fhirBase));
}
