import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * Sandbox key material, generated on first start into `{dataDir}/sandbox-keys/` and reused afterwards,
 * so tokens and the backend client's key survive a restart. Files are written owner-readable only.
 */

export const SANDBOX_KEYS_DIR = 'sandbox-keys';
/** Key id of SP Link's backend-services key pair; config `auth.kid` refers to it. */
export const BACKEND_CLIENT_KID = 'sp-link-backend-1';
export const BACKEND_CLIENT_KEY_FILE = 'sp-link-backend.private.jwk.json';

export const sandboxKeysDir = (dataDir: string): string => path.resolve(dataDir, SANDBOX_KEYS_DIR);

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `value` unless the file appeared meanwhile (another process won), then returns what is on disk. */
async function writeOnce<T>(file: string, value: T): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, JSON.stringify(value, null, 2), { flag: 'wx', mode: 0o600 });
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readJson<T>(file)) as T;
  }
}

async function privateJwk(alg: 'RS384' | 'ES384', kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

/** Public half of a private JWK (RSA or EC). */
export function publicJwk(jwk: JWK): JWK {
  const { kty, kid, alg, use, n, e, crv, x, y } = jwk;
  return Object.fromEntries(Object.entries({ kty, kid, alg, use, n, e, crv, x, y }).filter(([, v]) => v !== undefined)) as JWK;
}

/**
 * Signing keys of one sandbox authorization server (`name` = ehr-auth, lw-auth, idp): an RSA key
 * (RS256 for ID tokens, RS384 for access tokens) and a P-384 key (ES384).
 */
export async function loadServerSigningKeys(dataDir: string, name: string): Promise<{ keys: JWK[] }> {
  const file = path.join(sandboxKeysDir(dataDir), `${name}-signing.jwks.json`);
  const existing = await readJson<{ keys: JWK[] }>(file);
  if (existing) return existing;
  const rsa = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const ec = await privateJwk('ES384', `${name}-es384`);
  return writeOnce(file, { keys: [{ ...(await exportJWK(rsa.privateKey)), kid: `${name}-rsa`, use: 'sig' }, ec] });
}

/** SP Link's SMART Backend Services key pair (RS384); the private JWK file is what config `privateKeyFile` names. */
export async function loadBackendClientKey(dataDir: string): Promise<{ file: string; privateJwk: JWK; publicJwk: JWK }> {
  const file = path.join(sandboxKeysDir(dataDir), BACKEND_CLIENT_KEY_FILE);
  const jwk = (await readJson<JWK>(file)) ?? (await writeOnce(file, await privateJwk('RS384', BACKEND_CLIENT_KID)));
  return { file, privateJwk: jwk, publicJwk: publicJwk(jwk) };
}
