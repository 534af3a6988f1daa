import type { Observation } from '@medplum/fhirtypes';
import { betterDirection, CODE_SYSTEM, displayOf, findInstrument, type BetterDirection } from './codes.js';
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
  /** Which way the score moves when the person is doing better (codes.ts `better`). */
  higherIsBetter: boolean;
  /** `corrected`: the link worker corrected this score after recording it (Observation status corrected/amended). */
  points: { at: string; value: number; corrected?: true }[];
}

/** The key of a measure: the instrument code for a total, `instrument:item` for an item (also the reports' measure). */
export const measureKey = (instrument: string, part: string): string => (part === 'total' ? instrument : `${instrument}:${part}`);

/** Which way a measure (by its key) moves when the person is doing better; undefined for a key SP Link does not know. */
export function measureDirection(key: string): BetterDirection | undefined {
  const [instrument = '', item] = key.split(':');
  return betterDirection(instrument, item ?? 'total');
}

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
    const key = measureKey(instrument, part);
    let s = byKey.get(key);
    if (!s) {
      // A MYCaW concern is charted under the person's own words for it.
      const label = part === 'total' ? inst.display : `${displayOf('outcomeInstrument', part) ?? part}${words ? `: “${words}”` : ''}`;
      s = { key, label, min: range.min, max: range.max, higherIsBetter: range.better === 'higher', points: [] };
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

