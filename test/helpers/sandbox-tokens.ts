/**
 * Access tokens for calling the protected sandbox FHIR servers from tests, obtained over real HTTP with the
 * sandbox developer client (client_credentials, HTTP Basic sandbox-dev / sandbox-dev-secret), which exists
 * only when `sandbox.allowInsecureDeveloperClient` is true (config/default.yaml sets it).
 *
 *   const token = await getDevToken(system.url, 'lw');
 *   await fetch(`${system.url}/sandbox/lw/fhir/Task`, { headers: { authorization: `Bearer ${token}` } });
 */

export type SandboxServer = 'ehr' | 'lw';

/**
 * `baseUrl` = where SP Link runs, e.g. http://localhost:3000. Not cached: a later test system may reuse the
 * port with new keys, and a token costs one local round trip. Tokens live one hour.
 */
export async function getDevToken(baseUrl: string, server: SandboxServer, scope = 'system/*.cruds'): Promise<string> {
  const origin = baseUrl.replace(/\/+$/, '');
  const smart = await fetch(`${origin}/sandbox/${server}/fhir/.well-known/smart-configuration`);
  if (!smart.ok) throw new Error(`smart-configuration of the sandbox ${server} server: HTTP ${smart.status}`);
  const meta = (await smart.json()) as { token_endpoint: string; token_endpoint_auth_methods_supported?: string[] };
  // As any client would: Basic unless the server (a dialect, src/sandbox/dialects) publishes client_secret_post only.
  const post = meta.token_endpoint_auth_methods_supported?.includes('client_secret_basic') === false;
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: {
      ...(post ? {} : { authorization: `Basic ${Buffer.from('sandbox-dev:sandbox-dev-secret').toString('base64')}` }),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...(post ? { client_id: 'sandbox-dev', client_secret: 'sandbox-dev-secret' } : {}) }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) {
    throw new Error(`sandbox developer token for ${server}: HTTP ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
  }
  return body.access_token;
}

/** `Authorization` header for the sandbox developer client. */
export async function devAuthHeader(baseUrl: string, server: SandboxServer, scope?: string): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await getDevToken(baseUrl, server, scope)}` };
}
