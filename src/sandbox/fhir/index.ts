// The sandbox's EHR and link-worker servers are SP Link's FHIR server (src/fhir-server) with demo data and the
// sandbox's authorization servers in front.
export { createFhirServer as createSandboxFhirServer, sandboxDataFile, validateOnWrite, ensureR4Definitions } from '../../fhir-server/index.js';
export type { FhirServer as SandboxFhirServer, FhirServerOptions as SandboxFhirServerOptions, AuthorizeFn, FhirAccess, FhirInteraction } from '../../fhir-server/index.js';
