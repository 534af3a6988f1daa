import type { Db } from './db.js';

/**
 * The client-assertion ids (RFC 7523 `jti`) a hosted record's token endpoint has accepted, shared by every instance
 * on the database. Kept until the assertion expires; after that its `exp` refuses it anyway.
 */

/** Records `jti` as used by `clientId` at `endpointId`; false when it was used before (a replay). */
export async function useAssertionId(db: Db, key: { endpointId: string; clientId: string; jti: string }, expiresAt: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO hosted_assertion_ids (endpoint_id, client_id, jti, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [key.endpointId, key.clientId, key.jti, expiresAt.toISOString()],
  );
  return rowCount > 0;
}

/** Forgets ids whose assertions expired before `before`. */
export async function sweepAssertionIds(db: Db, before: Date): Promise<void> {
  await db.query('DELETE FROM hosted_assertion_ids WHERE expires_at < $1', [before.toISOString()]);
}
