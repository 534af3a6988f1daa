export { createSandboxFhirServer } from './server.js';
export type { SandboxFhirServer, SandboxFhirServerOptions } from './server.js';
export type { AuthorizeFn, FhirAccess, FhirInteraction } from './authorize.js';
export { validateOnWrite } from './validate-on-write.js';
export { sandboxDataFile } from './persistence.js';
export { SandboxRepository } from './repository.js';
export type { Change, ChangeInteraction } from './repository.js';
export { ensureR4Definitions } from './definitions.js';
