import type { Patient } from '@medplum/fhirtypes';
import { nhsNumberIsValid, normaliseNhsNumber } from '../fhir/nhs-number.js';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import { knownAs } from './nicknames.js';
import { fullDate, isAdjacentTransposition, nameKey, nameParts, outwardCode, postcodeKey, swappedDayMonth } from './normalise.js';

/**
 * Matching a person who referred themselves (or was referred by an agency) to a registered patient, after the
 * PDS trace rules: an NHS number with the date of birth verifies; otherwise name, date of birth and postcode are
 * compared field by field and scored. The outcome is one confident match, no match, or ambiguous: an ambiguous
 * result goes to a person and is never linked automatically. Every decision carries its evidence.
 *
 * Pure: the candidates come from the EHR's Patient search (patient-search.ts).
 */

/** What the person told us about themselves. */
export interface PersonDetails {
  readonly nhsNumber?: string;
  readonly family: string;
  readonly given: string;
  /** YYYY-MM-DD */
  readonly birthDate: string;
  readonly postcode?: string;
}

/** A registered patient as the matcher compares it: every name and postcode the record holds. */
export interface CandidatePatient {
  readonly id: string;
  readonly nhsNumbers: readonly string[];
  readonly names: readonly { readonly family?: string; readonly given: readonly string[] }[];
  readonly birthDate?: string;
  readonly postcodes: readonly string[];
}

export type MatchField = 'nhsNumber' | 'family' | 'given' | 'birthDate' | 'postcode';
export type FieldResult =
  | 'exact'
  | 'known-as'
  | 'transposed'
  | 'part'
  | 'swapped-day-month'
  | 'same-area'
  | 'different'
  | 'not-given'
  | 'not-recorded';

export interface FieldEvidence {
  readonly field: MatchField;
  readonly result: FieldResult;
  readonly points: number;
}

export interface CandidateEvidence {
  readonly patientId: string;
  readonly score: number;
  /** Every field required for a link agrees and the score reaches the threshold. */
  readonly confident: boolean;
  readonly fields: readonly FieldEvidence[];
}

export type MatchOutcome = 'matched' | 'no-match' | 'ambiguous';

export interface MatchDecision {
  readonly outcome: MatchOutcome;
  /** How the outcome was reached: a verified NHS number, or demographics. */
  readonly method: 'nhs-number' | 'demographics';
  /** Set only when outcome is `matched`. */
  readonly patientId?: string;
  /** In plain words, for the service manager. */
  readonly reason: string;
  readonly threshold: number;
  /** Candidates that scored anything, best first (at most MAX_EVIDENCE). */
  readonly candidates: readonly CandidateEvidence[];
}

/** Points per field result. A confident link needs MATCH_THRESHOLD and every required field agreeing. */
export const POINTS = {
  family: { exact: 30, part: 22, transposed: 22 },
  given: { exact: 25, 'known-as': 20, transposed: 18 },
  birthDate: { exact: 30, 'swapped-day-month': 10 },
  postcode: { exact: 15, 'same-area': 6 },
} as const;

/**
 * 88 of 100: family, given, date of birth and postcode all agree, with at most one of the two names in a tolerated
 * form (known as, one transposition, one part of a double-barrelled name). Both names fuzzy (85) is for a person.
 */
export const MATCH_THRESHOLD = 88;
/** A candidate scoring this or more makes the result ambiguous rather than no match. */
export const REVIEW_THRESHOLD = 50;
export const MAX_EVIDENCE = 10;

type Scored<F extends keyof typeof POINTS> = { result: FieldResult; points: number; field: F };

function pointsOf<F extends keyof typeof POINTS>(field: F, result: FieldResult): Scored<F> {
  const table = POINTS[field] as Partial<Record<FieldResult, number>>;
  return { field, result, points: table[result] ?? 0 };
}

function compareFamily(given: string, recorded: readonly (string | undefined)[]): FieldResult {
  const q = nameKey(given);
  if (q === '') return 'not-given';
  const keys = recorded.map(nameKey).filter((k) => k !== '');
  if (keys.length === 0) return 'not-recorded';
  if (keys.includes(q)) return 'exact';
  if (keys.some((k) => isAdjacentTransposition(q, k))) return 'transposed';
  // One part of a double-barrelled name (Smith-Jones / Jones), parts of two letters or more.
  const qp = nameParts(given).filter((p) => p.length > 1);
  if (recorded.some((r) => {
    const rp = nameParts(r).filter((p) => p.length > 1);
    return (qp.length > 1 || rp.length > 1) && qp.some((p) => rp.includes(p));
  })) return 'part';
  return 'different';
}

function compareGiven(given: string, recorded: readonly (readonly string[])[]): FieldResult {
  const q = nameParts(given)[0];
  if (!q) return 'not-given';
  const lists = recorded.map((g) => g.flatMap(nameParts)).filter((l) => l.length > 0);
  if (lists.length === 0) return 'not-recorded';
  const firsts = lists.map((l) => l[0]!);
  if (firsts.includes(q)) return 'exact';
  // Known by a short form, or by a middle name.
  if (firsts.some((f) => knownAs(q, f)) || lists.some((l) => l.slice(1).includes(q))) return 'known-as';
  if (firsts.some((f) => isAdjacentTransposition(q, f))) return 'transposed';
  return 'different';
}

function compareBirthDate(given: string, recorded: string | undefined): FieldResult {
  const q = fullDate(given);
  if (!q) return 'not-given';
  const r = fullDate(recorded);
  if (!r) return 'not-recorded';
  if (q === r) return 'exact';
  if (swappedDayMonth(q) === r) return 'swapped-day-month';
  return 'different';
}

