import type { CapabilityStatementRestSecurity } from '@medplum/fhirtypes';

/**
 * The `/.well-known/smart-configuration` document of a sandbox authorization server
 * (SMART App Launch 2.x §Conformance / smart-configuration). URLs are derived from the issuer, so
 * clients configured from it (openid-client `Configuration`) agree with the server's own checks.
 */

export interface SmartConfigurationOptions {
  issuer: string;
  /** EHR launch (authorization code) supported; false for a backend-only server. */
  ehrLaunch: boolean;
  scopes: readonly string[];
  /** `token_endpoint_auth_methods_supported` (default: client_secret_basic and private_key_jwt, what the sandbox registers). */
  authMethods?: readonly string[];
}

/** CapabilityStatement.rest.security for a SMART-protected server (SMART App Launch 2.x §Conformance, oauth-uris). */
export function smartSecurity(issuer: string, ehrLaunch: boolean): CapabilityStatementRestSecurity {
  return {
    cors: true,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'OAuth2 using SMART-on-FHIR profile' }],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'token', valueUri: `${issuer}/token` },
          ...(ehrLaunch ? [{ url: 'authorize', valueUri: `${issuer}/auth` }] : []),
        ],
      },
    ],
  };
}

export const ASSERTION_ALGS = ['RS384', 'ES384'] as const;

export function smartConfiguration(opts: SmartConfigurationOptions): Record<string, unknown> {
  const { issuer, ehrLaunch } = opts;
  const capabilities = ['client-confidential-symmetric', 'client-confidential-asymmetric', 'permission-v1', 'permission-v2'];
  if (ehrLaunch) {
    capabilities.push(
      'launch-ehr',
      'context-ehr-patient',
      'context-ehr-encounter',
      'context-banner',
      'permission-patient',
      'permission-user',
      'permission-offline',
      'sso-openid-connect',
    );
  }
  return {
    issuer,
    jwks_uri: `${issuer}/jwks`,
    ...(ehrLaunch ? { authorization_endpoint: `${issuer}/auth` } : {}),
    token_endpoint: `${issuer}/token`,
    introspection_endpoint: `${issuer}/token/introspection`,
    revocation_endpoint: `${issuer}/token/revocation`,
    ...(ehrLaunch ? { userinfo_endpoint: `${issuer}/me` } : {}),
    grant_types_supported: ehrLaunch ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['client_credentials'],
    token_endpoint_auth_methods_supported: [...(opts.authMethods ?? ['client_secret_basic', 'private_key_jwt'])],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
    scopes_supported: [...opts.scopes],
    response_types_supported: ehrLaunch ? ['code'] : [],
    code_challenge_methods_supported: ['S256'],
    capabilities,
  };
}
