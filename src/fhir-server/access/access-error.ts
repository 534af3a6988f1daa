/**
 * A denied FHIR request. The sandbox FHIR server turns `httpStatus` 401/403 into the matching
 * OperationOutcome; `challenge` is the RFC 6750 §3 `WWW-Authenticate` value sent with it.
 */
export class AccessError extends Error {
  constructor(
    readonly httpStatus: 401 | 403,
    message: string,
    readonly challenge: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

const quote = (s: string): string => s.replace(/["\\]/g, '');

/** 401: no token, or one that is not valid here (RFC 6750 §3.1 `invalid_token`). */
export const unauthenticated = (realm: string, reason?: string): AccessError =>
  new AccessError(
    401,
    reason ?? 'A bearer access token is required',
    reason ? `Bearer realm="${quote(realm)}", error="invalid_token", error_description="${quote(reason)}"` : `Bearer realm="${quote(realm)}"`,
  );

/** 403: the token is valid but its scopes or patient context do not allow this (RFC 6750 §3.1 `insufficient_scope`). */
export const forbidden = (realm: string, reason: string): AccessError =>
  new AccessError(403, reason, `Bearer realm="${quote(realm)}", error="insufficient_scope", error_description="${quote(reason)}"`);
