import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Config, LinkWorkerEndpointConfig } from '../config/schema.js';
import { createAuthProvider } from '../fhir/auth/index.js';
import { FhirClient } from '../fhir/client.js';
import type { RetryPolicy } from '../fhir/retry.js';
import type { Topology } from './rules/index.js';

/** Validates a resource SP Link is about to write; throws (with an OperationOutcome) when it does not conform. */
export type ValidateFn = (resource: Resource) => void;

/** One link-worker endpoint and the FHIR clients the reconciler uses for it. */
export interface EndpointRuntime {
  readonly id: string;
  readonly config: LinkWorkerEndpointConfig;
  readonly topology: Topology;
  readonly lw: FhirClient;
  /** EHR client per tenant id. */
  readonly ehr: ReadonlyMap<string, FhirClient>;
}

export interface RuntimeOptions {
  /** Time budget of reconciler FHIR calls; defaults: 15 s per attempt, 4 attempts, backoff 250 ms → 8 s. */
  retry?: Partial<RetryPolicy>;
  logger: Logger;
}

/** Builds FHIR clients (SP Link's backend identity) for every endpoint and EHR in the config. */
export async function buildRuntimes(config: Config, o: RuntimeOptions): Promise<Map<string, EndpointRuntime>> {
  const ehr = new Map<string, FhirClient>();
  for (const t of config.tenants) {
    const auth = await createAuthProvider(t.ehr.auth, t.ehr.fhirBase, { allowInsecureHttp: config.sandbox.enabled });
    ehr.set(t.id, new FhirClient({ baseUrl: t.ehr.fhirBase, auth, retry: o.retry, logger: o.logger }));
  }
  const out = new Map<string, EndpointRuntime>();
  for (const e of config.linkWorkerEndpoints) {
    const auth = await createAuthProvider(e.auth, e.fhirBase, { allowInsecureHttp: config.sandbox.enabled });
    out.set(e.id, {
      id: e.id,
      config: e,
      topology: {
        endpointId: e.id,
        endpointName: e.name,
        linkWorkerBase: e.fhirBase,
        ...(e.organizationOdsCode ? { ownerOdsCode: e.organizationOdsCode } : {}),
        directOwnerOdsCodes: e.directReferrals.filter((d) => d.via === 'workspace').map((d) => d.odsCode),
        tenants: config.tenants.map((t) => ({ id: t.id, ehrBase: t.ehr.fhirBase, name: t.name, ...(t.odsCode ? { odsCode: t.odsCode } : {}) })),
        failedTaskRevokesReferral: config.reconcile.failedTaskRevokesReferral,
      },
      lw: new FhirClient({ baseUrl: e.fhirBase, auth, retry: o.retry, logger: o.logger, ...(e.nextLinkBase ? { nextLinkBase: e.nextLinkBase } : {}) }),
      ehr,
    });
  }
  return out;
}
