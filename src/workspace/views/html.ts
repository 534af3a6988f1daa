export { Html, escapeHtml as escape, html, join, raw } from '../../http/html.js';
export { formatNhsNumber } from '../../fhir/nhs-number.js';
import { formatLondonDate } from '../../time/london.js';
import { html, type Html } from '../../http/html.js';

/** A FHIR date or dateTime as its calendar date in England ("1 Dec 2026"). */
export const formatDate = formatLondonDate;

/**
 * An NHS.UK responsive table's header row and cells: below desktop width each row becomes a card, each value under
 * its column heading, so 320 px never scrolls sideways. `cell` takes only the table's own column names.
 */
export function responsiveTable<const C extends string>(columns: readonly C[]): { head: Html; cell: (heading: C, value: Html | string) => Html } {
  return {
    head: html`<thead class="nhsuk-table__head" role="rowgroup"><tr class="nhsuk-table__row" role="row">${columns.map((c) => html`<th class="nhsuk-table__header" scope="col" role="columnheader">${c}</th>`)}</tr></thead>`,
    cell: (heading, value) => html`<td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table__heading" aria-hidden="true">${heading} </span><span>${value}</span></td>`,
  };
}
