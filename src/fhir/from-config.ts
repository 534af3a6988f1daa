import type { EndpointAuthConfig } from '../config/schema.js';
import { createAuthProvider, type AuthFactoryOptions } from './auth/index.js';
import { FhirClient, type FhirClientOptions } from './client.js';

/** A configured FHIR endpoint: a tenant's `ehr` block or a `linkWorkerEndpoints` entry. */
export interface FhirEndpointConfig {
  fhirBase: string;
  auth: EndpointAuthConfig;
  /** Link-worker endpoints behind a gateway: see FhirClientOptions.nextLinkBase. */
  nextLinkBase?: string;
}

/** Builds a FhirClient with SP Link's backend identity at `endpoint` (loads keys, nothing fetched yet). */
export async function createFhirClientFor(
  endpoint: FhirEndpointConfig,
  opts: Omit<FhirClientOptions, 'baseUrl' | 'auth'> & { auth?: AuthFactoryOptions } = {},
): Promise<FhirClient> {
  const { auth: authOpts, ...clientOpts } = opts;
  const auth = await createAuthProvider(endpoint.auth, endpoint.fhirBase, authOpts);
  return new FhirClient({ ...clientOpts, baseUrl: endpoint.fhirBase, auth, ...(endpoint.nextLinkBase ? { nextLinkBase: endpoint.nextLinkBase } : {}) });
}
