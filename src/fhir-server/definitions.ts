// The R4 definitions are indexed once per process for validation, the sandbox and the FHIR store alike.
export { ensureR4Definitions } from '../fhir/r4-definitions.js';
