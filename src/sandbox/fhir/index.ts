export { createSandboxFhirServer } from './server.js';
export type { SandboxFhirServer, SandboxFhirServerOptions } from './server.js';
export type { AuthorizeFn, FhirAccess, FhirInteraction } from './authorize.js';
export { validateOnWrite } from './validate-on-write.js';
export { sandboxDataFile } from './data-file-import.js';
export { ensureR4Definitions } from './definitions.js';