function comparePostcode(given: string | undefined, recorded: readonly string[]): FieldResult {
  const q = postcodeKey(given);
  if (!q) return 'not-given';
  const keys = recorded.map(postcodeKey).filter((k): k is string => k !== undefined);
  if (keys.length === 0) return 'not-recorded';
  if (keys.includes(q)) return 'exact';
  const out = outwardCode(q);
  if (out && keys.some((k) => outwardCode(k) === out)) return 'same-area';
  return 'different';
}

/** The person's NHS number in its ten-digit form when it is a valid one. */
function validNhsNumber(person: PersonDetails): string | undefined {
  if (!person.nhsNumber) return undefined;
  const n = normaliseNhsNumber(person.nhsNumber);
  return nhsNumberIsValid(n) ? n : undefined;
}

/** Scores one candidate on demographics; the NHS number is compared but earns no points here. */
export function scoreCandidate(person: PersonDetails, c: CandidatePatient): CandidateEvidence {
  const nhs = validNhsNumber(person);
  const nhsResult: FieldResult = !nhs ? 'not-given' : c.nhsNumbers.length === 0 ? 'not-recorded' : c.nhsNumbers.includes(nhs) ? 'exact' : 'different';
  const fields = [
    pointsOf('family', compareFamily(person.family, c.names.map((n) => n.family))),
    pointsOf('given', compareGiven(person.given, c.names.map((n) => n.given))),
    pointsOf('birthDate', compareBirthDate(person.birthDate, c.birthDate)),
    pointsOf('postcode', comparePostcode(person.postcode, c.postcodes)),
  ];
  const score = fields.reduce((s, f) => s + f.points, 0);
  const [family, given, birthDate, postcode] = fields.map((f) => f.result);
  const confident =
    score >= MATCH_THRESHOLD &&
    family !== 'different' && given !== 'different' &&
    birthDate === 'exact' && postcode === 'exact' &&
    // An NHS number the person gave that the record contradicts is for a person to look at.
    nhsResult !== 'different';
  return { patientId: c.id, score, confident, fields: [{ field: 'nhsNumber', result: nhsResult, points: 0 }, ...fields] };
}

const byScore = (a: CandidateEvidence, b: CandidateEvidence): number => b.score - a.score || a.patientId.localeCompare(b.patientId);

/**
 * The decision for one person against the candidates the EHR returned. `searchComplete` false (a search hit its
 * page limit) means someone may be missing, so no link is made on it.
 */
export function matchPerson(person: PersonDetails, candidates: readonly CandidatePatient[], searchComplete = true): MatchDecision {
  const unique = [...new Map(candidates.map((c) => [c.id, c])).values()];
  const scored = unique.map((c) => scoreCandidate(person, c)).sort(byScore);
  const evidence = scored.filter((c) => c.score > 0 || c.fields[0]!.result === 'exact').slice(0, MAX_EVIDENCE);
  const decide = (outcome: MatchOutcome, method: MatchDecision['method'], reason: string, patientId?: string): MatchDecision => {
    if (outcome === 'matched' && !searchComplete) {
      return { outcome: 'ambiguous', method, reason: `${reason}, but the patient search was cut short, so others may match`, threshold: MATCH_THRESHOLD, candidates: evidence };
    }
    return { outcome, method, reason, threshold: MATCH_THRESHOLD, candidates: evidence, ...(patientId ? { patientId } : {}) };
  };

  const nhs = validNhsNumber(person);
  if (nhs) {
    const holders = scored.filter((c) => c.fields[0]!.result === 'exact');
    if (holders.length > 1) return decide('ambiguous', 'nhs-number', `${holders.length} records hold this NHS number`);
    const holder = holders[0];
    if (holder) {
      const dob = holder.fields.find((f) => f.field === 'birthDate')!.result;
      if (dob === 'exact') return decide('matched', 'nhs-number', 'NHS number and date of birth match', holder.patientId);
      return decide('ambiguous', 'nhs-number', 'The NHS number matches a patient whose date of birth is different');
    }
  }

  const confident = scored.filter((c) => c.confident);
  if (confident.length === 1) {
    return decide('matched', 'demographics', 'Name, date of birth and postcode match one patient', confident[0]!.patientId);
  }
  if (confident.length > 1) {
    return decide('ambiguous', 'demographics', `${confident.length} patients match name, date of birth and postcode`);
  }
  const possible = scored.filter((c) => c.score >= REVIEW_THRESHOLD);
  if (possible.length > 0) {
    const conflict = nhs && possible.some((c) => c.fields[0]!.result === 'different');
    return decide('ambiguous', 'demographics', conflict
      ? 'A patient with similar details has a different NHS number'
      : `${possible.length === 1 ? 'One patient matches' : `${possible.length} patients match`} some details but not enough to be sure`);
  }
  return decide('no-match', 'demographics', 'No registered patient matches these details');
}

/** The comparable parts of an EHR Patient: its NHS numbers, every name (official, usual, maiden, old) and postcode. */
export function candidateFromPatient(p: Patient): CandidatePatient | undefined {
  if (!p.id) return undefined;
  return {
    id: p.id,
    nhsNumbers: (p.identifier ?? []).filter((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber && i.value).map((i) => normaliseNhsNumber(i.value!)),
    names: (p.name ?? []).map((n) => ({ family: n.family, given: n.given ?? [] })),
    birthDate: p.birthDate,
    postcodes: (p.address ?? []).map((a) => a.postalCode).filter((x): x is string => !!x),
  };
}
