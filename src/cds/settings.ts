import type { CdsRulesConfig } from '../config/schema.js';
import type { NeedCode } from '../referral-model/codes.js';
import { DEFAULT_NEED_CODES, needCodeIndex } from './facts.js';
import { DEFAULT_PROMPT_RULES, type PromptRules } from './rules.js';

/** A practice's prompt settings: SP Link's defaults, then the deployment's `cds.rules`, then the practice's own. */
export interface PracticeRules {
  readonly prompt: PromptRules;
  readonly needCodes: ReadonlyMap<string, NeedCode>;
}

export function practiceRules(...layers: (CdsRulesConfig | undefined)[]): PracticeRules {
  let prompt: PromptRules = DEFAULT_PROMPT_RULES;
  const needCodes = [...DEFAULT_NEED_CODES];
  for (const l of layers) {
    if (!l) continue;
    prompt = {
      socialNeed: l.socialNeed ?? prompt.socialNeed,
      frequentAttender: { ...prompt.frequentAttender, ...defined(l.frequentAttender) },
      recentReferralDays: l.recentReferralDays ?? prompt.recentReferralDays,
      followUp: { ...prompt.followUp, ...defined(l.followUp) },
      observationMonths: l.observationMonths ?? prompt.observationMonths,
    };
    needCodes.push(...(l.extraNeedCodes ?? []));
  }
  return { prompt, needCodes: needCodeIndex(needCodes) };
}

/** The keys that are set (zod leaves absent optional keys out, but be sure an explicit undefined never wins). */
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
