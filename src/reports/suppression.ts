/**
 * Small-number suppression for published counts, pure. Counts from 1 to `threshold − 1` are never shown (the NHS
 * default: 1–7 shown as "<8"); zero is shown, since it discloses nobody. Secondary suppression then hides enough
 * other cells that no hidden count can be worked out from the totals printed next to it: in every row and column
 * of a table (its total counted as one more cell of that line) either nothing is hidden or at least two are.
 */

export interface SuppressionRule {
  /** Counts 1 … threshold − 1 are hidden. 1 turns suppression off. */
  threshold: number;
  /** Hide further cells so totals cannot reveal a hidden count. */
  secondary: boolean;
}

export const NHS_SUPPRESSION: SuppressionRule = { threshold: 8, secondary: true };

/** A count as published: the number, or hidden with its label ("<8"). */
export type Shown = { value: number; hidden: false } | { hidden: true; label: string; reason: 'small' | 'secondary' };

export const hiddenLabel = (rule: SuppressionRule): string => `<${rule.threshold}`;

/** True when a count must be hidden under the rule on its own (primary suppression). */
export function isSmall(count: number, rule: SuppressionRule): boolean {
  return count > 0 && count < rule.threshold;
}

/** One count on its own, with no total next to it. */
export function showCount(count: number, rule: SuppressionRule): Shown {
  return isSmall(count, rule) ? { hidden: true, label: hiddenLabel(rule), reason: 'small' } : { value: count, hidden: false };
}

export interface SuppressedTable {
  cells: Shown[][];
  rowTotals: Shown[];
  columnTotals: Shown[];
  total: Shown;
}

type Mark = 'shown' | 'small' | 'secondary';

/**
 * A table of counts (rows × columns) with its row totals, column totals and grand total, suppressed together.
 * A list of counts with a total is a one-column table.
 */
export function suppressTable(cells: readonly (readonly number[])[], rule: SuppressionRule): SuppressedTable {
  const rows = cells.length;
  const cols = rows ? cells[0]!.length : 0;
  if (cells.some((r) => r.length !== cols)) throw new RangeError('suppressTable: every row needs the same number of columns');
  for (const r of cells) for (const v of r) if (!Number.isInteger(v) || v < 0) throw new RangeError(`suppressTable: counts must be whole numbers ≥ 0, not ${v}`);

  // Every figure in one grid: cells at [r][c], row totals at [r][cols], column totals at [rows][c], total at [rows][cols].
  const value: number[][] = [];
  for (let r = 0; r <= rows; r++) value.push(new Array<number>(cols + 1).fill(0));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = cells[r]![c]!;
      value[r]![c] = v;
      value[r]![cols]! += v;
      value[rows]![c]! += v;
      value[rows]![cols]! += v;
    }
  }
  const mark: Mark[][] = value.map((line) => line.map((v) => (isSmall(v, rule) ? 'small' : 'shown')));

  if (rule.secondary) {
    // Each line is an equation: its cells sum to its total. One unknown in an equation can be solved for, so a
    // line with exactly one hidden figure gets a second: its smallest shown non-zero cell, else its total.
    const rowLine = (r: number) => Array.from({ length: cols + 1 }, (_, c) => [r, c] as [number, number]);
    const columnLine = (c: number) => Array.from({ length: rows + 1 }, (_, r) => [r, c] as [number, number]);
    const hiddenIn = (line: [number, number][]) => line.filter(([r, c]) => mark[r]![c] !== 'shown').length;
    const lines = [
      ...Array.from({ length: rows + 1 }, (_, r) => ({ line: rowLine(r), across: (_r: number, c: number) => columnLine(c) })),
      ...Array.from({ length: cols + 1 }, (_, c) => ({ line: columnLine(c), across: (r: number) => rowLine(r) })),
    ];
    let changed = true;
    while (changed) {
      changed = false;
      for (const { line, across } of lines) {
        if (hiddenIn(line) !== 1) continue;
        const parts = line.slice(0, -1);
        const totalAt = line[line.length - 1]!;
        // Prefer a cell whose crossing line has a lone hidden figure too (one cell then protects both lines),
        // then the smallest: as little hidden as the rule allows.
        const candidates = parts
          .filter(([r, c]) => mark[r]![c] === 'shown' && value[r]![c]! > 0)
          .map(([r, c]) => ({ at: [r, c] as [number, number], pairs: hiddenIn(across(r, c)) === 1 ? 0 : 1, v: value[r]![c]! }))
          .sort((a, b) => a.pairs - b.pairs || a.v - b.v)
          .map((x) => x.at);
        const pick = candidates[0] ?? (mark[totalAt[0]]![totalAt[1]] === 'shown' ? totalAt : parts.find(([r, c]) => mark[r]![c] === 'shown'));
        if (!pick) continue;
        mark[pick[0]]![pick[1]] = 'secondary';
        changed = true;
      }
    }
  }

  const shown = (r: number, c: number): Shown =>
    mark[r]![c] === 'shown' ? { value: value[r]![c]!, hidden: false } : { hidden: true, label: hiddenLabel(rule), reason: mark[r]![c] as 'small' | 'secondary' };
  return {
    cells: Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => shown(r, c))),
    rowTotals: Array.from({ length: rows }, (_, r) => shown(r, cols)),
    columnTotals: Array.from({ length: cols }, (_, c) => shown(rows, c)),
    total: shown(rows, cols),
  };
}

/** A list of counts with their total (a one-column table). */
export function suppressList(counts: readonly number[], rule: SuppressionRule): { counts: Shown[]; total: Shown } {
  const t = suppressTable(counts.map((v) => [v]), rule);
  return { counts: t.cells.map((r) => r[0]!), total: t.total };
}

/** What a hidden or shown count reads as in a table or CSV. */
export function shownText(s: Shown): string {
  return s.hidden ? s.label : String(s.value);
}
