import session from 'express-session';
import type { SessionData } from 'express-session';
import type { Db } from './db.js';
import type { SessionCipher } from './session-cipher.js';

export interface DbSessionStoreOptions {
  /** Lifetime of a session without a cookie expiry (ms). Default 24 h. */
  defaultTtlMs?: number;
  /** How often expired rows are deleted (ms); 0 disables the timer. Default 10 min. */
  pruneIntervalMs?: number;
  /** Encrypts session data at rest (SP Link always sets it; see SessionCipher). */
  cipher?: SessionCipher;
}

type Cb<T = void> = (err?: unknown, value?: T) => void;

/**
 * express-session store on SP Link's Db (table `sessions`). Expired rows are never returned and are
 * pruned on a timer, so any instance sharing the database serves any session.
 */
export class DbSessionStore extends session.Store {
  private readonly ttl: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly cipher: SessionCipher | undefined;

  constructor(
    private readonly db: Db,
    opts: DbSessionStoreOptions = {},
  ) {
    super();
    this.ttl = opts.defaultTtlMs ?? 24 * 60 * 60 * 1000;
    this.cipher = opts.cipher;
    const every = opts.pruneIntervalMs ?? 10 * 60 * 1000;
    if (every > 0) {
      this.timer = setInterval(() => void this.pruneExpired().catch(() => undefined), every);
      this.timer.unref();
    }
  }

  private expiry(sess: SessionData): Date {
    const exp = sess.cookie?.expires;
    return exp ? new Date(exp) : new Date(Date.now() + this.ttl);
  }

  override get(sid: string, cb: Cb<SessionData | null>): void {
    this.db
      .query<{ data: unknown }>('SELECT data FROM sessions WHERE sid = $1 AND expires_at > now()', [sid])
      .then((r) => {
        const stored = r.rows[0]?.data;
        // A row this key cannot open (other secret, tampered) is no session: the user signs in again.
        const data = stored === undefined ? undefined : this.cipher ? this.cipher.open<SessionData>(stored) : (stored as SessionData);
        cb(null, data ?? null);
      }, cb);
  }

  override set(sid: string, sess: SessionData, cb: Cb = () => undefined): void {
    this.db
      .query(
        `INSERT INTO sessions (sid, data, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
        [sid, JSON.stringify(this.cipher ? this.cipher.seal(sess) : sess), this.expiry(sess)],
      )
      .then(() => cb(), cb);
  }

  override destroy(sid: string, cb: Cb = () => undefined): void {
    this.db.query('DELETE FROM sessions WHERE sid = $1', [sid]).then(() => cb(), cb);
  }

  override touch(sid: string, sess: SessionData, cb: Cb = () => undefined): void {
    this.db
      .query('UPDATE sessions SET expires_at = $2 WHERE sid = $1', [sid, this.expiry(sess)])
      .then(() => cb(), cb);
  }

  override clear(cb: Cb = () => undefined): void {
    this.db.query('DELETE FROM sessions').then(() => cb(), cb);
  }

  override length(cb: Cb<number>): void {
    this.db
      .query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE expires_at > now()')
      .then((r) => cb(null, r.rows[0]?.n ?? 0), cb);
  }

  /** Deletes expired sessions; returns how many. */
  async pruneExpired(): Promise<number> {
    return (await this.db.query('DELETE FROM sessions WHERE expires_at <= now()')).rowCount;
  }

  /** Stops the prune timer (call before closing the Db). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
