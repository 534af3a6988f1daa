import { HOSTED_SELF_CLIENT_ID, type EndpointAuthConfig } from '../../config/schema.js';
import { hostedSelfAuth } from './hosted-token.js';
import { loadPrivateKey } from './keys.js';
import { clientCredentialsAuth, smartBackendAuth } from './oauth.js';
import { bearerAuth, noAuth, type AuthProvider } from './types.js';

export type { AuthProvider, AuthProviderInfo } from './types.js';
export { bearerAuth, noAuth } from './types.js';
export { clientCredentialsAuth, ignoreIdToken, smartBackendAuth } from './oauth.js';
export { chooseAuthMethod, clientAuthFor, clientSecretBasic, formEncodeCredential, TOKEN_ENDPOINT_AUTH_METHODS, type ClientCredentials, type TokenEndpointAuthMethod } from './client-auth.js';
export { discoverServerMetadata, fetchOauthMetadata, metadataForTokenUrl, oauthMetadataUrls, type DiscoveredMetadata } from './server-metadata.js';
export { fetchSmartConfiguration, smartConfigurationUrl, type SmartConfiguration } from './smart-configuration.js';
export { importPrivateKey, loadPrivateKey } from './keys.js';
export { HOSTED_TOKEN_LIFETIME_SECONDS, HostedTokenError, signHostedAccessToken, verifyHostedAccessToken, type HostedTokenClaims } from './hosted-token.js';

export interface AuthFactoryOptions {
  /** Token request timeout (ms). */
  timeoutMs?: number;
  /** See ClientCredentialsOptions.allowInsecureHttp. */
  allowInsecureHttp?: boolean;
}

/** Builds the auth provider for one configured endpoint (tenant EHR backend identity or link-worker endpoint). */
export async function createAuthProvider(auth: EndpointAuthConfig, fhirBase: string, opts: AuthFactoryOptions = {}): Promise<AuthProvider> {
  switch (auth.type) {
    case 'none':
      return noAuth;
    case 'bearer':
      return bearerAuth(auth.token);
    case 'client-credentials':
      return clientCredentialsAuth({
        fhirBase,
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        scope: auth.scope,
        tokenUrl: auth.tokenUrl,
        ...(auth.tokenEndpointAuthMethod ? { tokenEndpointAuthMethod: auth.tokenEndpointAuthMethod } : {}),
        ...opts,
      });
    case 'smart-backend':
      return smartBackendAuth({
        fhirBase,
        clientId: auth.clientId,
        scope: auth.scope,
        tokenUrl: auth.tokenUrl,
        kid: auth.kid,
        privateKey: await loadPrivateKey(auth, auth.alg),
        ...opts,
      });
    case 'hosted':
      // SP Link's own components at a record it hosts: every interaction, as the workspace and reconciler need.
      return hostedSelfAuth({ key: auth.key, fhirBase, clientId: HOSTED_SELF_CLIENT_ID, scope: 'system/*.cruds' });
    default:
      return auth satisfies never;
  }
}
