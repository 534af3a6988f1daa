/**
 * A production-shaped configuration file (sandbox off): one practice, Riverside Surgery, with its EHR and SMART
 * client, pointing at one link-worker endpoint. Tests supply the parts they are about; the rest stays as a real
 * deployment writes it.
 */
export interface ProductionYaml {
  /** The `server:` section's lines (indented two spaces). */
  server: string;
  /** The EHR's bearer token as written in the file (a value or an `${ENV}` placeholder). */
  ehrToken?: string;
  /** The tenant's `linkWorkerEndpoint`. */
  linkWorkerEndpoint?: string;
  /** The `linkWorkerEndpoints:` list items. */
  endpoints: string;
  /** Everything after the endpoints (`reconcile:`, `admin:` and any other top-level section). */
  rest: string;
}

export function productionYaml(o: ProductionYaml): string {
  return `
server:
${o.server}
tenants:
  - id: riverside
    name: Riverside Surgery
    ehr:
      fhirBase: https://ehr.example.nhs.uk/fhir
      auth: { type: bearer, token: ${o.ehrToken ?? 'tok'} }
    smart:
      clientId: sp-link
      clientSecret: s3cret
      issAllowlist: [https://ehr.example.nhs.uk/fhir]
      scopes: launch openid fhirUser patient/ServiceRequest.crus
    linkWorkerEndpoint: ${o.linkWorkerEndpoint ?? 'links'}
linkWorkerEndpoints:
${o.endpoints}
${o.rest}`;
}
