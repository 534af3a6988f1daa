import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** What a sealed session looks like in `sessions.data`: nothing readable but the format version. */
export interface SealedSession {
  v: 1;
  enc: string;
}

/**
 * Session data at rest is encrypted (AES-256-GCM, key derived from `server.sessionSecret` with HKDF): GP sessions
 * hold EHR access and refresh tokens, workspace sessions hold staff identity and unsaved form work, and neither
 * should be readable from a database dump or backup. Changing the secret invalidates every session (users sign in again).
 */
export class SessionCipher {
  private readonly key: Buffer;

  /** `purpose` separates keys for different kinds of data sealed with one secret (HKDF info). */
  constructor(secret: string, purpose = 'sp-link session data at rest v1') {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'sp-link', purpose, 32));
  }

  seal(data: unknown): SealedSession {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    return { v: 1, enc: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url') };
  }

  /** The session, or undefined when the row is not a session sealed with this key (tampered, other secret, plain). */
  open<T>(stored: unknown): T | undefined {
    if (!stored || typeof stored !== 'object' || (stored as SealedSession).v !== 1 || typeof (stored as SealedSession).enc !== 'string') return undefined;
    try {
      const raw = Buffer.from((stored as SealedSession).enc, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}
