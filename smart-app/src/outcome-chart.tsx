import type { ReferralSummary } from './api.js';
import { ukDate } from './format.js';

type Series = ReferralSummary['outcomes'][number];

/** "18 → 24 (improved)" — the text alternative, also shown as the caption. */
export function seriesText(s: Series): string {
  const first = s.points[0];
  const last = s.points[s.points.length - 1];
  if (!first || !last) return `${s.label}: no scores yet`;
  const c = (p: Series['points'][number]) => (p.corrected ? ' (corrected)' : '');
  if (s.points.length === 1) return `${s.label}: ${first.value}${c(first)} on ${ukDate(first.at)} (range ${s.min} to ${s.max})`;
  const better = s.higherIsBetter ? last.value > first.value : last.value < first.value;
  const change = last.value === first.value ? 'no change' : better ? 'improved' : 'worse';
  return `${s.label}: ${first.value}${c(first)} on ${ukDate(first.at)}, then ${last.value}${c(last)} on ${ukDate(last.at)} (${change}; range ${s.min} to ${s.max}, ${s.higherIsBetter ? 'higher' : 'lower'} is better)`;
}

/**
 * First and latest score on the instrument's own scale: a hollow dot for the first, a filled one for the
 * latest, joined by a line. Scales with its container (320 px and up); the caption carries the numbers.
 */
export function OutcomeChart({ series }: { series: Series }) {
  const W = 300;
  const H = 44;
  const pad = 14;
  const x = (v: number) => pad + ((v - series.min) / Math.max(1, series.max - series.min)) * (W - 2 * pad);
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  const id = `chart-${series.key.replace(/[^a-z0-9-]/gi, '-')}`;
  return (
    <figure class="sp-chart" data-testid="outcome-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t`} focusable="false" width="100%" height={H}>
        <title id={`${id}-t`}>{seriesText(series)}</title>
        <line x1={pad} x2={W - pad} y1={22} y2={22} class="sp-chart__axis" />
        <text x={pad} y={40} class="sp-chart__tick" text-anchor="start">
          {series.min}
        </text>
        <text x={W - pad} y={40} class="sp-chart__tick" text-anchor="end">
          {series.max}
        </text>
        {first && last && series.points.length > 1 && <line x1={x(first.value)} x2={x(last.value)} y1={22} y2={22} class="sp-chart__change" />}
        {first && <circle cx={x(first.value)} cy={22} r={6} class="sp-chart__first" />}
        {last && series.points.length > 1 && <circle cx={x(last.value)} cy={22} r={6} class="sp-chart__last" />}
      </svg>
      <figcaption class="nhsuk-body-s">{seriesText(series)}</figcaption>
    </figure>
  );
}
