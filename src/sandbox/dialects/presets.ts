import { DIALECT_NAMES, type DialectName } from '../../config/schema.js';
import type { SubscriptionActivation } from '../../fhir-server/index.js';

/**
 * Sandbox "dialects": behaviours of FHIR and authorization servers SP Link meets in the field, reproduced by
 * layers around the sandbox servers (never inside their storage) so that SP Link's tests run against more than
 * its own reference behaviour. Each preset names the product whose observed behaviour it reproduces; only the
 * listed behaviours are claimed (docs/INTEGRATION.md, "Dialects").
 */
export { DIALECT_NAMES, type DialectName };

/** How `requested` rest-hook Subscriptions become active: on-create, async (server, shortly after) or by-client. */
export type { SubscriptionActivation };

export interface Dialect {
  readonly name: DialectName;
  // FHIR server
  /** `meta.versionId` as integers (1, 2, …) or opaque UUIDs; FHIR allows any id (R4 resource.html#Meta). */
  readonly versionIds: 'integer' | 'uuid';
  /** What the CapabilityStatement declares as `resource.versioning`, whatever the server does with If-Match. */
  readonly declaredVersioning: 'versioned-update' | 'versioned';
  readonly subscriptionActivation: SubscriptionActivation;
  /** Writes carrying `meta.profile` are refused (403) unless the token may read StructureDefinition. */
  readonly profileWritesNeedStructureDefinitionRead: boolean;
  // Authorization server
  /** How the token endpoint reads the Basic header: form-decoded (RFC 6749 §2.3.1) or compared raw. */
  readonly basicCredentials: 'form-decoded' | 'raw';
  /** Client authentication methods for secrets the token endpoint accepts and publishes (clients are registered with the first). */
  readonly secretAuthMethods: readonly ('client_secret_basic' | 'client_secret_post')[];
  /** An ES256 `id_token` added to token responses that have none (client_credentials included). */
  readonly idTokenInEveryTokenResponse: boolean;
  /** Token responses leave out `fhirUser` and the id_token (a launch without a user). */
  readonly omitFhirUser: boolean;
}

const BASE: Dialect = {
  name: 'sp-link',
  versionIds: 'integer',
  declaredVersioning: 'versioned-update',
  subscriptionActivation: 'on-create',
  profileWritesNeedStructureDefinitionRead: false,
  basicCredentials: 'form-decoded',
  secretAuthMethods: ['client_secret_basic'],
  idTokenInEveryTokenResponse: false,
  omitFhirUser: false,
};

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  /** SP Link's own reference behaviour. */
  'sp-link': BASE,
  /** Medplum server (4.x): UUID version ids, raw Basic, ES256 id_token, client-activated Subscriptions, profile reads. */
  medplum: {
    ...BASE,
    name: 'medplum',
    versionIds: 'uuid',
    declaredVersioning: 'versioned',
    subscriptionActivation: 'by-client',
    profileWritesNeedStructureDefinitionRead: true,
    basicCredentials: 'raw',
    idTokenInEveryTokenResponse: true,
  },
  /** HAPI FHIR JPA (behind an OAuth server configured for client_secret_post): Subscriptions activate asynchronously. */
  hapi: {
    ...BASE,
    name: 'hapi',
    subscriptionActivation: 'async',
    secretAuthMethods: ['client_secret_post'],
  },
  /** The SMART reference launcher (smart-launcher-v2) as the EHR: raw Basic, launches without fhirUser. */
  'smart-launcher': {
    ...BASE,
    name: 'smart-launcher',
    basicCredentials: 'raw',
    omitFhirUser: true,
  },
};

export function dialect(name: DialectName | undefined): Dialect {
  return DIALECTS[name ?? 'sp-link'];
}
