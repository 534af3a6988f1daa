import type { Extension, Patient } from '@medplum/fhirtypes';

/**
 * The equality fields every report can be split by, read from the person's record in the GP system, pure.
 * Ethnicity in NHS Data Dictionary ETHNIC CATEGORY codes (UK Core CodeSystem UKCore-EthnicCategoryEngland),
 * sex as recorded (FHIR administrative gender), age band at referral, disability, first language and
 * interpreter need (UK Core NHSCommunication), and the deprivation decile of the person's LSOA (IMD).
 * Nothing here identifies anyone: a band, a category or a decile.
 */

export const UK_CORE = {
  ethnicCategoryExtension: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory',
  ethnicCategorySystem: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland',
  nhsCommunicationExtension: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication',
} as const;

/** NHS Data Dictionary ETHNIC CATEGORY (2001 census categories), with the group each is reported under. */
export const ETHNIC_CATEGORIES = [
  { code: 'A', display: 'White - British', group: 'White' },
  { code: 'B', display: 'White - Irish', group: 'White' },
  { code: 'C', display: 'White - Any other White background', group: 'White' },
  { code: 'D', display: 'Mixed - White and Black Caribbean', group: 'Mixed' },
  { code: 'E', display: 'Mixed - White and Black African', group: 'Mixed' },
  { code: 'F', display: 'Mixed - White and Asian', group: 'Mixed' },
  { code: 'G', display: 'Mixed - Any other mixed background', group: 'Mixed' },
  { code: 'H', display: 'Asian or Asian British - Indian', group: 'Asian or Asian British' },
  { code: 'J', display: 'Asian or Asian British - Pakistani', group: 'Asian or Asian British' },
  { code: 'K', display: 'Asian or Asian British - Bangladeshi', group: 'Asian or Asian British' },
  { code: 'L', display: 'Asian or Asian British - Any other Asian background', group: 'Asian or Asian British' },
  { code: 'M', display: 'Black or Black British - Caribbean', group: 'Black or Black British' },
  { code: 'N', display: 'Black or Black British - African', group: 'Black or Black British' },
  { code: 'P', display: 'Black or Black British - Any other Black background', group: 'Black or Black British' },
  { code: 'R', display: 'Other Ethnic Groups - Chinese', group: 'Other ethnic group' },
  { code: 'S', display: 'Other Ethnic Groups - Any other ethnic group', group: 'Other ethnic group' },
  { code: 'Z', display: 'Not stated', group: 'Not stated' },
  { code: '99', display: 'Not known', group: 'Not known' },
] as const;
export type EthnicCategory = (typeof ETHNIC_CATEGORIES)[number]['code'];

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

const sub = (e: Extension | undefined, url: string) => e?.extension?.find((x) => x.url === url);

/**
 * What the GP record says about a person, at the date of the referral. `imdDecileOf` maps a postcode to its
 * LSOA's IMD decile (the deploying organisation's lookup table); a person with no matching postcode has none.
 */
export function equalityOf(patient: Patient | undefined, referredOn: string, imdDecileOf: (postcode: string) => number | undefined): EqualityFields {
  if (!patient) return { sex: 'unknown' };
  const out: EqualityFields = { sex: (SEXES as readonly string[]).includes(patient.gender ?? '') ? (patient.gender as Sex) : 'unknown' };
  const band = ageBand(patient.birthDate, referredOn);
  if (band) out.ageBand = band;
  const eth = patient.extension?.find((e) => e.url === UK_CORE.ethnicCategoryExtension)?.valueCodeableConcept?.coding
    ?.find((c) => c.system === UK_CORE.ethnicCategorySystem)?.code;
  if (eth && ETHNIC_CATEGORIES.some((c) => c.code === eth)) out.ethnicity = eth as EthnicCategory;
  const comm = patient.extension?.find((e) => e.url === UK_CORE.nhsCommunicationExtension);
  const lang = sub(comm, 'language')?.valueCodeableConcept?.coding?.[0]?.code ?? patient.communication?.[0]?.language.coding?.[0]?.code;
  if (lang) out.firstLanguage = lang;
  const interp = sub(comm, 'interpreterRequired')?.valueBoolean;
  if (interp !== undefined) out.interpreter = interp;
  const postcode = patient.address?.find((a) => a.use === 'home' && a.postalCode)?.postalCode ?? patient.address?.find((a) => a.postalCode)?.postalCode;
  const decile = postcode ? imdDecileOf(normalisePostcode(postcode)) : undefined;
  if (decile) out.imdDecile = decile;
  return out;
}
