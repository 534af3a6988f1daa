import { SPLIT_KEYS, splitOf } from './dimensions.js';
import type { Aggregates } from './aggregate.js';
import { buildReport, type Report, type ReportId } from './report-builders.js';
import type { SuppressionRule } from './suppression.js';
import { shownText } from './suppression.js';

/**
 * A report as CSV for analysts: one figure a line, in long form (table, split, row, column, value) with the
 * filter on every line, every equality split included, the same suppressed figures as the page. Cells an
 * spreadsheet would run as a formula are prefixed with an apostrophe; numbers (e.g. "-1.2") are left alone.
 */
export const CSV_HEADER = ['report', 'period_from', 'period_to', 'practice', 'pcn', 'service', 'source', 'table', 'split', 'row', 'column', 'value'] as const;

const NUMBER = /^[+-]?\d+(\.\d+)?%?$/;

export function csvField(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) && !NUMBER.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function lines(r: Report): string[][] {
  const f = r.filter;
  const lead = [r.id, f.from, f.to, f.practice ?? '', f.pcn ?? '', f.service ?? '', f.source ?? ''];
  const split = splitOf(r.split).label;
  const out: string[][] = [];
  for (const t of r.tables) {
    if (t.kind === 'counts') {
      t.rows.forEach((row, i) => {
        t.columns.forEach((col, c) => out.push([...lead, t.title, split, row.label, col.label, shownText(t.table.cells[i]![c]!)]));
        if (t.columns.length > 1) out.push([...lead, t.title, split, row.label, 'Total', shownText(t.table.rowTotals[i]!)]);
      });
      t.columns.forEach((col, c) => out.push([...lead, t.title, split, t.totalLabel, col.label, shownText(t.table.columnTotals[c]!)]));
      if (t.columns.length > 1) out.push([...lead, t.title, split, t.totalLabel, 'Total', shownText(t.table.total)]);
    } else {
      for (const row of t.rows) t.columns.forEach((col, c) => out.push([...lead, t.title, split, row.label, col, row.cells[c]!.text]));
    }
  }
  return out;
}

/** The report for every split (everyone, then each equality field), as one CSV document. */
export function reportCsv(id: ReportId, a: Aggregates, rule: SuppressionRule): string {
  const rows = SPLIT_KEYS.flatMap((s) => lines(buildReport(id, a, s, rule)));
  return [[...CSV_HEADER], ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A file name for a report's CSV: report and period, e.g. `sp-link-outcomes-2025-12-02-to-2026-12-01.csv`. */
export const csvFileName = (id: ReportId, a: Pick<Aggregates, 'filter'>) => `sp-link-${id}-${a.filter.from}-to-${a.filter.to}.csv`;
