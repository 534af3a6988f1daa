import { readFile } from 'node:fs/promises';
import { importJWK, importPKCS8, type JWK } from 'jose';
import { FhirAuthError } from '../errors.js';

export type SigningAlg = 'RS384' | 'ES384';

/** Imports a private key given as a JWK (JSON text) or PKCS#8 PEM, for signing client assertions. */
export async function importPrivateKey(text: string, alg: SigningAlg): Promise<CryptoKey> {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as JWK;
      if (!jwk.d) throw new Error('the JWK has no private part ("d")');
      const key = await importJWK(jwk, alg);
      if (key instanceof Uint8Array) throw new Error('expected an asymmetric key');
      return key;
    }
    return await importPKCS8(trimmed, alg);
  } catch (err) {
    // Never include the key material in the message.
    throw new FhirAuthError(`cannot use the configured private key for ${alg}: ${(err as Error).message.split('\n')[0]}`, false, err);
  }
}

export async function loadPrivateKey(source: { privateKey?: string; privateKeyFile?: string }, alg: SigningAlg): Promise<CryptoKey> {
  if (source.privateKey) return importPrivateKey(source.privateKey, alg);
  if (!source.privateKeyFile) throw new FhirAuthError('no private key configured (privateKey or privateKeyFile)', false);
  let text: string;
  try {
    text = await readFile(source.privateKeyFile, 'utf8');
  } catch (err) {
    throw new FhirAuthError(`cannot read private key file ${source.privateKeyFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, false, err);
  }
  return importPrivateKey(text, alg);
}
