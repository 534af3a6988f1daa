import type { FieldResult, MatchField } from './match.js';

/**
 * The words people read for identity-matching evidence (the link worker's case page, the service manager's review):
 * one definition for every surface that shows a decision.
 */
export const FIELD_LABELS: Readonly<Record<MatchField, string>> = {
  nhsNumber: 'NHS number',
  family: 'Family name',
  given: 'Given name',
  birthDate: 'Date of birth',
  postcode: 'Postcode',
};

export const RESULT_LABELS: Readonly<Record<FieldResult, string>> = {
  exact: 'Same',
  'known-as': 'Known as (a short form or middle name)',
  transposed: 'Same but for two letters swapped',
  part: 'One part of the name',
  'swapped-day-month': 'Day and month swapped',
  'same-area': 'Same area only (first half of the postcode)',
  different: 'Different',
  'not-given': 'Not given by the person',
  'not-recorded': 'Not on the GP record',
};

/** Results that agree with the record, wholly or in a tolerated form. */
export const agrees = (r: FieldResult) => r !== 'different' && r !== 'not-given' && r !== 'not-recorded';
