import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { SessionCipher } from '../store/session-cipher.js';
import type { LaunchSession } from './launch-steps.js';

/** How much a launch's idle expiry may lag behind its last use before `use` writes it again. */
export const RENEW_EVERY_MS = 60_000;

/** A launch as stored: the launch context and tokens, and the CSRF token of the window it belongs to. */
export interface GpLaunch extends LaunchSession {
  csrfToken: string;
}

/**
 * GP launch contexts (table `gp_launches`), one row per SMART launch, sealed at rest like sessions.
 * A browser session lists the handles of its launches; the API call names one (header `x-sp-link-context`),
 * so two EHR windows for two patients work side by side, and each refreshes its own tokens under a row
 * lock instead of rewriting a shared session object (which would lose the other window's refresh).
 */
export class LaunchStore {
  constructor(
    private readonly db: Db,
    private readonly cipher: SessionCipher,
    /** Idle lifetime of a launch (ms): renewed on every use, like the session cookie. */
    private readonly idleMs: number,
  ) {}

  private expiry(): Date {
    return new Date(Date.now() + this.idleMs);
  }

  /** Stores a new launch and returns its handle (unguessable; useful only with the session that lists it). */
  async create(launch: GpLaunch): Promise<string> {
    const handle = randomBytes(24).toString('base64url');
    await this.db.query('DELETE FROM gp_launches WHERE expires_at <= now()');
    await this.db.query('INSERT INTO gp_launches (handle, data, expires_at) VALUES ($1, $2, $3)', [handle, JSON.stringify(this.cipher.seal(launch)), this.expiry()]);
    return handle;
  }

  /**
   * The launch, with its idle timer renewed; undefined when expired, removed or unreadable with this key. The
   * renewal is written at most once per `RENEW_EVERY_MS` of a launch's use: a GP's app calls the API several times a
   * page, and a write each time was most of the store's work under load, for an idle timeout that moves by seconds.
   */
  async use(handle: string): Promise<GpLaunch | undefined> {
    const { rows } = await this.db.query<{ data: unknown; expires_at: Date }>(
      'SELECT data, expires_at FROM gp_launches WHERE handle = $1 AND expires_at > now()',
      [handle],
    );
    const row = rows[0];
    if (!row) return undefined;
    const launch = this.cipher.open<GpLaunch>(row.data);
    const expiry = this.expiry();
    if (launch && new Date(row.expires_at).getTime() < expiry.getTime() - RENEW_EVERY_MS) {
      await this.db.query('UPDATE gp_launches SET expires_at = $2 WHERE handle = $1 AND expires_at > now() AND expires_at < $2', [handle, expiry]);
    }
    return launch;
  }

  /**
   * Read-modify-write under a row lock: `fn` sees the latest stored launch (another instance may have just
   * refreshed it) and returns what to store (the same object: nothing to store). Throws what `fn` throws, storing nothing.
   */
  async update(handle: string, fn: (current: GpLaunch) => Promise<GpLaunch>): Promise<GpLaunch | undefined> {
    // PGlite serves one process (whose in-flight map already shares a refresh) over one connection: holding
    // it across a token request would stall every other query, so the row lock is for PostgreSQL only.
    const run = <T>(f: (tx: Db) => Promise<T>) => (this.db.kind === 'postgres' ? this.db.transaction(f) : f(this.db));
    return run(async (tx) => {
      const { rows } = await tx.query<{ data: unknown }>('SELECT data FROM gp_launches WHERE handle = $1 AND expires_at > now() FOR UPDATE', [handle]);
      const current = rows[0] ? this.cipher.open<GpLaunch>(rows[0].data) : undefined;
      if (!current) return undefined;
      const next = await fn(current);
      if (next !== current) {
        await tx.query('UPDATE gp_launches SET data = $2, expires_at = $3 WHERE handle = $1', [handle, JSON.stringify(this.cipher.seal(next)), this.expiry()]);
      }
      return next;
    });
  }

  async remove(handles: readonly string[]): Promise<void> {
    if (handles.length) await this.db.query('DELETE FROM gp_launches WHERE handle = ANY($1::text[])', [handles]);
  }
}
