/** Example values quoted in config error messages, keyed by the last meaningful path segment. */
const EXAMPLES: Record<string, string> = {
  fhirBase: 'fhirBase: https://gp-system.example.nhs.uk/fhir/R4',
  publicUrl: 'publicUrl: https://sp-link.example.nhs.uk',
  sessionSecret: 'sessionSecret: ${SP_LINK_SESSION_SECRET}',
  issAllowlist: 'issAllowlist: [https://gp-system.example.nhs.uk/fhir/R4]',
  scopes: 'scopes: launch openid fhirUser patient/Patient.r patient/ServiceRequest.cru',
  auth: 'auth: { type: smart-backend, clientId: sp-link, scope: system/Task.cru, privateKey: ${SP_LINK_LW_KEY}, kid: key-1 }',
  type: 'type: none | bearer | client-credentials | smart-backend',
  linkWorkerEndpoint: 'linkWorkerEndpoint: community-links',
  webhookSecret: 'webhookSecret: ${SP_LINK_WEBHOOK_SECRET}',
  token: 'token: ${SP_LINK_ADMIN_TOKEN}',
  id: 'id: riverside-practice',
  pollSchedule: "pollSchedule: '*/15 * * * * *'",
  odsCode: 'odsCode: Y12345',
  port: 'port: 3000',
  issuer: 'issuer: https://login.example.org/realms/link-workers',
  knownAgencies: 'knownAgencies: [{ id: riverside-pharmacy, name: Riverside Pharmacy, odsCode: FA123, oidc: { issuer: https://login.example.org, clientId: sp-link-agency-form, clientSecret: ${SP_LINK_AGENCY_FORM_CLIENT_SECRET}, roles: [pharmacist] } }]',
  clientSecret: 'clientSecret: ${SP_LINK_SMART_CLIENT_SECRET}',
  tenants: 'tenants: [{ id: riverside-practice, name: Riverside Surgery, ehr: {...}, smart: {...}, linkWorkerEndpoint: community-links }]',
  linkWorkerEndpoints: 'linkWorkerEndpoints: [{ id: community-links, name: Community Links, fhirBase: https://..., auth: {...} }]',
};

export function exampleFor(path: (string | number)[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'string' && EXAMPLES[seg]) return EXAMPLES[seg];
  }
  return undefined;
}
