import type { Patient } from '@medplum/fhirtypes';
import { ETHNIC_CATEGORIES, recordedEquality, type EqualityAnswers, type EthnicCategory } from '../referral-model/equality.js';

/**
 * The equality fields every report can be split by, read from the person's record in the GP system, pure.
 * Ethnicity in NHS Data Dictionary ETHNIC CATEGORY codes (UK Core CodeSystem UKCore-EthnicCategoryEngland),
 * sex as recorded (FHIR administrative gender), age band at referral, disability, first language and
 * interpreter need (UK Core NHSCommunication), and the deprivation decile of the person's LSOA (IMD).
 * Nothing here identifies anyone: a band, a category or a decile.
 */

// The categories and the reading of the Patient are the referral model's, shared with the GP app's questions.
export { ETHNIC_CATEGORIES, UK_CORE, type EthnicCategory } from '../referral-model/equality.js';

/** The broad groups reports split by (small numbers make the 16 categories unreadable in one practice). */
export const ETHNIC_GROUPS = ['White', 'Mixed', 'Asian or Asian British', 'Black or Black British', 'Other ethnic group', 'Not stated', 'Not known'] as const;
export type EthnicGroup = (typeof ETHNIC_GROUPS)[number];

export function ethnicGroup(code: string | null | undefined): EthnicGroup {
  return ETHNIC_CATEGORIES.find((c) => c.code === code)?.group ?? 'Not known';
}

export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75-84', '85+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Age in whole years on `at` (both YYYY-MM-DD…), as its band; undefined without a birth date. */
export function ageBand(birthDate: string | undefined, at: string): AgeBand | undefined {
  const b = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate ?? '');
  const a = /^(\d{4})-(\d{2})-(\d{2})/.exec(at);
  if (!b || !a) return undefined;
  let age = Number(a[1]) - Number(b[1]);
  if (a[2]! + a[3]! < b[2]! + b[3]!) age--;
  if (age < 0) return undefined;
  const lows = [0, 18, 25, 35, 45, 55, 65, 75, 85];
  let i = lows.length - 1;
  while (age < lows[i]!) i--;
  return AGE_BANDS[i];
}

/** Sex as recorded in the GP record (FHIR administrative gender); `unknown` where it is not recorded. */
export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

export const DISABILITY = ['yes', 'no', 'prefer-not-to-say'] as const;
export type Disability = (typeof DISABILITY)[number];

/** IMD decile 1 (most deprived) … 10 → quintile 1 … 5. */
export function imdQuintile(decile: number | null | undefined): 1 | 2 | 3 | 4 | 5 | undefined {
  if (!decile || !Number.isInteger(decile) || decile < 1 || decile > 10) return undefined;
  return Math.ceil(decile / 2) as 1 | 2 | 3 | 4 | 5;
}

/** Postcode as the lookup keys it: upper case, no spaces. */
export const normalisePostcode = (p: string): string => p.toUpperCase().replace(/\s+/g, '');

export interface EqualityFields {
  ageBand?: AgeBand;
  sex: Sex;
  ethnicity?: EthnicCategory;
  disability?: Disability;
  /** First language (BCP 47 / ISO 639 code as the record has it). */
  firstLanguage?: string;
  interpreter?: boolean;
  imdDecile?: number;
}

/**
 * What the GP record says about a person, at the date of the referral, and where it says nothing, what the GP asked
 * when referring (`asked`: the referral's equality-monitoring answers): the record first, field by field. `imdDecileOf`
 * maps a postcode to its LSOA's IMD decile (the deploying organisation's lookup table); a person with no matching
 * postcode has none.
 */
export function equalityOf(patient: Patient | undefined, referredOn: string, imdDecileOf: (postcode: string) => number | undefined, asked: EqualityAnswers = {}): EqualityFields {
  const out: EqualityFields = { sex: (SEXES as readonly string[]).includes(patient?.gender ?? '') ? (patient!.gender as Sex) : 'unknown' };
  const band = ageBand(patient?.birthDate, referredOn);
  if (band) out.ageBand = band;
  const r = recordedEquality(patient);
  // 99 "Not known" in the record means nobody asked: the GP's answer (a category, or Z when declined) says more.
  const askedEthnicity: EthnicCategory | undefined = asked.ethnicity === 'prefer-not-to-say' ? 'Z' : asked.ethnicity === 'not-asked' ? '99' : asked.ethnicity;
  const ethnicity = r.ethnicity && (r.ethnicity !== '99' || !askedEthnicity) ? r.ethnicity : askedEthnicity;
  if (ethnicity) out.ethnicity = ethnicity;
  if (asked.disability && asked.disability !== 'not-asked') out.disability = asked.disability;
  const language = r.firstLanguage ?? (asked.firstLanguage === 'prefer-not-to-say' || asked.firstLanguage === 'not-asked' ? undefined : asked.firstLanguage);
  if (language) out.firstLanguage = language;
  const interpreter = r.interpreter ?? (asked.interpreter === 'yes' ? true : asked.interpreter === 'no' ? false : undefined);
  if (interpreter !== undefined) out.interpreter = interpreter;
  const postcode = patient?.address?.find((a) => a.use === 'home' && a.postalCode)?.postalCode ?? patient?.address?.find((a) => a.postalCode)?.postalCode;
  const decile = postcode ? imdDecileOf(normalisePostcode(postcode)) : undefined;
  if (decile) out.imdDecile = decile;
  return out;
}
