export { DIALECTS, DIALECT_NAMES, dialect, type Dialect, type DialectName, type SubscriptionActivation } from './presets.js';
export { fhirDialectLayer, type FhirDialectLayerOptions } from './fhir-layer.js';
export { authDialectMiddleware, publishedAuthMethods, rawBasicAsDecoded, registeredSecretMethod } from './auth-layer.js';
export { VersionIdCodec } from './version-ids.js';
