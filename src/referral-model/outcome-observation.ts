import type { Coding, Extension, Identifier, Observation, ObservationComponent, Reference } from '@medplum/fhirtypes';
import { CODE_SYSTEM, INSTRUMENTS, PROFILE, SYSTEM, type Instrument } from './codes.js';

/** HL7 observation-category: outcome measures are questionnaire-based ("survey"). */
export const SURVEY_CATEGORY = { system: SYSTEM.observationCategory, code: 'survey', display: 'Survey' } as const;

/** Scores of one instrument: `total` and/or item codes → whole number. */
export type OutcomeScores = Readonly<Record<string, number>>;

/** Observation statuses an outcome score is written with (entered-in-error is a retraction, not a score). */
export type OutcomeStatus = 'final' | 'amended' | 'corrected' | 'preliminary';

/** The instrument an Observation.code names: SP Link's own code, or the verified national code of one. */
export function instrumentIn(codings: readonly Coding[]): Instrument | undefined {
  const all = INSTRUMENTS as readonly Instrument[];
  for (const c of codings) {
    const own = c.system === CODE_SYSTEM.outcomeInstrument ? all.find((i) => i.code === c.code) : undefined;
    if (own) return own;
    const std = all.find((i) => i.standardCode && i.standardCode.system === c.system && i.standardCode.code === c.code);
    if (std) return std;
  }
  return undefined;
}

/** SP Link's own instrument code of an outcome Observation. */
export const instrumentCodeOf = (o: Observation): string | undefined =>
  o.code?.coding?.find((c) => c.system === CODE_SYSTEM.outcomeInstrument)?.code;

/** Observation.code of an instrument: SP Link's code, plus the national code where one is verified. */
export function instrumentCode(inst: Instrument, text: string = inst.display): Observation['code'] {
  const coding: Coding[] = [{ system: CODE_SYSTEM.outcomeInstrument, code: inst.code, display: inst.display }];
  if (inst.standardCode) coding.push({ ...inst.standardCode });
  return { coding, text };
}

/** Longest wording of an item (a MYCaW concern in the person's words) SP Link keeps. */
export const MAX_ITEM_TEXT = 200;

/** What the person named for each worded item (codes.ts `worded`), from the components' `code.text`. */
export function itemTexts(o: Observation): Record<string, string> {
  const inst = instrumentIn(o.code?.coding ?? []);
  const out: Record<string, string> = {};
  for (const c of o.component ?? []) {
    const code = c.code?.coding?.find((x) => x.system === CODE_SYSTEM.outcomeInstrument)?.code;
    const item = inst?.items.find((i) => i.code === code);
    const text = c.code?.text?.trim();
    if (item?.worded && text && text !== item.display) out[item.code] = text.slice(0, MAX_ITEM_TEXT);
  }
  return out;
}

/**
 * The score elements of an outcome Observation: the total as valueInteger, items (in instrument order) as components.
 * `texts`: the person's own words for worded items (a MYCaW concern), carried as the component's code.text.
 */
export function scoreElements(inst: Instrument, scores: OutcomeScores, texts: Readonly<Record<string, string>> = {}): Pick<Observation, 'valueInteger' | 'component'> {
  const component: ObservationComponent[] = inst.items.flatMap((item) =>
    scores[item.code] === undefined
      ? []
      : [{ code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: item.code, display: item.display }], text: (item.worded && texts[item.code]) || item.display }, valueInteger: scores[item.code] }],
  );
  return {
    ...(inst.total && scores.total !== undefined ? { valueInteger: scores.total } : {}),
    ...(component.length > 0 ? { component } : {}),
  };
}

/**
 * The one SPLinkOutcomeObservation builder: one Observation per instrument and occasion. Written at the link-worker
 * endpoint by the workspace (and the sandbox's demo data), and copied into the GP record by the reconciler with a
 * pointer back to its source (`source` → meta.source, `derivedFrom`).
 */
export function outcomeObservation(o: {
  instrument: Instrument;
  scores: OutcomeScores;
  /** The person's own words for worded items (a MYCaW concern), by item code. */
  itemTexts?: Readonly<Record<string, string>>;
  status: OutcomeStatus;
  identifier: Identifier;
  subject: Reference;
  basedOn: Reference;
  performer: Reference;
  effectiveDateTime: string;
  id?: string;
  /** Observation.code.text; the instrument's name unless the source worded it. */
  text?: string;
  source?: string;
  extension?: Extension[];
  note?: Observation['note'];
  derivedFrom?: string;
}): Observation {
  return {
    resourceType: 'Observation',
    ...(o.id ? { id: o.id } : {}),
    meta: { profile: [PROFILE.outcomeObservation], ...(o.source ? { source: o.source } : {}) },
    identifier: [o.identifier],
    status: o.status,
    category: [{ coding: [{ ...SURVEY_CATEGORY }] }],
    code: instrumentCode(o.instrument, o.text),
    ...(o.extension?.length ? { extension: o.extension } : {}),
    subject: o.subject as Observation['subject'],
    basedOn: [o.basedOn] as Observation['basedOn'],
    performer: [o.performer] as Observation['performer'],
    effectiveDateTime: o.effectiveDateTime,
    ...scoreElements(o.instrument, o.scores, o.itemTexts),
    ...(o.note?.length ? { note: o.note } : {}),
    ...(o.derivedFrom ? { derivedFrom: [{ reference: o.derivedFrom }] } : {}),
  };
}
