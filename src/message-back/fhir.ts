import type { Communication, CommunicationPayload, Narrative, Reference } from '@medplum/fhirtypes';
import { CODE_SYSTEM, COMMUNICATION_TOPICS, EXTENSION, PRSB_SECTIONS, type PrsbSectionCode } from '../referral-model/codes.js';
import { formatLondonDate } from '../time/london.js';
import { SECTION_HEADINGS, type MessageBack, type MessageSection } from './document.js';
import { renderMessageBackXhtml } from './render.js';

/**
 * How a message to the GP travels in FHIR, so any EHR shows it and SP Link reads it back exactly:
 * - `Communication.text`: the rendered narrative (XHTML, status `generated`), what a record viewer displays;
 * - `Communication.payload`: one `contentString` per line, tagged with its PRSB section (extension prsb-section),
 *   in reading order, plus `contentReference`s to what the lines are about (the patient, outcome Observations).
 * Reading back uses the tagged strings, so the GP app and the GP system page show what was written.
 */

/** The PRSB section tag of a payload. */
export function sectionTag(code: PrsbSectionCode): NonNullable<CommunicationPayload['extension']>[number] {
  return { url: EXTENSION.prsbSection, valueCoding: { system: CODE_SYSTEM.prsbSection, code, display: PRSB_SECTIONS.find((s) => s.code === code)!.display } };
}

/** A payload pointing at a resource the message is about (structured data next to the words). */
export function referencePayload(code: PrsbSectionCode, ref: Reference): CommunicationPayload {
  return { extension: [sectionTag(code)], contentReference: ref as CommunicationPayload['contentReference'] };
}

/** One tagged `contentString` per line of every section, in reading order. */
export function messagePayloads(m: MessageBack): CommunicationPayload[] {
  return m.sections.flatMap((s) => s.lines.map((line) => (s.code ? { extension: [sectionTag(s.code)], contentString: line } : { contentString: line })));
}

/** The FHIR narrative of a message: what any EHR shows. */
export function messageNarrative(m: MessageBack): Narrative {
  return { status: 'generated', div: renderMessageBackXhtml(m) };
}

const PRSB_CODES = new Set<string>(PRSB_SECTIONS.map((s) => s.code));

const sectionOf = (p: CommunicationPayload): PrsbSectionCode | undefined => {
  const code = p.extension?.find((e) => e.url === EXTENSION.prsbSection)?.valueCoding?.code;
  return code && PRSB_CODES.has(code) ? (code as PrsbSectionCode) : undefined;
};

/**
 * A Communication about a referral as the GP reads it: its tagged lines regrouped under their headings (a
 * section that appears again later continues where it was), text without a tag as it was sent, title from the
 * topic, sender by name and the day sent. References, and the person-demographics section, are structure for
 * systems, not text for people, and are left out.
 */
export function readMessageBack(c: Communication): MessageBack {
  const topic = c.topic?.coding?.find((x) => x.system === CODE_SYSTEM.communicationTopic)?.code;
  const title = COMMUNICATION_TOPICS.find((t) => t.code === topic)?.display ?? c.topic?.text ?? c.topic?.coding?.find((x) => x.display)?.display ?? 'Message from social prescribing';
  const sections: { code?: PrsbSectionCode; heading: string; lines: string[] }[] = [];
  for (const p of c.payload ?? []) {
    const text = p.contentString?.trim();
    if (!text) continue;
    const code = sectionOf(p);
    // The person is the record's own patient: that section is a reference for systems (messages written before
    // this format put ids there in words), never lines for the GP.
    if (code === 'person-demographics') continue;
    let s = sections.find((x) => x.code === code);
    if (!s) sections.push((s = { ...(code ? { code } : {}), heading: code ? SECTION_HEADINGS[code] : '', lines: [] }));
    // Untagged text (a message from another system) may be one run of paragraphs: one line each.
    s.lines.push(...(code ? [text] : text.split(/\n\s*\n/).map((x) => x.trim()).filter(Boolean)));
  }
  const sentOn = formatLondonDate(c.sent ?? c.meta?.lastUpdated);
  return {
    title,
    ...(c.sender?.display ? { from: c.sender.display } : {}),
    ...(sentOn ? { sentOn } : {}),
    sections: sections as MessageSection[],
  };
}
