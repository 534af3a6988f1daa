export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds from issue (`expires_in`); absent → treated as 5 minutes. */
  expiresIn?: number;
}

/**
 * Caches one access token. Refreshes it before expiry (at 80% of its lifetime, or 60 s before the end,
 * whichever is sooner) and lets only one token request be in flight: concurrent callers share it.
 */
export class TokenCache {
  private token: string | undefined;
  private refreshAt = 0;
  private inFlight: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.token && this.now() < this.refreshAt) return this.token;
    this.inFlight ??= this.fetchToken()
      .then((t) => {
        const lifetimeMs = (t.expiresIn ?? 300) * 1000;
        this.token = t.accessToken;
        this.refreshAt = this.now() + Math.min(lifetimeMs * 0.8, Math.max(0, lifetimeMs - 60_000));
        return t.accessToken;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Forgets `rejected` if it is the cached token; true either way, since a fresh request may succeed. */
  invalidate(rejected: string | undefined): boolean {
    if (rejected === undefined || this.token === rejected) {
      this.token = undefined;
      this.refreshAt = 0;
    }
    return true;
  }
}
