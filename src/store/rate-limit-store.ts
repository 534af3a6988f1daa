import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Db } from './db.js';

/**
 * express-rate-limit's store on SP Link's Db (table `rate_limits`): one atomic upsert per hit, so several
 * instances on one PostgreSQL share each limit instead of each allowing the full amount. A hit after the
 * window has ended starts a new window; rows of ended windows are swept on a timer.
 */
export class DbRateLimitStore implements Store {
  /** Keys are shared between instances (not local to this process). */
  readonly localKeys = false;
  private windowMs = 60_000;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    /** Distinguishes the limiters sharing the table, e.g. `login:ip:`. */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.timer ??= setInterval(() => void this.sweep().catch(() => undefined), Math.max(this.windowMs, 60_000));
    this.timer.unref();
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { rows } = await this.db.query<{ hits: number; reset_at: Date | string }>(
      `INSERT INTO rate_limits (key, hits, reset_at) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
       RETURNING hits, reset_at`,
      [this.prefix + key, this.windowMs],
    );
    const row = rows[0]!;
    return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { rows } = await this.db.query<{ hits: number; reset_at: Date | string }>('SELECT hits, reset_at FROM rate_limits WHERE key = $1 AND reset_at > now()', [this.prefix + key]);
    const row = rows[0];
    return row ? { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) } : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.db.query('UPDATE rate_limits SET hits = GREATEST(hits - 1, 0) WHERE key = $1', [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.query('DELETE FROM rate_limits WHERE key = $1', [this.prefix + key]);
  }

  /** Deletes rows whose window has ended (any limiter's); returns how many. */
  async sweep(): Promise<number> {
    return (await this.db.query('DELETE FROM rate_limits WHERE reset_at <= now()')).rowCount;
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
