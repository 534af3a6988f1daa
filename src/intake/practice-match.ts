import type { MatchDecision } from '../identity/match.js';

/**
 * The person may be registered at any practice whose referrals go to this link-worker service, so each practice's
 * EHR is searched, and the answers are combined here (pure). A link needs one confident match in one practice and
 * nothing uncertain anywhere: a practice that could not be searched may hold the person (or a namesake), so no link.
 */
export type PracticeAnswer = { tenantId: string; decision: MatchDecision } | { tenantId: string; error: string };

export interface CombinedMatch {
  outcome: 'matched' | 'no-match' | 'ambiguous' | 'not-checked';
  tenantId?: string;
  patientId?: string;
  reason: string;
  practices: PracticeAnswer[];
}

export function combinePractices(answers: PracticeAnswer[]): CombinedMatch {
  const failed = answers.filter((a): a is Extract<PracticeAnswer, { error: string }> => 'error' in a);
  const decided = answers.filter((a): a is Extract<PracticeAnswer, { decision: MatchDecision }> => 'decision' in a);
  const matched = decided.filter((a) => a.decision.outcome === 'matched');
  const ambiguous = decided.filter((a) => a.decision.outcome === 'ambiguous');
  if (decided.length === 0) return { outcome: 'not-checked', reason: 'No GP record could be searched', practices: answers };
  if (matched.length === 1 && ambiguous.length === 0 && failed.length === 0) {
    const m = matched[0]!;
    return { outcome: 'matched', tenantId: m.tenantId, patientId: m.decision.patientId!, reason: m.decision.reason, practices: answers };
  }
  if (matched.length > 1) return { outcome: 'ambiguous', reason: `Patients at ${matched.length} practices match`, practices: answers };
  if (ambiguous.length > 0) return { outcome: 'ambiguous', reason: ambiguous[0]!.decision.reason, practices: answers };
  if (failed.length > 0) {
    return { outcome: matched.length ? 'ambiguous' : 'not-checked', reason: `${failed.length === 1 ? 'One practice' : `${failed.length} practices`} could not be searched`, practices: answers };
  }
  return { outcome: 'no-match', reason: decided[0]!.decision.reason, practices: answers };
}
