import type { Annotation } from '@medplum/fhirtypes';
import { CONTACT_METHODS, SESSION_MODES } from './codes.js';

/**
 * The case record lives in Task.note, one Annotation per event, readable by any FHIR client: `time`
 * is when it happened (the contact or session date), `authorReference` the link worker, and the text's
 * first line a fixed heading the workspace parses back (the workspace writes it; reports read it), e.g.
 *
 *   Contact attempt: Telephone call – no contact
 *   Contact made: Text message (SMS)
 *   Session: Face to face, 45 minutes
 *
 * Headings use the display text of SP Link's code lists (codes.ts keeps them stable), so counts
 * (failed contacts, sessions held) can be recomputed from the Task alone.
 */
export const CASE_ENTRY_KINDS = ['contact-attempt', 'session', 'plan', 'safeguarding', 'decision'] as const;
export type CaseEntryKind = (typeof CASE_ENTRY_KINDS)[number];

export interface CaseEntry {
  kind: CaseEntryKind;
  /** When it happened (YYYY-MM-DD for contacts and sessions) or when it was recorded. */
  date: string;
  author?: string;
  method?: string;
  outcome?: 'successful' | 'unsuccessful';
  durationMinutes?: number;
  text: string;
}

export const HEADING = {
  contactFailed: (method: string) => `Contact attempt: ${method} – no contact`,
  contactMade: (method: string) => `Contact made: ${method}`,
  session: (mode: string, minutes: number) => `Session: ${mode}, ${minutes} minutes`,
  plan: 'Personalised plan',
  safeguarding: 'Safeguarding concern raised',
} as const;

const byDisplay = (list: readonly { code: string; display: string }[], display: string) => list.find((x) => x.display === display)?.code;

const CONTACT_FAILED = /^Contact attempt: (.+) – no contact$/;
const CONTACT_MADE = /^Contact made: (.+)$/;
const SESSION = /^Session: (.+), (\d{1,4}) minutes$/;

export function parseNote(note: Annotation): CaseEntry | undefined {
  const [first = '', ...rest] = note.text.split('\n');
  const base = { date: note.time ?? '', author: note.authorReference?.display ?? note.authorString, text: note.text };
  const body = rest.join('\n');
  let m: RegExpExecArray | null;
  if ((m = CONTACT_FAILED.exec(first))) return { ...base, kind: 'contact-attempt', outcome: 'unsuccessful', method: byDisplay(CONTACT_METHODS, m[1]!) ?? m[1] };
  if ((m = CONTACT_MADE.exec(first))) return { ...base, kind: 'contact-attempt', outcome: 'successful', method: byDisplay(CONTACT_METHODS, m[1]!) ?? m[1] };
  if ((m = SESSION.exec(first))) return { ...base, kind: 'session', method: byDisplay(SESSION_MODES, m[1]!) ?? m[1], durationMinutes: Number(m[2]) };
  if (first === HEADING.plan) return { ...base, kind: 'plan', text: body || note.text };
  if (first === HEADING.safeguarding) return { ...base, kind: 'safeguarding' };
  return { ...base, kind: 'decision' };
}

export function note(o: { heading: string; detail?: string; time: string; author: { reference: string; display: string } }): Annotation {
  return {
    authorReference: o.author as Annotation['authorReference'],
    time: o.time,
    text: o.detail ? `${o.heading}\n${o.detail}` : o.heading,
  };
}
