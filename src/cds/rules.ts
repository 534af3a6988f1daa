import type { NeedCode } from '../referral-model/codes.js';
import { daysBetweenDates } from '../time/london.js';
import type { CodedNeed, PatientFacts } from './facts.js';

/**
 * When SP Link prompts a GP to think of social prescribing: pure rules over a patient's facts, a practice's
 * settings and today's date (Europe/London). At most one prompt per patient per day; never while a referral is
 * open; not again soon after a referral ended, except to say that a completed one's follow-up is due.
 */

export interface PromptRules {
  /** Prompt when a social need is coded and no referral is open or recent. */
  readonly socialNeed: boolean;
  /** Prompt for a frequent attender: at least `encounters` encounters in the last `months` months. */
  readonly frequentAttender: { readonly enabled: boolean; readonly encounters: number; readonly months: number };
  /** A referral completed or ended within this many days: no new prompt (but see followUp). */
  readonly recentReferralDays: number;
  /** A completed referral's follow-up is due from `afterDays` after completion, for `windowDays`. */
  readonly followUp: { readonly enabled: boolean; readonly afterDays: number; readonly windowDays: number };
  /** Observations of a need older than this many months no longer prompt (Conditions count while active). */
  readonly observationMonths: number;
}

export const DEFAULT_PROMPT_RULES: PromptRules = {
  socialNeed: true,
  frequentAttender: { enabled: true, encounters: 10, months: 12 },
  recentReferralDays: 90,
  followUp: { enabled: true, afterDays: 90, windowDays: 28 },
  observationMonths: 12,
};

export type PromptRule = 'social-need' | 'follow-up-due' | 'frequent-attender';

export type Prompt =
  | { readonly rule: 'social-need'; readonly needs: readonly CodedNeed[] }
  | { readonly rule: 'follow-up-due'; readonly completedOn: string }
  | { readonly rule: 'frequent-attender'; readonly encounters: number; readonly months: number };

export type NoPromptReason = 'referral-open' | 'recent-referral' | 'nothing-to-prompt';

export type Decision =
  | { readonly show: true; readonly prompt: Prompt }
  /** A prompt was due but the patient had one today already: the service records the suppression. */
  | { readonly show: false; readonly reason: 'prompted-today'; readonly suppressed: Prompt }
  | { readonly show: false; readonly reason: NoPromptReason };

export interface DecisionInput {
  readonly facts: PatientFacts;
  readonly rules: PromptRules;
  /** Today's calendar date (Europe/London). */
  readonly today: string;
  /** The patient was shown a prompt today already (or the GP dismissed one today). */
  readonly promptedToday: boolean;
}

/** The calendar date `months` months before `date` (clamped to the month's last day). */
export function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

function candidate({ facts, rules, today }: DecisionInput): Prompt | NoPromptReason {
  if (facts.referrals.some((r) => r.state === 'open')) return 'referral-open';

  const ended = facts.referrals
    .filter((r): r is typeof r & { since: string } => r.since !== undefined)
    .sort((a, b) => b.since.localeCompare(a.since));
  const latest = ended[0];
  // An ended referral with no date may be recent: treat it as such rather than prompt about someone just referred.
  const undated = facts.referrals.some((r) => r.since === undefined);

  if (rules.followUp.enabled && latest?.state === 'completed' && !undated) {
    const days = daysBetweenDates(latest.since, today);
    if (days >= rules.followUp.afterDays && days < rules.followUp.afterDays + rules.followUp.windowDays) {
      return { rule: 'follow-up-due', completedOn: latest.since };
    }
  }
  if (undated || (latest !== undefined && daysBetweenDates(latest.since, today) < rules.recentReferralDays)) {
    return 'recent-referral';
  }
  if (rules.socialNeed && facts.needs.length > 0) return { rule: 'social-need', needs: facts.needs };
  if (rules.frequentAttender.enabled) {
    const since = monthsBefore(today, rules.frequentAttender.months);
    const encounters = facts.encounterDates.filter((d) => d > since && d <= today).length;
    if (encounters >= rules.frequentAttender.encounters) {
      return { rule: 'frequent-attender', encounters, months: rules.frequentAttender.months };
    }
  }
  return 'nothing-to-prompt';
}

export function decide(input: DecisionInput): Decision {
  const c = candidate(input);
  if (typeof c === 'string') return { show: false, reason: c };
  if (input.promptedToday) return { show: false, reason: 'prompted-today', suppressed: c };
  return { show: true, prompt: c };
}

/** The need the GP app opens with when the GP follows the prompt: the most recently recorded one. */
export function preselectedNeed(prompt: Prompt): NeedCode | undefined {
  return prompt.rule === 'social-need' ? prompt.needs[0]?.need : undefined;
}
