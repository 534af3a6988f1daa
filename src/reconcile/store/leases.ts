import type { Db } from '../../store/db.js';

/** A held per-endpoint lease. `token` is the fencing token: writes made under the lease check it. */
export interface Lease {
  readonly endpointId: string;
  readonly holder: string;
  readonly token: number;
}

/**
 * Takes (or renews) the lease on an endpoint for `ttlMs`. Succeeds when nobody holds it, the holder is us,
 * or the previous lease expired. A change of holder increments the fencing token, so a stalled former
 * holder that wakes up after expiry fails its fenced writes instead of overwriting newer progress.
 */
export async function acquireLease(db: Db, endpointId: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
  const { rows } = await db.query<{ fencing_token: number }>(
    `INSERT INTO reconcile_leases AS l (endpoint_id, holder, fencing_token, expires_at)
     VALUES ($1, $2, 1, now() + make_interval(secs => $3::double precision / 1000))
     ON CONFLICT (endpoint_id) DO UPDATE SET
       fencing_token = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > now() THEN l.fencing_token ELSE l.fencing_token + 1 END,
       holder = EXCLUDED.holder,
       expires_at = EXCLUDED.expires_at
     WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
     RETURNING fencing_token`,
    [endpointId, holder, ttlMs],
  );
  const row = rows[0];
  return row ? { endpointId, holder, token: Number(row.fencing_token) } : undefined;
}

/** Extends a lease we still hold with the same token; false when it was lost. */
export async function renewLease(db: Db, lease: Lease, ttlMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE reconcile_leases SET expires_at = now() + make_interval(secs => $4::double precision / 1000)
     WHERE endpoint_id = $1 AND holder = $2 AND fencing_token = $3 AND expires_at > now()`,
    [lease.endpointId, lease.holder, lease.token, ttlMs],
  );
  return rowCount > 0;
}

export async function releaseLease(db: Db, lease: Lease): Promise<void> {
  await db.query(
    `UPDATE reconcile_leases SET expires_at = now() WHERE endpoint_id = $1 AND holder = $2 AND fencing_token = $3`,
    [lease.endpointId, lease.holder, lease.token],
  );
}

export class LeaseLostError extends Error {
  constructor(lease: Lease) {
    super(`lease on endpoint ${lease.endpointId} (token ${lease.token}) is no longer held by ${lease.holder}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Inside a store transaction: locks the lease row and checks it is still ours and unexpired. Holding the
 * row lock until commit means a takeover waits for our writes, and our writes never land after one.
 */
export async function assertLease(tx: Db, lease: Lease): Promise<void> {
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT (holder = $2 AND fencing_token = $3 AND expires_at > now()) AS ok
     FROM reconcile_leases WHERE endpoint_id = $1 FOR UPDATE`,
    [lease.endpointId, lease.holder, lease.token],
  );
  if (!rows[0]?.ok) throw new LeaseLostError(lease);
}

/**
 * Keeps a lease alive while work runs (renewed every third of its TTL). Fencing still protects progress:
 * if this process stalls past the expiry, another holder takes over and our fenced writes fail.
 */
export function keepLease(db: Db, lease: Lease, ttlMs: number): { lost(): boolean; stop(): void } {
  let lost = false;
  const timer = setInterval(() => {
    renewLease(db, lease, ttlMs).then(
      (ok) => {
        if (!ok) lost = true;
      },
      () => undefined,
    );
  }, Math.max(1000, Math.floor(ttlMs / 3)));
  timer.unref();
  return { lost: () => lost, stop: () => clearInterval(timer) };
}
