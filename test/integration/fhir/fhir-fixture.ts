import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { generateKeyPair, jwtVerify, type CryptoKey as JoseKey } from 'jose';
import { createSandboxFhirServer, type SandboxFhirServer } from '../../../src/sandbox/fhir/index.js';

export const BACKEND_CLIENT_ID = 'sp-link-backend';
export const BACKEND_KID = 'k1';

export interface FhirFixture {
  app: Express;
  origin: string;
  /** FHIR base of the sandbox server, e.g. http://127.0.0.1:PORT/fhir */
  base: string;
  tokenUrl: string;
  keys: { publicKey: JoseKey; privateKey: JoseKey };
  fhir: SandboxFhirServer;
  /** Tokens the FHIR server currently accepts; clear it to simulate revocation. */
  validTokens: Set<string>;
  tokenRequests(): number;
  close(): Promise<void>;
}

/**
 * A real HTTP FHIR endpoint for tests: the sandbox FHIR server behind a SMART Backend Services token
 * endpoint that verifies `private_key_jwt` assertions (aud = token endpoint) and a smart-configuration
 * advertising EHR launch. Requests to the FHIR server need a token it issued, except /metadata.
 */
export async function startFhirFixture(): Promise<FhirFixture> {
  const keys = await generateKeyPair('RS384', { extractable: true });
  const app = express();
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const base = `${origin}/fhir`;
  const tokenUrl = `${origin}/auth/token`;
  const validTokens = new Set<string>();
  let tokenRequests = 0;

  app.post('/auth/token', express.urlencoded({ extended: false }), async (req, res) => {
    tokenRequests++;
    const body = req.body as Record<string, string>;
    try {
      if (body.grant_type !== 'client_credentials') throw new Error('grant_type');
      if (body.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw new Error('assertion type');
      const { protectedHeader } = await jwtVerify(body.client_assertion!, keys.publicKey, {
        audience: tokenUrl,
        issuer: BACKEND_CLIENT_ID,
        subject: BACKEND_CLIENT_ID,
        typ: 'JWT',
        algorithms: ['RS384'],
      });
      if (protectedHeader.kid !== BACKEND_KID) throw new Error('kid');
    } catch (err) {
      res.status(400).json({ error: 'invalid_client', error_description: (err as Error).message });
      return;
    }
    const token = `tok-${tokenRequests}`;
    validTokens.add(token);
    res.json({ access_token: token, token_type: 'bearer', expires_in: 300, scope: body.scope });
  });
  app.get('/fhir/.well-known/smart-configuration', (_req, res) => {
    res.json({
      issuer: `${origin}/auth`,
      authorization_endpoint: `${origin}/auth/authorize`,
      token_endpoint: tokenUrl,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      capabilities: ['launch-ehr', 'context-ehr-patient', 'client-confidential-symmetric', 'client-confidential-asymmetric', 'permission-v2'],
    });
  });

  const fhir = await createSandboxFhirServer({
    name: 'lw',
    baseUrl: base,
    authorize: async (req, access) => {
      if (access.interaction === 'metadata') return;
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      if (!token || !validTokens.has(token)) throw Object.assign(new Error('invalid token'), { httpStatus: 401 });
    },
  });
  app.use('/fhir', fhir.router);

  return {
    app,
    origin,
    base,
    tokenUrl,
    keys,
    fhir,
    validTokens,
    tokenRequests: () => tokenRequests,
    close: async () => {
      await fhir.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
