import type { JWK } from 'jose';
import type { Config } from '../../config/schema.js';
import type { SandboxClient } from './smart-provider.js';

/** SP Link's SMART Backend Services client (SMART App Launch 2.x §Backend Services), at both sandbox servers. */
export const BACKEND_CLIENT_ID = 'sp-link-backend';

/**
 * The documented developer client. Weakened security, on purpose and by name: a well-known secret that
 * gets `system/*` access. Registered only when `sandbox.allowInsecureDeveloperClient` is true.
 */
export const DEVELOPER_CLIENT = { clientId: 'sandbox-dev', clientSecret: 'sandbox-dev-secret', scope: 'system/*.cruds' } as const;

export function backendClient(publicJwk: JWK): SandboxClient {
  return {
    contexts: ['system'],
    metadata: {
      client_id: BACKEND_CLIENT_ID,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS384',
      jwks: { keys: [publicJwk as never] },
    },
  };
}

export function developerClient(): SandboxClient {
  return {
    contexts: ['system'],
    metadata: {
      client_id: DEVELOPER_CLIENT.clientId,
      client_secret: DEVELOPER_CLIENT.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  };
}

/**
 * The GP app as registered at the sandbox EHR: one confidential symmetric client per tenant whose
 * allowlist names this EHR (SMART App Launch 2.x §Confidential symmetric clients, HTTP Basic).
 */
export function gpAppClients(config: Config, ehrBase: string): SandboxClient[] {
  const redirectUri = `${config.server.publicUrl}/smart/callback`;
  const seen = new Set<string>();
  const clients: SandboxClient[] = [];
  for (const t of config.tenants) {
    if (!t.smart.issAllowlist.includes(ehrBase) || !t.smart.clientSecret || seen.has(t.smart.clientId)) continue;
    seen.add(t.smart.clientId);
    clients.push({
      contexts: ['patient', 'user'],
      metadata: {
        client_id: t.smart.clientId,
        client_secret: t.smart.clientSecret,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'openid fhirUser offline_access online_access launch launch/patient launch/encounter',
      },
    });
  }
  return clients;
}
