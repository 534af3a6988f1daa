import { expect } from 'chai';
import { NHS_SUPPRESSION, showCount, shownText, suppressList, suppressTable, type Shown, type SuppressedTable } from '../../../src/reports/suppression.js';

const text = (t: SuppressedTable) => ({
  cells: t.cells.map((r) => r.map(shownText)),
  rowTotals: t.rowTotals.map(shownText),
  columnTotals: t.columnTotals.map(shownText),
  total: shownText(t.total),
});

/** Every row and column (with its total) hides none or at least two figures: no hidden count can be solved for. */
function assertNoLoneHidden(t: SuppressedTable) {
  const lines: Shown[][] = [
    ...t.cells.map((r, i) => [...r, t.rowTotals[i]!]),
    ...t.columnTotals.map((ct, c) => [...t.cells.map((r) => r[c]!), ct]),
    [...t.rowTotals, t.total],
    [...t.columnTotals, t.total],
  ];
  for (const line of lines) expect(line.filter((s) => s.hidden).length).to.not.equal(1);
}

describe('reports/suppression: small numbers are never shown or derivable', () => {
  it('hides 1–7 as "<8" and shows 0 and 8 upwards', () => {
    expect([0, 1, 7, 8, 120].map((n) => shownText(showCount(n, NHS_SUPPRESSION)))).to.deep.equal(['0', '<8', '<8', '8', '120']);
  });

  it("follows the organisation's own rule (e.g. counts under 5 hidden, no secondary suppression)", () => {
    const rule = { threshold: 5, secondary: false };
    expect(shownText(showCount(4, rule))).to.equal('<5');
    expect(shownText(showCount(5, rule))).to.equal('5');
    const t = suppressTable([[3, 10], [20, 30]], rule);
    // Without secondary suppression, 3 could be worked out (13 − 10): the rule is the organisation's choice.
    expect(text(t)).to.deep.equal({ cells: [['<5', '10'], ['20', '30']], rowTotals: ['13', '50'], columnTotals: ['23', '40'], total: '63' });
  });

  it('hides the next smallest count in a list so the total cannot reveal a small one', () => {
    // Hand-worked: 3 is small; with 40 + 12 + 9 and the total 64 shown, 3 = 64 − 61, so the smallest other (9) goes too.
    const l = suppressList([40, 3, 12, 9], NHS_SUPPRESSION);
    expect(l.counts.map(shownText)).to.deep.equal(['40', '<8', '12', '<8']);
    expect(l.counts[3]).to.deep.include({ hidden: true, reason: 'secondary' });
    expect(shownText(l.total)).to.equal('64');
  });

  it('needs no second cell when two counts are small already, and shows zeros', () => {
    const l = suppressList([0, 2, 5, 30], NHS_SUPPRESSION);
    expect(l.counts.map(shownText)).to.deep.equal(['0', '<8', '<8', '30']);
    expect(l.counts.every((s) => !s.hidden || s.reason === 'small')).to.equal(true);
  });

  it('suppresses across rows and columns of a cross-table until no line has a lone hidden figure', () => {
    // Hand-worked, rows = age bands, columns = sex:
    //          F    M  | total            F    M  | total
    //   18–39  25   4  |  29      →      <8   <8  |  29
    //   40–64  30  12  |  42              30   12  |  42
    //   65+    10  20  |  30              <8   20  |  30   (row 1: 4 small → 25 hidden; column F: 25 alone →
    //   total  65  36  | 101              65   36  | 101    10 hidden; row 3: 10 alone → 20 hidden … then column M
    // has 4 and 20 hidden: done.)
    const t = suppressTable([[25, 4], [30, 12], [10, 20]], NHS_SUPPRESSION);
    expect(text(t)).to.deep.equal({
      cells: [['<8', '<8'], ['30', '12'], ['<8', '<8']],
      rowTotals: ['29', '42', '30'],
      columnTotals: ['65', '36'],
      total: '101',
    });
    assertNoLoneHidden(t);
  });

  it('hides a small total and protects it in the margins too', () => {
    const t = suppressTable([[3, 2], [40, 50], [60, 9]], NHS_SUPPRESSION);
    expect(shownText(t.rowTotals[0]!)).to.equal('<8');
    assertNoLoneHidden(t);
  });

  it('never leaves a lone hidden figure in any line (random tables)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 300; k++) {
      const rows = 1 + Math.floor(rnd() * 5);
      const cols = 1 + Math.floor(rnd() * 5);
      const cells = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.floor(rnd() * (rnd() < 0.4 ? 10 : 60))));
      const t = suppressTable(cells, NHS_SUPPRESSION);
      assertNoLoneHidden(t);
      for (const [r, row] of t.cells.entries()) for (const [c, s] of row.entries()) if (!s.hidden) expect(s.value).to.equal(cells[r]![c]);
    }
  });

  it('refuses counts that are not whole numbers and ragged tables', () => {
    expect(() => suppressTable([[1.5]], NHS_SUPPRESSION)).to.throw(RangeError);
    expect(() => suppressTable([[1, 2], [3]], NHS_SUPPRESSION)).to.throw(RangeError);
  });
});
