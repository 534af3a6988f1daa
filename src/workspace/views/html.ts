export { Html, escapeHtml as escape, html, join, raw } from '../../http/html.js';
export { formatNhsNumber } from '../../fhir/nhs-number.js';

export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
}

