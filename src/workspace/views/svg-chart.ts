import { html, type Html } from './html.js';

/**
 * A horizontal bar chart as server-rendered SVG (no script): one bar a row, an optional interval drawn as a whisker
 * (a confidence interval, or a median's 90th percentile), a zero line when values go below zero. The chart is a
 * picture of the data table printed under it: it carries a title and description for screen readers, which are
 * pointed to the table for the figures. Rows without a value (hidden or missing) get no bar and their label's text.
 */
export interface ChartRow {
  label: string;
  value?: number;
  low?: number;
  high?: number;
  /** What to print at the end of the bar (the figure as in the table, e.g. "<8"). */
  text: string;
}

const WIDTH = 640;
const LABEL_W = 220;
const VALUE_W = 60;
const ROW_H = 26;
const BAR_H = 16;

const fmt = (v: number) => String(Math.round(v * 10) / 10);

export function barChart(o: { id: string; title: string; description: string; rows: readonly ChartRow[] }): Html {
  const values = o.rows.flatMap((r) => [r.value, r.low, r.high]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values, lo === 0 ? 1 : 0);
  const plot = WIDTH - LABEL_W - VALUE_W;
  const x = (v: number) => LABEL_W + ((v - lo) / (hi - lo || 1)) * plot;
  const height = Math.max(1, o.rows.length) * ROW_H + 24;
  const clip = (s: string) => (s.length > 32 ? `${s.slice(0, 31)}…` : s);
  const rows = o.rows.map((r, i) => {
    const y = i * ROW_H + 4;
    const mid = y + BAR_H / 2;
    const bar = r.value !== undefined && Number.isFinite(r.value)
      ? html`<rect class="sp-chart__bar" x="${fmt(Math.min(x(0), x(r.value)))}" y="${y}" width="${fmt(Math.max(1, Math.abs(x(r.value) - x(0))))}" height="${BAR_H}"></rect>`
      : '';
    const whisker = r.high !== undefined
      ? html`<line class="sp-chart__whisker" x1="${fmt(x(r.low ?? r.value ?? 0))}" x2="${fmt(x(r.high))}" y1="${mid}" y2="${mid}"></line>
        <line class="sp-chart__whisker" x1="${fmt(x(r.high))}" x2="${fmt(x(r.high))}" y1="${y + 3}" y2="${y + BAR_H - 3}"></line>
        ${r.low !== undefined ? html`<line class="sp-chart__whisker" x1="${fmt(x(r.low))}" x2="${fmt(x(r.low))}" y1="${y + 3}" y2="${y + BAR_H - 3}"></line>` : ''}`
      : '';
    const end = Math.max(x(r.value ?? 0), x(r.high ?? r.value ?? 0), x(0));
    return html`<g>
      <text class="sp-chart__label" x="${LABEL_W - 8}" y="${mid + 4}" text-anchor="end">${clip(r.label)}</text>
      ${bar}${whisker}
      <text class="sp-chart__value" x="${fmt(Math.min(end + 6, WIDTH - VALUE_W + 6))}" y="${mid + 4}">${r.text}</text>
    </g>`;
  });
  const axis = lo < 0 ? html`<line class="sp-chart__zero" x1="${fmt(x(0))}" x2="${fmt(x(0))}" y1="0" y2="${height - 20}"></line>` : '';
  return html`<figure class="sp-chart">
  <svg role="img" aria-labelledby="${o.id}-title ${o.id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" focusable="false">
    <title id="${o.id}-title">${o.title}</title>
    <desc id="${o.id}-desc">${o.description}</desc>
    ${axis}${rows}
    <text class="sp-chart__scale" x="${LABEL_W}" y="${height - 4}">${fmt(lo)}</text>
    <text class="sp-chart__scale" x="${LABEL_W + plot}" y="${height - 4}" text-anchor="end">${fmt(hi)}</text>
  </svg>
</figure>`;
}
