import { INSTRUMENTS, type Instrument } from '../referral-model/codes.js';
import { measureKey } from '../referral-model/outcome-series.js';

/**
 * Each outcome measure the reports pair up (an instrument's total, or one item of an instrument scored per item,
 * keyed as in the report store), which direction is better, and the change that counts as meaningful:
 * SWEMWBS and WEMWBS 3 points (the scale authors' guidance), PHQ-9 5 points, GAD-7 4 points (their published
 * minimal important differences); for UCLA-3, ONS4 and MYCaW items, which have no agreed threshold in this use,
 * one whole point, the smallest change the scale records.
 */
export interface MeasureRule {
  measure: string;
  label: string;
  higherIsBetter: boolean;
  meaningful: number;
  min: number;
  max: number;
}

const THRESHOLD: Record<string, number> = { swemwbs: 3, wemwbs: 3, phq9: 5, gad7: 4 };
const SHORT: Record<string, string> = { swemwbs: 'SWEMWBS', wemwbs: 'WEMWBS', ucla3: 'UCLA-3 loneliness', phq9: 'PHQ-9', gad7: 'GAD-7' };

export const MEASURE_RULES: readonly MeasureRule[] = (INSTRUMENTS as readonly Instrument[]).flatMap((inst): MeasureRule[] => {
  if (inst.total) {
    return [{ measure: measureKey(inst.code, 'total'), label: SHORT[inst.code] ?? inst.display, higherIsBetter: inst.total.better === 'higher', meaningful: THRESHOLD[inst.code] ?? 1, min: inst.total.min, max: inst.total.max }];
  }
  return inst.items.map((item) => ({ measure: measureKey(inst.code, item.code), label: item.display, higherIsBetter: item.better === 'higher', meaningful: 1, min: item.min, max: item.max }));
});

export const measureRule = (measure: string): MeasureRule | undefined => MEASURE_RULES.find((m) => m.measure === measure);
