import * as client from 'openid-client';
import { FhirAuthError } from '../errors.js';

/**
 * How a client proves who it is at a token endpoint (RFC 7591 §2 `token_endpoint_auth_method`; SMART App Launch
 * 2.x §Client authentication). `none` is a public client (the GP app without a secret or key).
 */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** The credentials a client has; which methods it can use follows from them. */
export interface ClientCredentials {
  clientSecret?: string;
  /** For private_key_jwt. */
  signingKey?: { key: CryptoKey; kid: string };
}

/**
 * One value of an `application/x-www-form-urlencoded` payload, as the WHATWG URL standard serialises it (the
 * encoding RFC 6749 §2.3.1 asks for in the Basic header). Letters, digits and `*-._` stay as they are, so
 * typical client ids and secrets (UUIDs, `sp-link`, hex or base64url secrets) reach the server byte for byte
 * whether or not it form-decodes the header (many do not: Medplum, the SMART reference launcher). Everything
 * else is percent-encoded, as it must be for a server that decodes (`:` in an id would otherwise split it).
 */
export function formEncodeCredential(value: string): string {
  return new URLSearchParams([['v', value]]).toString().slice(2);
}

/** `client_secret_basic` with the encoding above (openid-client's own also escapes `-_.!~*'()`, which many servers do not decode). */
export function clientSecretBasic(secret: string): client.ClientAuth {
  return (_as, c, _body, headers) => {
    const credentials = `${formEncodeCredential(c.client_id)}:${formEncodeCredential(secret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials, 'latin1').toString('base64')}`);
  };
}

/**
 * The openid-client `ClientAuth` for a method. private_key_jwt signs the assertion with `aud` = the token
 * endpoint, which SMART Backend Services requires (§"Protocol details"); openid-client would use the issuer.
 */
export function clientAuthFor(method: TokenEndpointAuthMethod, creds: ClientCredentials, tokenEndpoint: string): client.ClientAuth {
  switch (method) {
    case 'client_secret_basic':
      return clientSecretBasic(requireSecret(creds, method));
    case 'client_secret_post':
      return client.ClientSecretPost(requireSecret(creds, method));
    case 'private_key_jwt': {
      if (!creds.signingKey) throw new FhirAuthError('token_endpoint_auth_method private_key_jwt needs a private key (privateKey or privateKeyFile) and kid', false);
      return client.PrivateKeyJwt(creds.signingKey, {
        [client.modifyAssertion]: (header, payload) => {
          header.typ = 'JWT';
          payload.aud = tokenEndpoint;
        },
      });
    }
    case 'none':
      return client.None();
    default:
      return method satisfies never;
  }
}

function requireSecret(creds: ClientCredentials, method: TokenEndpointAuthMethod): string {
  if (!creds.clientSecret) throw new FhirAuthError(`token_endpoint_auth_method ${method} needs a client secret`, false);
  return creds.clientSecret;
}

/**
 * The method to use: the configured one, else the best the client's credentials allow among what the server
 * publishes (`token_endpoint_auth_methods_supported`). A key means private_key_jwt; a secret means Basic when the
 * server lists it or lists nothing (RFC 8414 §2: absent means client_secret_basic), else client_secret_post;
 * neither means a public client.
 */
export function chooseAuthMethod(configured: TokenEndpointAuthMethod | undefined, creds: ClientCredentials, supported: readonly string[] | undefined): TokenEndpointAuthMethod {
  if (configured) return configured;
  if (creds.signingKey) return 'private_key_jwt';
  if (!creds.clientSecret) return 'none';
  if (!supported || supported.length === 0 || supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  return 'client_secret_basic';
}
