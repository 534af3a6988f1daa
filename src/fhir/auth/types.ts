/** Supplies SP Link's own credentials for a FHIR endpoint. */
export interface AuthProvider {
  readonly type: 'none' | 'bearer' | 'client-credentials' | 'smart-backend' | 'hosted';
  /** `Authorization` header value, or undefined for unauthenticated endpoints. May fetch a token. */
  authorization(signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Called after a 401 answered a request sent with `rejected`. Drops that token if it is still cached and
   * returns true when asking again can yield a different credential (false for static ones).
   */
  invalidate(rejected: string | undefined): boolean;
  /** What an OAuth provider settled on (known after the first token request), for the doctor and logs. */
  info?(): AuthProviderInfo;
}

export interface AuthProviderInfo {
  tokenEndpoint?: string;
  tokenEndpointAuthMethod?: string;
  /** The `scope` of the last token response, when the server sent one (RFC 6749 §5.1: absent means as requested). */
  grantedScope?: string;
}

export const noAuth: AuthProvider = Object.freeze({
  type: 'none' as const,
  authorization: () => Promise.resolve(undefined),
  invalidate: () => false,
});

/** A static bearer token from configuration; nothing to refresh. */
export function bearerAuth(token: string): AuthProvider {
  const header = `Bearer ${token}`;
  return {
    type: 'bearer',
    authorization: () => Promise.resolve(header),
    invalidate: () => false,
  };
}
