import type { MessageBack } from './document.js';

/** FHIR narrative is XHTML in this namespace (R4 Narrative.div). */
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** The five characters XML gives meaning to, escaped: every piece of text goes through here, nothing else is markup. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Whether XML 1.0 allows a character at all: not control characters other than tab and newlines, nor U+FFFE/U+FFFF. */
const xmlChar = (ch: string) => {
  const c = ch.codePointAt(0)!;
  return (c >= 0x20 && c !== 0xfffe && c !== 0xffff) || c === 0x09 || c === 0x0a || c === 0x0d;
};

const text = (s: string) => escapeXml([...s].filter(xmlChar).join(''));

export interface RenderOptions {
  /** Level of the title heading (sections are one below); 2 in the record's narrative, deeper when nested in a page. */
  readonly headingLevel?: 2 | 3 | 4 | 5;
}

/**
 * The one rendering of a message to the GP: a `<div xmlns="http://www.w3.org/1999/xhtml">` with a heading, a
 * "From …, date" line and a heading plus list per section. It is FHIR narrative as the reconciler writes it
 * (Communication.text.div), and the same markup the GP app and the GP system page show. Only h2–h6, p and ul/li
 * with no attributes are produced, and all text is escaped, so it is valid FHIR xhtml (txt-1, txt-2) and safe to
 * place in a page whatever the link worker typed.
 */
export function renderMessageBackXhtml(m: MessageBack, options: RenderOptions = {}): string {
  const level = options.headingLevel ?? 2;
  const h = (n: number, s: string) => `<h${n}>${text(s)}</h${n}>`;
  const parts = [h(level, m.title || 'Message from social prescribing')];
  const byline = [m.from ? `From ${m.from}` : '', m.sentOn ? `sent ${m.sentOn}` : ''].filter(Boolean).join(', ');
  if (byline) parts.push(`<p>${text(byline)}</p>`);
  for (const s of m.sections) {
    if (s.lines.length === 0) continue;
    if (s.heading) parts.push(h(level + 1, s.heading));
    parts.push(`<ul>${s.lines.map((l) => `<li>${text(l)}</li>`).join('')}</ul>`);
  }
  return `<div xmlns="${XHTML_NS}">${parts.join('')}</div>`;
}
