import type { Coding, Extension, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EQUALITY_ANSWERS, EXTENSION, EXTENSION_PART, SYSTEM, type EqualityAnswerCode } from './codes.js';

/**
 * Equality monitoring (docs/REPORTS.md, "Equality fields"): what the GP record's Patient holds, and what the GP asked
 * where it does not (optional, "prefer not to say" and "not asked" always allowed), carried on the referral as the
 * `equality-monitoring` extension. One definition for the GP app's questions, the referral builder and the reports.
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
const isEthnicCategory = (c: string | undefined): c is EthnicCategory => ETHNIC_CATEGORIES.some((e) => e.code === c);

/**
 * The Data Dictionary's own codes for the two answers: Z "Not stated" is for a person asked who declined to choose,
 * 99 "Not known" for a person not asked.
 */
const ETHNICITY_ANSWER_CODE = { 'prefer-not-to-say': 'Z', 'not-asked': '99' } as const satisfies Record<string, EthnicCategory>;

/** The categories a person chooses from (A … S). */
type Chosen = Exclude<(typeof ETHNIC_CATEGORIES)[number], { code: 'Z' | '99' }>;
export const ETHNIC_CHOICES = ETHNIC_CATEGORIES.filter((c): c is Chosen => c.code !== 'Z' && c.code !== '99');

/** First languages offered (the main languages of England and Wales in the 2021 census), BCP 47; `mis`: another language. */
export const FIRST_LANGUAGES = [
  { code: 'en', display: 'English' },
  { code: 'pl', display: 'Polish' },
  { code: 'ro', display: 'Romanian' },
  { code: 'pa', display: 'Panjabi' },
  { code: 'ur', display: 'Urdu' },
  { code: 'pt', display: 'Portuguese' },
  { code: 'es', display: 'Spanish' },
  { code: 'ar', display: 'Arabic' },
  { code: 'bn', display: 'Bengali (with Sylheti and Chatgaya)' },
  { code: 'gu', display: 'Gujarati' },
  { code: 'it', display: 'Italian' },
  { code: 'zh', display: 'Chinese (any)' },
  { code: 'lt', display: 'Lithuanian' },
  { code: 'fr', display: 'French' },
  { code: 'ta', display: 'Tamil' },
  { code: 'tr', display: 'Turkish' },
  { code: 'so', display: 'Somali' },
  { code: 'fa', display: 'Persian or Farsi' },
  { code: 'bg', display: 'Bulgarian' },
  { code: 'ru', display: 'Russian' },
  { code: 'cy', display: 'Welsh' },
  { code: 'bfi', display: 'British Sign Language' },
  { code: 'mis', display: 'Another language' },
] as const;
export type FirstLanguageCode = (typeof FIRST_LANGUAGES)[number]['code'];

/** "Prefer not to say" and "not asked": allowed for every question. */
export const NOT_ANSWERED = ['prefer-not-to-say', 'not-asked'] as const satisfies readonly EqualityAnswerCode[];
export type NotAnswered = (typeof NOT_ANSWERED)[number];
export type YesNoAnswer = 'yes' | 'no' | NotAnswered;

/** The questions the GP may be asked, in the order the form shows them. */
export const EQUALITY_QUESTIONS = ['ethnicity', 'disability', 'firstLanguage', 'interpreter'] as const;
export type EqualityQuestion = (typeof EQUALITY_QUESTIONS)[number];

/** What the GP recorded, each question optional. */
export interface EqualityAnswers {
  ethnicity?: Chosen['code'] | NotAnswered;
  disability?: YesNoAnswer;
  firstLanguage?: FirstLanguageCode | NotAnswered;
  interpreter?: YesNoAnswer;
}

/** What the GP record's Patient says: UK Core ethnic category, NHS communication (else Patient.communication). */
export interface RecordedEquality {
  ethnicity?: EthnicCategory;
  firstLanguage?: string;
  interpreter?: boolean;
}

const sub = (e: Extension | undefined, url: string) => e?.extension?.find((x) => x.url === url);

export function recordedEquality(patient: Patient | undefined): RecordedEquality {
  const out: RecordedEquality = {};
  if (!patient) return out;
  const eth = patient.extension?.find((e) => e.url === UK_CORE.ethnicCategoryExtension)?.valueCodeableConcept?.coding
    ?.find((c) => c.system === UK_CORE.ethnicCategorySystem)?.code;
  if (isEthnicCategory(eth)) out.ethnicity = eth;
  const comm = patient.extension?.find((e) => e.url === UK_CORE.nhsCommunicationExtension);
  const lang = sub(comm, 'language')?.valueCodeableConcept?.coding?.[0]?.code ?? patient.communication?.[0]?.language.coding?.[0]?.code;
  if (lang) out.firstLanguage = lang;
  const interp = sub(comm, 'interpreterRequired')?.valueBoolean;
  if (interp !== undefined) out.interpreter = interp;
  return out;
}

