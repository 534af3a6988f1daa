import { CDS_OVERRIDE_REASON_SYSTEM, CDS_OVERRIDE_REASONS, CDS_PROMPT_RULE_SYSTEM, CDS_PROMPT_RULES, NEEDS, type NeedCode } from '../referral-model/codes.js';
import { formatLondonDate } from '../time/london.js';
import { preselectedNeed, type Prompt } from './rules.js';

/** A CDS Hooks 2.0 card, as SP Link writes it (only the fields it uses). */
export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: { readonly label: string; readonly url?: string; readonly topic: Coding };
  readonly links: readonly Link[];
  readonly overrideReasons: readonly Coding[];
}

export interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

export interface Link {
  readonly label: string;
  readonly url: string;
  readonly type: 'absolute' | 'smart';
  readonly appContext?: string;
}

/** What the GP app reads from a launch's `appContext` (a JSON string): the need to open the referral with. */
export interface ReferAppContext {
  readonly need?: string;
  readonly cdsCard?: string;
}

export const SOURCE_LABEL = 'SP Link social prescribing';
/** CDS Hooks caps the summary at 140 characters. */
export const SUMMARY_MAX = 140;

const needLabel = (code: string) => NEEDS.find((n) => n.code === code)?.display ?? code;

/** The one sentence why: the coded need the rules saw, the completed referral, or the count of encounters. */
export function summaryOf(prompt: Prompt): string {
  switch (prompt.rule) {
    case 'social-need': {
      const first = prompt.needs[0]!;
      const more = new Set(prompt.needs.map((n) => n.need)).size - 1;
      const seen = `${first.label}${first.recorded ? ` (${formatLondonDate(first.recorded)})` : ''}`;
      return clip(`${seen}${more > 0 ? ` and ${more} more need${more > 1 ? 's' : ''}` : ''} on the record, no social prescribing referral: consider one.`);
    }
    case 'follow-up-due':
      return clip(`Social prescribing completed ${formatLondonDate(prompt.completedOn)}: a follow-up is due.`);
    case 'frequent-attender':
      return clip(`${prompt.encounters} appointments in ${prompt.months} months and no social prescribing referral: consider one.`);
  }
}

function clip(s: string): string {
  return s.length <= SUMMARY_MAX ? s : `${s.slice(0, SUMMARY_MAX - 1)}…`;
}

export interface CardOptions {
  readonly uuid: string;
  /** SP Link's SMART launch URL, `{publicUrl}/launch`. */
  readonly launchUrl: string;
  /** The practice's local service overview, when configured. */
  readonly serviceOverviewUrl?: string;
}

export function buildCard(prompt: Prompt, opts: CardOptions): Card {
  const need = preselectedNeed(prompt);
  const appContext: ReferAppContext = { ...(need ? { need } : {}), cdsCard: opts.uuid };
  const topic = CDS_PROMPT_RULES.find((r) => r.code === prompt.rule)!;
  const detail =
    prompt.rule === 'social-need'
      ? `Needs on the record: ${[...new Set(prompt.needs.map((n) => needLabel(n.need)))].join(', ')}. **Refer** opens SP Link with ${needLabel(need!)} chosen.`
      : undefined;
  return {
    uuid: opts.uuid,
    summary: summaryOf(prompt),
    ...(detail ? { detail } : {}),
    indicator: 'info',
    source: { label: SOURCE_LABEL, ...(opts.serviceOverviewUrl ? { url: opts.serviceOverviewUrl } : {}), topic: { system: CDS_PROMPT_RULE_SYSTEM, ...topic } },
    links: [
      { label: 'Refer to social prescribing', url: opts.launchUrl, type: 'smart', appContext: JSON.stringify(appContext) },
      ...(opts.serviceOverviewUrl ? [{ label: 'Local social prescribing services', url: opts.serviceOverviewUrl, type: 'absolute' as const }] : []),
    ],
    overrideReasons: CDS_OVERRIDE_REASONS.map((r) => ({ system: CDS_OVERRIDE_REASON_SYSTEM, ...r })),
  };
}

/** The need an `appContext` asks the GP app to choose: a known SP Link need code, or nothing. */
export function needFromAppContext(appContext: string | undefined): NeedCode | undefined {
  if (!appContext) return undefined;
  try {
    const v = JSON.parse(appContext) as unknown;
    const need = v !== null && typeof v === 'object' ? (v as ReferAppContext).need : undefined;
    return NEEDS.find((n) => n.code === need)?.code;
  } catch {
    return undefined;
  }
}
