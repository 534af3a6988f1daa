import type { Db } from './db.js';

/**
 * Referrals that do not come from a GP, as SP Link decided about them (migration 500). The person's details travel
 * in the link-worker Task; a row holds ids, codes and the identity-matching evidence only.
 */
export interface CommunityReferralRow {
  referralId: string;
  /** The practice whose patient the person is; undefined while nobody is matched. */
  tenantId?: string;
  endpointId: string;
  source: 'self' | 'agency';
  clientId?: string;
  clientKey?: string;
  submittedAt: string;
  matchOutcome: 'matched' | 'no-match' | 'ambiguous' | 'not-checked';
  /** The identity decision with its evidence (src/identity MatchDecision), or why matching was not possible. */
  match: Record<string, unknown>;
  patientId?: string;
  shareWithGp: boolean;
  contactHashes: string[];
  taskIdentifier: string;
  review?: Record<string, unknown>;
}

function toRow(r: Record<string, unknown>): CommunityReferralRow {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
  return {
    referralId: r.referral_id as string,
    ...(r.tenant_id ? { tenantId: r.tenant_id as string } : {}),
    endpointId: r.endpoint_id as string,
    source: r.source as CommunityReferralRow['source'],
    ...(r.client_id ? { clientId: r.client_id as string } : {}),
    ...(r.client_key ? { clientKey: r.client_key as string } : {}),
    submittedAt: new Date(r.submitted_at as string).toISOString(),
    matchOutcome: r.match_outcome as CommunityReferralRow['matchOutcome'],
    match: json(r.match),
    ...(r.patient_id ? { patientId: r.patient_id as string } : {}),
    shareWithGp: r.share_with_gp as boolean,
    contactHashes: (r.contact_hashes as string[] | null) ?? [],
    taskIdentifier: r.task_identifier as string,
    ...(r.review ? { review: json(r.review) } : {}),
  };
}

export async function insertCommunityReferral(db: Db, row: Omit<CommunityReferralRow, 'submittedAt'> & { submittedAt?: string }): Promise<void> {
  await db.query(
    `INSERT INTO community_referrals (referral_id, tenant_id, endpoint_id, source, client_id, client_key, submitted_at, match_outcome, match, patient_id, share_with_gp, contact_hashes, task_identifier)
     VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, now()), $8, $9::jsonb, $10, $11, $12::text[], $13)`,
    [row.referralId, row.tenantId ?? null, row.endpointId, row.source, row.clientId ?? null, row.clientKey ?? null, row.submittedAt ?? null, row.matchOutcome,
      JSON.stringify(row.match), row.patientId ?? null, row.shareWithGp, row.contactHashes, row.taskIdentifier],
  );
}

/** How many referrals named any of these contact details since `since` (the per-contact limit). */
export async function countByContactSince(db: Db, hashes: readonly string[], since: Date): Promise<number> {
  if (hashes.length === 0) return 0;
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM community_referrals WHERE submitted_at >= $1 AND contact_hashes && $2::text[]',
    [since.toISOString(), hashes],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function findByClientKey(db: Db, clientId: string, clientKey: string): Promise<CommunityReferralRow | undefined> {
  const { rows } = await db.query('SELECT * FROM community_referrals WHERE client_id = $1 AND client_key = $2', [clientId, clientKey]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function communityReferralsByTaskIdentifier(db: Db, identifiers: readonly string[]): Promise<Map<string, CommunityReferralRow>> {
  if (identifiers.length === 0) return new Map();
  const { rows } = await db.query('SELECT * FROM community_referrals WHERE task_identifier = ANY($1::text[])', [identifiers]);
  return new Map(rows.map((r) => toRow(r)).map((r) => [r.taskIdentifier, r]));
}

export async function communityReferral(db: Db, referralId: string): Promise<CommunityReferralRow | undefined> {
  const { rows } = await db.query('SELECT * FROM community_referrals WHERE referral_id = $1', [referralId]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Ambiguous (or unchecked) matches nobody has reviewed yet, oldest first: the service manager's queue. */
export async function awaitingReview(db: Db, endpointId: string): Promise<CommunityReferralRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM community_referrals WHERE match_outcome IN ('ambiguous', 'not-checked') AND review IS NULL AND endpoint_id = $1 ORDER BY submitted_at`,
    [endpointId],
  );
  return rows.map(toRow);
}

/** Records the service manager's decision on an ambiguous or unchecked match, once (a second decision finds it taken). */
export async function recordReview(db: Db, referralId: string, review: Record<string, unknown>, patientId: string | undefined, tenantId?: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE community_referrals SET review = $2::jsonb, patient_id = COALESCE($3, patient_id), tenant_id = COALESCE($4, tenant_id) WHERE referral_id = $1 AND review IS NULL AND match_outcome IN ('ambiguous', 'not-checked')`,
    [referralId, JSON.stringify(review), patientId ?? null, tenantId ?? null],
  );
  return (rowCount ?? 0) > 0;
}
