import type { CapabilityStatementRestSecurity } from '@medplum/fhirtypes';

/**
 * A hosted record's SMART discovery (SMART App Launch 2.x §Conformance): backend services only, private_key_jwt
 * with RS384 or ES384, system scopes. The token endpoint is beside the FHIR base.
 */

export const ASSERTION_ALGORITHMS = ['RS384', 'ES384'];
/** `{publicUrl}/hosted/{id}/auth/token`, beside the FHIR base `{publicUrl}/hosted/{id}/fhir`. */
export const tokenEndpointOf = (fhirBase: string): string => fhirBase.replace(/\/fhir$/, '/auth/token');

export function hostedSmartConfiguration(fhirBase: string, scopes: readonly string[]): Record<string, unknown> {
  return {
    issuer: fhirBase,
    token_endpoint: tokenEndpointOf(fhirBase),
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: [...scopes],
    capabilities: ['client-confidential-asymmetric', 'permission-v1', 'permission-v2'],
  };
}

/** CapabilityStatement.rest.security: SMART, with the token endpoint (oauth-uris). */
export function hostedSecurity(fhirBase: string): CapabilityStatementRestSecurity {
  return {
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'SMART Backend Services (private_key_jwt)' }],
    extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: tokenEndpointOf(fhirBase) }] }],
  };
}
