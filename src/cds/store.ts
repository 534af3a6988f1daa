import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';

/**
 * The prompt's records in SP Link's store (migration 700): today's card per practice and patient, prompts held
 * back, feedback, used JWT ids. The unique (tenant, patient, day) row is what makes "one card a day" hold when two
 * requests for the same record race.
 */

export interface TodaysCard {
  readonly id: string;
  /** The GP accepted or dismissed it: no card again today. */
  readonly actedOn: boolean;
}

export interface CardKey {
  readonly tenantId: string;
  readonly patientId: string;
  /** Europe/London calendar date. */
  readonly day: string;
}

/** Today's card for the patient, if one was shown, and whether the GP has acted on it. */
export async function findTodaysCard(db: Db, k: CardKey): Promise<TodaysCard | undefined> {
  const { rows } = await db.query<{ id: string; acted: boolean }>(
    `SELECT c.id, (f.card_id IS NOT NULL) AS acted FROM cds_cards c LEFT JOIN cds_feedback f ON f.card_id = c.id
      WHERE c.tenant_id = $1 AND c.patient_id = $2 AND c.day = $3`,
    [k.tenantId, k.patientId, k.day],
  );
  const row = rows[0];
  return row ? { id: row.id, actedOn: row.acted } : undefined;
}

/** Today's card: the one already shown (whoever wrote it first), or a new one. */
export async function claimTodaysCard(db: Db, k: CardKey, p: { rule: string; need?: string; hookInstance: string }): Promise<TodaysCard> {
  await db.query(
    `INSERT INTO cds_cards (id, tenant_id, patient_id, day, rule, need, hook_instance) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id, patient_id, day) DO NOTHING`,
    [randomUUID(), k.tenantId, k.patientId, k.day, p.rule, p.need ?? null, p.hookInstance],
  );
  const card = await findTodaysCard(db, k);
  if (!card) throw new Error('cds_cards row missing right after insert');
  return card;
}

export async function recordSuppression(db: Db, cardId: string, p: { rule: string; hookInstance: string }): Promise<void> {
  await db.query('INSERT INTO cds_suppressions (card_id, rule, hook_instance) VALUES ($1, $2, $3)', [cardId, p.rule, p.hookInstance]);
}

export interface FeedbackRecord {
  readonly cardId: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly overrideReason?: string;
  readonly outcomeAt: string;
}

/**
 * Stores feedback on a card of this practice. 'stored', 'duplicate' (the card has its outcome already: the first
 * one is kept) or 'unknown-card' (not a card SP Link showed this practice).
 */
export async function recordFeedback(db: Db, tenantId: string, f: FeedbackRecord): Promise<'stored' | 'duplicate' | 'unknown-card'> {
  const { rowCount } = await db.query(
    `INSERT INTO cds_feedback (card_id, outcome, override_reason, outcome_at)
     SELECT id, $3, $4, $5 FROM cds_cards WHERE id = $1 AND tenant_id = $2
     ON CONFLICT (card_id) DO NOTHING`,
    [f.cardId, tenantId, f.outcome, f.overrideReason ?? null, f.outcomeAt],
  );
  if (rowCount > 0) return 'stored';
  const { rows } = await db.query('SELECT 1 FROM cds_cards WHERE id = $1 AND tenant_id = $2', [f.cardId, tenantId]);
  return rows.length > 0 ? 'duplicate' : 'unknown-card';
}

/** Records a JWT id as used; false when it was used before (a replay). Expired ids are swept now and then. */
export async function useJwtId(db: Db, iss: string, jti: string, expiresAt: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO cds_jwt_ids (iss, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT (iss, jti) DO NOTHING',
    [iss, jti, expiresAt.toISOString()],
  );
  return rowCount > 0;
}

export async function sweepJwtIds(db: Db, now: Date): Promise<void> {
  await db.query('DELETE FROM cds_jwt_ids WHERE expires_at < $1', [now.toISOString()]);
}
