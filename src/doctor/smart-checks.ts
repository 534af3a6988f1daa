import type { EndpointAuthConfig, TenantConfig } from '../config/schema.js';
import { chooseAuthMethod } from '../fhir/auth/client-auth.js';
import type { SmartConfiguration } from '../fhir/auth/smart-configuration.js';
import type { DoctorCheck } from './types.js';

/**
 * SMART App Launch 2.x conformance (§"SMART on FHIR Well-Known Uniform Resource Identifiers"): what an
 * EHR launch of the GP app needs from the EHR's authorization server.
 */
export function checkEhrLaunchConfiguration(
  endpoint: string,
  smart: SmartConfiguration,
  opts: { confidentialSymmetric: boolean; smart?: Pick<TenantConfig['smart'], 'tokenEndpointAuthMethod' | 'clientSecret' | 'privateKey' | 'privateKeyFile'> },
): DoctorCheck[] {
  const caps = new Set(smart.capabilities ?? []);
  const clientCap = opts.confidentialSymmetric ? 'client-confidential-symmetric' : 'client-confidential-asymmetric';
  const required = ['launch-ehr', 'context-ehr-patient', clientCap];
  const missing = required.filter((c) => !caps.has(c));
  const checks: DoctorCheck[] = [];
  const add = (check: string, ok: boolean, detail: string, fix: string) =>
    checks.push({ endpoint, check, status: ok ? 'PASS' : 'FAIL', detail, ...(ok ? {} : { fix }) });
  add(
    'SMART: issuer',
    typeof smart.issuer === 'string' && smart.issuer.length > 0,
    smart.issuer ? `issuer ${smart.issuer}` : 'no issuer',
    'The smart-configuration must publish `issuer`; SP Link checks tokens and RFC 9207 responses against it.',
  );
  add(
    'SMART: authorization and token endpoints',
    Boolean(smart.authorization_endpoint && smart.token_endpoint),
    `authorization_endpoint ${smart.authorization_endpoint ? 'present' : 'missing'}, token_endpoint ${smart.token_endpoint ? 'present' : 'missing'}`,
    'EHR launch needs both authorization_endpoint and token_endpoint in the smart-configuration.',
  );
  const s256 = smart.code_challenge_methods_supported?.includes('S256') ?? false;
  add(
    'SMART: PKCE S256',
    s256,
    `code_challenge_methods_supported: ${(smart.code_challenge_methods_supported ?? []).join(', ') || '(none)'}`,
    'SP Link always uses PKCE with S256 (SMART 2.x requires it); enable S256 on the authorization server.',
  );
  add(
    'SMART: capabilities',
    missing.length === 0,
    missing.length === 0 ? required.join(', ') : `missing ${missing.join(', ')}`,
    `The authorization server must advertise ${required.join(', ')} for the GP app's EHR launch.`,
  );
  if (opts.smart) {
    const s = opts.smart;
    const hasKey = Boolean(s.privateKey || s.privateKeyFile);
    const method = chooseAuthMethod(s.tokenEndpointAuthMethod, { ...(s.clientSecret ? { clientSecret: s.clientSecret } : {}), ...(hasKey ? { signingKey: { key: {} as CryptoKey, kid: '' } } : {}) }, smart.token_endpoint_auth_methods_supported);
    checks.push(methodCheck(endpoint, 'SMART: GP app client authentication', method, Boolean(s.tokenEndpointAuthMethod), smart.token_endpoint_auth_methods_supported, 'smart.tokenEndpointAuthMethod'));
  }
  return checks;
}

/** The client authentication method SP Link will use against what the server publishes (RFC 8414 `token_endpoint_auth_methods_supported`). */
function methodCheck(endpoint: string, check: string, method: string, configured: boolean, published: readonly string[] | undefined, key: string): DoctorCheck {
  const how = configured ? `${method} (configured)` : `${method} (chosen from the server's list)`;
  if (method === 'none' || !published || published.includes(method)) {
    return { endpoint, check, status: 'PASS', detail: published ? `${how}; the server lists ${published.join(', ')}` : `${how}; the server lists no methods` };
  }
  return {
    endpoint,
    check,
    status: 'FAIL',
    detail: `${how}; the server lists only ${published.join(', ')}`,
    fix: `Set ${key} to one of ${published.join(', ')} (with the credential it needs), or have the server accept ${method}.`,
  };
}

/** What a backend (client_credentials) identity needs from the token endpoint's metadata. */
export function checkBackendConfiguration(endpoint: string, smart: SmartConfiguration, auth: EndpointAuthConfig): DoctorCheck[] {
  if (auth.type !== 'smart-backend' && auth.type !== 'client-credentials') return [];
  const methods = smart.token_endpoint_auth_methods_supported;
  const grants = smart.grant_types_supported;
  const checks: DoctorCheck[] = [];
  const grantOk = !grants || grants.includes('client_credentials');
  checks.push({
    endpoint,
    check: 'SMART: client_credentials grant',
    status: grantOk ? 'PASS' : 'FAIL',
    detail: grants ? `grant_types_supported: ${grants.join(', ')}` : 'grant_types_supported not published',
    ...(grantOk ? {} : { fix: 'Backend access uses the client_credentials grant; enable it for SP Link\'s client.' }),
  });
  if (auth.type === 'smart-backend') {
    checks.push(methodCheck(endpoint, 'SMART: private_key_jwt', 'private_key_jwt', true, methods, 'auth.type (smart-backend uses private_key_jwt)'));
  } else {
    const method = chooseAuthMethod(auth.tokenEndpointAuthMethod, { clientSecret: auth.clientSecret }, methods);
    checks.push(methodCheck(endpoint, 'SMART: client secret authentication', method, Boolean(auth.tokenEndpointAuthMethod), methods, 'auth.tokenEndpointAuthMethod'));
  }
  if (auth.type === 'smart-backend') {
    const algs = smart.token_endpoint_auth_signing_alg_values_supported;
    const ok = !algs || algs.includes(auth.alg);
    checks.push({
      endpoint,
      check: `SMART: ${auth.alg} assertions`,
      status: ok ? 'PASS' : 'FAIL',
      detail: algs ? `signing algs: ${algs.join(', ')}` : 'signing algs not published',
      ...(ok ? {} : { fix: `Set auth.alg to one of ${algs?.join(', ')} and register the matching public key.` }),
    });
  }
  return checks;
}
