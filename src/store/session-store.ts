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
  /**
   * Sessions that began a sign-in but hold no signed-in user yet (`is` says which): they live at most `ttlMs`,
   * and only the newest `max` are kept, so sign-ins that are started and never finished cannot grow the table.
   */
  preLogin?: { is: (sess: SessionData) => boolean; ttlMs: number; max: number };
}

/** A touch that moves a session's expiry by less than this (forwards) is not written. */
export const TOUCH_EVERY_MS = 60_000;
const MAX_REMEMBERED = 100_000;

type Cb<T = void> = (err?: unknown, value?: T) => void;

/**
 * express-session store on SP Link's Db (table `sessions`). Expired rows are never returned and are
 * pruned on a timer, so any instance sharing the database serves any session.
 */
export class DbSessionStore extends session.Store {
  private readonly ttl: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly cipher: SessionCipher | undefined;
  private readonly preLogin: DbSessionStoreOptions['preLogin'];
  /** Expiry this instance last wrote, by session id (ms since epoch), so `touch` can skip writes that change little. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly db: Db,
    opts: DbSessionStoreOptions = {},
  ) {
    super();
    this.ttl = opts.defaultTtlMs ?? 24 * 60 * 60 * 1000;
    this.cipher = opts.cipher;
    this.preLogin = opts.preLogin;
    const every = opts.pruneIntervalMs ?? 10 * 60 * 1000;
    if (every > 0) {
      this.timer = setInterval(() => void this.pruneExpired().catch(() => undefined), every);
      this.timer.unref();
    }
  }

  private isPreLogin(sess: SessionData): boolean {
    return this.preLogin?.is(sess) ?? false;
  }

  private expiry(sess: SessionData): Date {
    const exp = sess.cookie?.expires;
    const at = exp ? new Date(exp) : new Date(Date.now() + this.ttl);
    if (!this.preLogin || !this.isPreLogin(sess)) return at;
    return new Date(Math.min(at.getTime(), Date.now() + this.preLogin.ttlMs));
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
    const pre = this.isPreLogin(sess);
    const expiry = this.expiry(sess);
    this.db
      .query(
        `INSERT INTO sessions (sid, data, expires_at, pre_login) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at, pre_login = EXCLUDED.pre_login`,
        [sid, JSON.stringify(this.cipher ? this.cipher.seal(sess) : sess), expiry, pre],
      )
      .then(() => this.remember(sid, expiry))
      .then(() => (pre ? this.capPreLogin() : undefined))
      .then(() => cb(), cb);
  }

  /** Keeps only the newest `preLogin.max` pre-login sessions (the oldest unfinished sign-ins go first). */
  private async capPreLogin(): Promise<void> {
    await this.db.query(
      `DELETE FROM sessions WHERE sid IN (
         SELECT sid FROM sessions WHERE pre_login AND expires_at > now() ORDER BY expires_at DESC OFFSET $1)`,
      [this.preLogin!.max],
    );
  }

  override destroy(sid: string, cb: Cb = () => undefined): void {
    this.written.delete(sid);
    this.db.query('DELETE FROM sessions WHERE sid = $1', [sid]).then(() => cb(), cb);
  }

  /**
   * Renews the idle expiry (express-session calls this on every request of a rolling session). Not written while
   * the expiry this instance last wrote is still ahead and the new one moves it forward by less than
   * `TOUCH_EVERY_MS`: a busy app's requests would otherwise write the row every time, for an expiry that moves by
   * seconds.
   */
  override touch(sid: string, sess: SessionData, cb: Cb = () => undefined): void {
    const expiry = this.expiry(sess);
    const last = this.written.get(sid);
    if (last !== undefined && last > Date.now() && expiry.getTime() >= last && expiry.getTime() - last < TOUCH_EVERY_MS) {
      cb();
      return;
    }
    this.db
      .query('UPDATE sessions SET expires_at = $2 WHERE sid = $1', [sid, expiry])
      .then(() => this.remember(sid, expiry))
      .then(() => cb(), cb);
  }

  /** The expiry this instance last wrote for `sid`; forgotten in bulk past `MAX_REMEMBERED` (a touch then writes). */
  private remember(sid: string, expiry: Date): void {
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    this.written.set(sid, expiry.getTime());
  }

  override clear(cb: Cb = () => undefined): void {
    this.written.clear();
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
