export { Html, escapeHtml as escape, html, join, raw } from '../../http/html.js';
export { formatNhsNumber } from '../../fhir/nhs-number.js';
import { formatLondonDate } from '../../time/london.js';

/** A FHIR date or dateTime as its calendar date in England ("1 Dec 2026"). */
export const formatDate = formatLondonDate;
