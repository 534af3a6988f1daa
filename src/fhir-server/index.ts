export { createFhirServer } from './server.js';
export type { FhirServer, FhirServerOptions } from './server.js';
export type { AuthorizeFn, FhirAccess, FhirInteraction } from './authorize.js';
export { authorizeOrThrow } from './authorize.js';
export type { SubscriptionActivation } from './subscriptions.js';
export { validateOnWrite } from './validate-on-write.js';
export { sandboxDataFile } from './data-file-import.js';
export { ensureR4Definitions } from './definitions.js';