/**
 * The questions worth asking: those the record cannot answer. An ethnic category of 99 ("Not known": never asked)
 * counts as missing; disability has no UK Core place in the Patient, so it is always asked.
 */
export function equalityToAsk(patient: Patient | undefined): EqualityQuestion[] {
  const r = recordedEquality(patient);
  return EQUALITY_QUESTIONS.filter((q) => (q === 'ethnicity' ? !r.ethnicity || r.ethnicity === '99' : q === 'disability' ? true : r[q] === undefined));
}

const P = EXTENSION_PART.equalityMonitoring;
const answerCoding = (code: EqualityAnswerCode): Coding => ({ system: CODE_SYSTEM.equalityAnswer, code, display: EQUALITY_ANSWERS.find((a) => a.code === code)!.display });

/** The `equality-monitoring` extension of the GP's answers; undefined when nothing was answered. */
export function equalityExtension(a: EqualityAnswers | undefined): Extension | undefined {
  if (!a) return undefined;
  const parts: Extension[] = [];
  if (a.ethnicity) {
    const code: EthnicCategory = a.ethnicity === 'prefer-not-to-say' || a.ethnicity === 'not-asked' ? ETHNICITY_ANSWER_CODE[a.ethnicity] : a.ethnicity;
    const display = ETHNIC_CATEGORIES.find((c) => c.code === code)!.display;
    parts.push({ url: P.ethnicCategory, valueCoding: { system: UK_CORE.ethnicCategorySystem, code, display } });
  }
  if (a.disability) parts.push({ url: P.disability, valueCoding: answerCoding(a.disability) });
  if (a.firstLanguage) {
    const lang = FIRST_LANGUAGES.find((l) => l.code === a.firstLanguage);
    parts.push({
      url: P.firstLanguage,
      valueCodeableConcept: lang ? { coding: [{ system: SYSTEM.bcp47, code: lang.code, display: lang.display }], text: lang.display } : { coding: [answerCoding(a.firstLanguage as NotAnswered)] },
    });
  }
  if (a.interpreter) parts.push({ url: P.interpreterRequired, valueCoding: answerCoding(a.interpreter) });
  return parts.length ? { url: EXTENSION.equalityMonitoring, extension: parts } : undefined;
}

const isYesNo = (c: string | undefined): c is YesNoAnswer => EQUALITY_ANSWERS.some((a) => a.code === c);
const isNotAnswered = (c: string | undefined): c is NotAnswered => (NOT_ANSWERED as readonly string[]).includes(c ?? '');

/** The GP's answers read back from a referral (codes not SP Link's or UK Core's are ignored). */
export function equalityAnswersOf(sr: Pick<ServiceRequest, 'extension'> | undefined): EqualityAnswers {
  const ext = sr?.extension?.find((e) => e.url === EXTENSION.equalityMonitoring);
  const out: EqualityAnswers = {};
  if (!ext) return out;
  const coded = (url: string, system: string) => sub(ext, url)?.valueCoding?.system === system ? sub(ext, url)?.valueCoding?.code : undefined;
  const eth = coded(P.ethnicCategory, UK_CORE.ethnicCategorySystem);
  if (eth === 'Z') out.ethnicity = 'prefer-not-to-say';
  else if (eth === '99') out.ethnicity = 'not-asked';
  else {
    const chosen = ETHNIC_CHOICES.find((c) => c.code === eth);
    if (chosen) out.ethnicity = chosen.code;
  }
  const dis = coded(P.disability, CODE_SYSTEM.equalityAnswer);
  if (isYesNo(dis)) out.disability = dis;
  const interp = coded(P.interpreterRequired, CODE_SYSTEM.equalityAnswer);
  if (isYesNo(interp)) out.interpreter = interp;
  const codings = sub(ext, P.firstLanguage)?.valueCodeableConcept?.coding ?? [];
  const lang = codings.find((c) => c.system === SYSTEM.bcp47)?.code;
  const langAnswer = codings.find((c) => c.system === CODE_SYSTEM.equalityAnswer)?.code;
  if (FIRST_LANGUAGES.some((l) => l.code === lang)) out.firstLanguage = lang as FirstLanguageCode;
  else if (isNotAnswered(langAnswer)) out.firstLanguage = langAnswer;
  return out;
}
