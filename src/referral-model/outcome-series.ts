import type { Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM, displayOf, findInstrument } from './codes.js';
import { itemTexts } from './outcome-observation.js';

/**
 * Outcome scores as series per instrument (or per item, for instruments scored per item), oldest first: what
 * the GP app charts and what the message back reports as before and after. Pure.
 */
export interface OutcomeSeries {
  /** Instrument code, plus item code for instruments scored per item. */
  key: string;
  label: string;
  min: number;
  max: number;
  /** Higher is better for most instruments; false for UCLA-3, PHQ-9, GAD-7, ONS4 anxiety, MYCaW concerns. */
  higherIsBetter: boolean;
  /** `corrected`: the link worker corrected this score after recording it (Observation status corrected/amended). */
  points: { at: string; value: number; corrected?: true }[];
}

const LOWER_IS_BETTER = new Set(['ucla3', 'phq9', 'gad7', 'ons4-anxiety', 'mycaw-concern-1', 'mycaw-concern-2']);

const codeIn = (cc: { coding?: { system?: string; code?: string }[] } | undefined, system: string) =>
  cc?.coding?.find((c) => c.system === system)?.code;

export function outcomeSeries(observations: Observation[]): OutcomeSeries[] {
  const byKey = new Map<string, OutcomeSeries>();
  const add = (instrument: string, part: string, at: string, value: number | undefined, corrected: boolean, words?: string) => {
    if (value === undefined) return;
    const inst = findInstrument(instrument);
    if (!inst) return;
    const range = part === 'total' ? inst.total : inst.items.find((i) => i.code === part);
    if (!range) return;
    const key = part === 'total' ? instrument : `${instrument}:${part}`;
    let s = byKey.get(key);
    if (!s) {
      // A MYCaW concern is charted under the person's own words for it.
      const label = part === 'total' ? inst.display : `${displayOf('outcomeInstrument', part) ?? part}${words ? `: “${words}”` : ''}`;
      s = { key, label, min: range.min, max: range.max, higherIsBetter: !LOWER_IS_BETTER.has(part === 'total' ? instrument : part), points: [] };
      byKey.set(key, s);
    }
    s.points.push({ at, value, ...(corrected ? { corrected: true as const } : {}) });
  };
  for (const o of observations) {
    // Recorded in error (or cancelled): neither charted nor listed. Corrected scores are shown as they now stand.
    if (o.status === 'entered-in-error' || o.status === 'cancelled') continue;
    const corrected = o.status === 'corrected' || o.status === 'amended';
    const instrument = codeIn(o.code, CODE_SYSTEM.outcomeInstrument);
    const at = o.effectiveDateTime ?? o.issued ?? o.meta?.lastUpdated;
    if (!instrument || !at) continue;
    add(instrument, 'total', at, o.valueInteger ?? o.valueQuantity?.value, corrected);
    const words = itemTexts(o);
    for (const c of o.component ?? []) {
      const item = codeIn(c.code, CODE_SYSTEM.outcomeInstrument);
      if (item) add(instrument, item, at, c.valueInteger ?? c.valueQuantity?.value, corrected, words[item]);
    }
  }
  const out = [...byKey.values()];
  for (const s of out) s.points.sort((a, b) => a.at.localeCompare(b.at));
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

