import type Provider from 'oidc-provider';

/**
 * Whether a token's grant is still active, for the sandbox FHIR servers' check on every request. Asking the store
 * each time put one more query per FHIR request in the embedded database's single queue (about 1.5 s of database
 * time per 100 GP-app requests under load). An active answer is kept for `ttlMs`; a revocation by this provider
 * (e.g. an authorization code replayed, RFC 6749 §4.1.2) drops it at once, so here a revoked grant is refused from
 * the next request. Another instance sharing the database learns of a revocation within `ttlMs`. An inactive answer
 * is never kept: a grant that is gone does not come back.
 */
export function cachedGrantActivity(provider: Provider, o: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}): (grantId: string) => Promise<boolean> {
  const ttlMs = o.ttlMs ?? 5_000;
  const maxEntries = o.maxEntries ?? 10_000;
  const now = o.now ?? Date.now;
  const activeUntil = new Map<string, number>();
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => activeUntil.delete(grantId));
  return async (grantId) => {
    const until = activeUntil.get(grantId);
    if (until !== undefined && until > now()) return true;
    const active = Boolean(await provider.Grant.find(grantId));
    activeUntil.delete(grantId);
    if (active) {
      // Oldest first out: a Map iterates in insertion order.
      if (activeUntil.size >= maxEntries) activeUntil.delete(activeUntil.keys().next().value!);
      activeUntil.set(grantId, now() + ttlMs);
    }
    return active;
  };
}
