import type { PrsbSectionCode } from '../referral-model/codes.js';

/**
 * A message to the GP as a reader sees it: a title, who sent it and when, and headed sections of short lines.
 * Everything in it is already words a GP reads (names, plain Europe/London dates); no ids, no codes, no ISO
 * timestamps. The reconciler composes one (compose.ts), writes it as FHIR narrative plus tagged payloads
 * (payloads.ts), and every surface reads it back from the Communication (read.ts) and renders it (render.ts).
 */
export interface MessageBack {
  /** "Social prescribing completed: message back to GP", "Referral declined", … */
  readonly title: string;
  /** The organisation that sent it. */
  readonly from?: string;
  /** The day it was sent, e.g. "1 Dec 2026" (Europe/London). */
  readonly sentOn?: string;
  readonly sections: readonly MessageSection[];
}

export interface MessageSection {
  /** The PRSB section it carries; absent for text from a message without section tags. */
  readonly code?: PrsbSectionCode;
  /** The heading the GP sees ('' for untagged text). */
  readonly heading: string;
  readonly lines: readonly string[];
}

/**
 * The heading a GP sees for each PRSB section ("Message back to GP and referrer"), in plain words. The coded
 * display (codes.ts PRSB_SECTIONS) is the standard's name; this is the one table of what is shown.
 */
export const SECTION_HEADINGS: Readonly<Record<PrsbSectionCode, string>> = {
  'person-demographics': 'Person',
  'referral-details': 'Referral details',
  'needs-and-concerns': 'Needs and concerns',
  'support-offered': 'Support offered and activities connected to',
  outcomes: 'Outcome measures (before and after)',
  'safety-alerts': 'Safeguarding',
  'contact-preferences': 'Contact preferences',
  'plan-and-requested-actions': 'What happens next',
};

/** The sections a message back at completion carries, in the order a GP reads them. */
export const COMPLETION_SECTION_ORDER = ['referral-details', 'support-offered', 'outcomes', 'plan-and-requested-actions'] as const satisfies readonly PrsbSectionCode[];

/** The document as plain text with its headings (for logs of what was sent, tests and text-only systems). */
export function messageBackText(m: MessageBack): string {
  const head = [m.title, [m.from ? `From ${m.from}` : '', m.sentOn ?? ''].filter(Boolean).join(', ')].filter(Boolean);
  const body = m.sections.map((s) => [s.heading, ...s.lines.map((l) => `- ${l}`)].filter(Boolean).join('\n'));
  return [head.join('\n'), ...body].join('\n\n');
}
