import { FIELD_LABELS, RESULT_LABELS, agrees } from '../../identity/evidence.js';
import type { CandidateEvidence, MatchDecision } from '../../identity/match.js';
import type { CommunityReferralRow } from '../../store/community-referrals.js';

/**
 * What SP Link decided about who a self- or agency referral's person is, as the link worker and the service manager
 * read it (from the `community_referrals` row the intake wrote): the outcome in words, the reason, each practice's
 * candidates with every field's result and points (patient ids, never names), and the manager's review. Pure.
 */

export type MatchOutcome = CommunityReferralRow['matchOutcome'];

export const OUTCOME_LABELS: Readonly<Record<MatchOutcome, string>> = {
  matched: 'Matched to a registered patient',
  'no-match': 'No registered patient found',
  ambiguous: 'More than one patient could be this person',
  'not-checked': 'Not checked: a GP record could not be searched',
};

/** The service manager's decision on an ambiguous or unchecked match (stored in `community_referrals.review`). */
export interface IdentityReview {
  decision: 'linked' | 'no-match';
  /** The tenant (practice) and patient linked, when `linked`. */
  tenantId?: string;
  patientId?: string;
  by: string;
  byName: string;
  at: string;
  note?: string;
}

export interface EvidenceField { field: string; result: string; agrees: boolean; points: number }
export interface CandidateView { tenantId: string; patientId: string; score: number; confident: boolean; fields: EvidenceField[] }

export interface IdentityCheck {
  referralId: string;
  outcome: MatchOutcome;
  outcomeLabel: string;
  reason: string;
  threshold?: number;
  /** Each practice searched: its candidates, or why it could not be searched. */
  practices: { tenantId: string; method?: string; candidates: CandidateView[]; error?: string }[];
  /** An ambiguous or unchecked match nobody has decided yet. */
  awaitingReview: boolean;
  review?: IdentityReview;
  /** The patient the referral is linked to now (matched, or chosen by the manager). */
  linkedPatient?: { tenantId?: string; patientId: string };
}

interface StoredMatch { reason?: string; practices?: ({ tenantId: string; decision: MatchDecision } | { tenantId: string; error: string })[] }

function candidateView(tenantId: string, c: CandidateEvidence): CandidateView {
  return {
    tenantId,
    patientId: c.patientId,
    score: c.score,
    confident: c.confident,
    fields: c.fields.map((f) => ({ field: FIELD_LABELS[f.field] ?? f.field, result: RESULT_LABELS[f.result] ?? f.result, agrees: agrees(f.result), points: f.points })),
  };
}

export function identityCheck(row: CommunityReferralRow): IdentityCheck {
  const m = row.match as StoredMatch;
  const practices = (m.practices ?? []).map((p) =>
    'error' in p
      ? { tenantId: p.tenantId, candidates: [], error: 'This practice’s GP record could not be searched.' }
      : { tenantId: p.tenantId, method: p.decision.method === 'nhs-number' ? 'NHS number and date of birth' : 'Name, date of birth and postcode', candidates: p.decision.candidates.map((c) => candidateView(p.tenantId, c)) },
  );
  const review = row.review as IdentityReview | undefined;
  return {
    referralId: row.referralId,
    outcome: row.matchOutcome,
    outcomeLabel: OUTCOME_LABELS[row.matchOutcome],
    reason: m.reason ?? '',
    threshold: (m.practices ?? []).flatMap((p) => ('decision' in p ? [p.decision.threshold] : []))[0],
    practices,
    awaitingReview: (row.matchOutcome === 'ambiguous' || row.matchOutcome === 'not-checked') && !review,
    ...(review ? { review } : {}),
    ...(row.patientId ? { linkedPatient: { ...(row.tenantId ? { tenantId: row.tenantId } : {}), patientId: row.patientId } } : {}),
  };
}

/** Every candidate any practice offered, best first: what a manager may link the referral to. */
export function reviewCandidates(check: IdentityCheck): CandidateView[] {
  return check.practices.flatMap((p) => p.candidates).sort((a, b) => b.score - a.score);
}
