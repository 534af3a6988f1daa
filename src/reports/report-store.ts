import type { Db } from '../store/db.js';
import type { OnwardFact } from './onward-fact.js';
import type { ReferralFact } from './referral-fact.js';

/**
 * The report tables (migration 600): facts written in bulk (one statement per table, JSON in, whatever the
 * number of referrals) and read back, filtered, as compact rows for the report builders.
 */

export type FactOrigin = 'live' | 'demo';

const FACT_COLUMNS = `referral_key text, origin text, practice text, practice_name text, pcn text, service text, service_name text, source text,
  urgency text, needs text[], referred_at timestamptz, status text, reach text, end_reason text, accepted_at timestamptz,
  first_contact_at timestamptz, first_session_at timestamptz, closed_at timestamptz, sessions integer,
  services_connected text[], social_outcomes text[], age_band text, sex text, ethnicity text, disability text, first_language text,
  interpreter boolean, imd_decile smallint`;
const NAMES = FACT_COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]!);
// Times that mark a first (accepted, first contact, first session) keep the earliest seen: a later Task version
// (or one replayed out of order) never moves them.
const KEEP_FIRST = new Set(['accepted_at', 'first_contact_at', 'first_session_at']);
const UPDATE = NAMES.filter((n) => n !== 'referral_key' && n !== 'origin')
  .map((n) => (KEEP_FIRST.has(n) ? `${n} = LEAST(report_referrals.${n}, EXCLUDED.${n})` : `${n} = EXCLUDED.${n}`))
  .join(', ');

function row(f: ReferralFact, origin: FactOrigin): Record<string, unknown> {
  const e = f.equality;
  return {
    referral_key: f.key, origin, practice: f.practice, practice_name: f.practiceName, pcn: f.pcn ?? null, service: f.service, service_name: f.serviceName,
    source: f.source, urgency: f.urgency, needs: f.needs, referred_at: f.referredAt, status: f.status, reach: f.reach,
    end_reason: f.endReason ?? null, accepted_at: f.acceptedAt ?? null, first_contact_at: f.firstContactAt ?? null,
    first_session_at: f.firstSessionAt ?? null, closed_at: f.closedAt ?? null, sessions: f.sessions,
    services_connected: f.servicesConnected, social_outcomes: f.socialOutcomes, age_band: e.ageBand ?? null, sex: e.sex, ethnicity: e.ethnicity ?? null,
    disability: e.disability ?? null, first_language: e.firstLanguage ?? null, interpreter: e.interpreter ?? null,
    imd_decile: e.imdDecile ?? null,
  };
}

/** Writes facts (insert or update by key) and replaces their outcome rows, in one transaction. */
export async function saveFacts(db: Db, facts: readonly ReferralFact[], origin: FactOrigin = 'live'): Promise<void> {
  if (facts.length === 0) return;
  const latest = new Map(facts.map((f) => [f.key, f]));
  const list = [...latest.values()];
  const outcomes = list.flatMap((f) => f.outcomes.map((o) => ({
    referral_key: f.key, measure: o.measure, before_score: o.before, before_at: o.beforeAt, after_score: o.after ?? null, after_at: o.afterAt ?? null,
  })));
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO report_referrals (${NAMES.join(', ')})
       SELECT ${NAMES.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${FACT_COLUMNS})
       ON CONFLICT (referral_key) DO UPDATE SET ${UPDATE}, updated_at = now()`,
      [JSON.stringify(list.map((f) => row(f, origin)))],
    );
    await tx.query('DELETE FROM report_outcomes WHERE referral_key = ANY($1::text[])', [list.map((f) => f.key)]);
    if (outcomes.length) {
      await tx.query(
        `INSERT INTO report_outcomes (referral_key, measure, before_score, before_at, after_score, after_at)
         SELECT referral_key, measure, before_score, before_at, after_score, after_at
         FROM jsonb_to_recordset($1::jsonb) AS x(referral_key text, measure text, before_score numeric, before_at timestamptz, after_score numeric, after_at timestamptz)`,
        [JSON.stringify(outcomes)],
      );
    }
  });
}

export async function countFacts(db: Db, origin?: FactOrigin): Promise<number> {
  const r = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM report_referrals${origin ? ' WHERE origin = $1' : ''}`, origin ? [origin] : []);
  return Number(r.rows[0]?.n ?? 0);
}

export async function deleteFacts(db: Db, origin: FactOrigin): Promise<void> {
  await db.query('DELETE FROM report_referrals WHERE origin = $1', [origin]);
  await db.query('DELETE FROM report_onward WHERE origin = $1', [origin]);
}

// --- Onward referrals (migration 660, onward-fact.ts) ------------------------------------------------------------

const ONWARD_COLUMNS = `onward_key text, referral_key text, origin text, community_service text, provider text, state text, progress smallint,
  reason text, sent_at timestamptz, answered_at timestamptz, sessions integer`;
const ONWARD_NAMES = ONWARD_COLUMNS.split(',').map((c) => c.trim().split(/\s+/)[0]!);
// What a version says of where the referral stands is taken only from a version at least as far on as the one kept.
const ONWARD_FURTHEST = ['community_service', 'provider', 'state', 'progress', 'reason', 'sessions']
  .map((n) => `${n} = CASE WHEN report_onward.progress <= EXCLUDED.progress THEN EXCLUDED.${n} ELSE report_onward.${n} END`)
  .join(', ');

/**
 * Writes onward-referral facts (insert or update by key), in one statement. A version that is not further on than
 * the one kept (a late or replayed older version) changes nothing; the first answer's time keeps the earliest.
 */
export async function saveOnwardFacts(db: Db, facts: readonly OnwardFact[], origin: FactOrigin = 'live'): Promise<void> {
  if (facts.length === 0) return;
  // Of several versions of one sub-Task in a batch, the furthest on (the last of those as far).
  const latest = new Map<string, OnwardFact>();
  for (const f of facts) if ((latest.get(f.key)?.progress ?? -1) <= f.progress) latest.set(f.key, f);
  const rows = [...latest.values()].map((f) => ({
    onward_key: f.key, referral_key: f.referralKey, origin, community_service: f.communityService, provider: f.provider ?? null, state: f.state,
    progress: f.progress, reason: f.reason ?? null, sent_at: f.sentAt, answered_at: f.answeredAt ?? null, sessions: f.sessions ?? null,
  }));
  await db.query(
    `INSERT INTO report_onward (${ONWARD_NAMES.join(', ')})
     SELECT ${ONWARD_NAMES.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${ONWARD_COLUMNS})
     ON CONFLICT (onward_key) DO UPDATE SET ${ONWARD_FURTHEST}, answered_at = LEAST(report_onward.answered_at, EXCLUDED.answered_at), updated_at = now()`,
    [JSON.stringify(rows)],
  );
}

export async function countOnwardFacts(db: Db, origin?: FactOrigin): Promise<number> {
  const r = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM report_onward${origin ? ' WHERE origin = $1' : ''}`, origin ? [origin] : []);
  return Number(r.rows[0]?.n ?? 0);
}
