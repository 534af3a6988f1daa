import type { Observation } from '@medplum/fhirtypes';
import { findInstrument } from '../../referral-model/codes.js';
import { instrumentCodeOf } from '../../referral-model/outcome-observation.js';

/**
 * Whether a case is about to be completed without end measures: the GP's message back shows what changed only
 * when each outcome measure taken at the start was taken again later. Pure.
 * - `none`: no outcome measure was recorded at all;
 * - `startOnly`: instruments (their names) recorded once, at the start, and never again.
 * Measures recorded in error do not count.
 */
export interface EndMeasureGap {
  none: boolean;
  startOnly: string[];
}

export function endMeasureGap(observations: readonly Observation[]): EndMeasureGap | undefined {
  const dates = new Map<string, Set<string>>();
  for (const o of observations) {
    if (o.status === 'entered-in-error' || o.status === 'cancelled') continue;
    const code = instrumentCodeOf(o);
    if (!code) continue;
    const day = (o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued ?? '').slice(0, 10);
    dates.set(code, (dates.get(code) ?? new Set()).add(day));
  }
  if (dates.size === 0) return { none: true, startOnly: [] };
  // Two recordings on different days make a start and an end; two on the same day are one measurement.
  const startOnly = [...dates].filter(([, days]) => days.size < 2).map(([code]) => findInstrument(code)?.display ?? code);
  return startOnly.length ? { none: false, startOnly } : undefined;
}
