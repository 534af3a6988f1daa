import type { Condition, Patient } from '@medplum/fhirtypes';
import { CODE_SYSTEM, displayOf, IDENTIFIER_SYSTEM, SYSTEM, type NeedCode } from '../../referral-model/codes.js';
import { DEMO_IDS, FHIR_SYSTEM } from './constants.js';
import { testNhsNumbers } from './nhs-number.js';
import { gpId } from './practice.js';

interface PatientRow {
  readonly given: string;
  readonly family: string;
  readonly gender: 'female' | 'male' | 'other';
  readonly birthDate: string;
  readonly line: string;
  readonly postcode: string;
  readonly needs: readonly NeedCode[];
  readonly gp: 1 | 2 | 3;
  readonly email?: boolean;
  /** BCP 47 code of the preferred language when it is not English. */
  readonly language?: { code: string; display: string };
}

/** Fictional people in fictional Fernbridge; phones are Ofcom drama numbers (01632 960xxx, 07700 900xxx). */
const ROWS: readonly PatientRow[] = [
  { given: 'Margaret', family: 'Ellis', gender: 'female', birthDate: '1941-03-14', line: '4 Orchard Close', postcode: 'FB1 2AB', needs: ['loneliness', 'bereavement'], gp: 1 },
  { given: 'David', family: 'Morgan', gender: 'male', birthDate: '1958-07-02', line: '17 Station Road', postcode: 'FB1 3CD', needs: ['debt-money'], gp: 2, email: true },
  { given: 'Edith', family: 'Clarke', gender: 'female', birthDate: '1936-11-23', line: 'Flat 2, Willow Court', postcode: 'FB2 4EF', needs: ['loneliness', 'social-isolation'], gp: 3 },
  { given: 'Jamal', family: 'Hussain', gender: 'male', birthDate: '1989-01-30', line: '52 Canal Street', postcode: 'FB2 5GH', needs: ['mental-wellbeing', 'employment'], gp: 1, email: true },
  { given: 'Sophie', family: 'Turner', gender: 'female', birthDate: '1995-06-11', line: '9 Primrose Way', postcode: 'FB3 6JK', needs: ['mental-wellbeing'], gp: 2, email: true },
  { given: 'Agnieszka', family: 'Nowak', gender: 'female', birthDate: '1982-09-04', line: '31 Chapel Row', postcode: 'FB3 7LM', needs: ['housing', 'welfare-benefits'], gp: 3, language: { code: 'pl', display: 'Polish' } },
  { given: 'Robert', family: 'Bennett', gender: 'male', birthDate: '1963-02-19', line: '6 Forge Lane', postcode: 'FB1 8NP', needs: ['debt-money', 'mental-wellbeing'], gp: 1 },
  { given: 'Grace', family: 'Adeyemi', gender: 'female', birthDate: '1970-12-08', line: '88 High Street', postcode: 'FB1 9QR', needs: ['carer-strain'], gp: 2, email: true },
  { given: 'Alan', family: 'Price', gender: 'male', birthDate: '1949-05-27', line: '3 Beech Avenue', postcode: 'FB2 1ST', needs: ['bereavement', 'loneliness'], gp: 3 },
  { given: 'Chloe', family: 'Walsh', gender: 'female', birthDate: '2003-08-15', line: '14 Meadow View', postcode: 'FB2 2UV', needs: ['mental-wellbeing', 'social-isolation'], gp: 1, email: true },
  { given: 'Imran', family: 'Malik', gender: 'male', birthDate: '1976-04-03', line: '27 Victoria Terrace', postcode: 'FB3 3WX', needs: ['physical-activity', 'long-term-condition'], gp: 2, language: { code: 'ur', display: 'Urdu' } },
  { given: 'Helen', family: 'Fraser', gender: 'female', birthDate: '1955-10-21', line: '11 Church Walk', postcode: 'FB3 4YZ', needs: ['carer-strain', 'mental-wellbeing'], gp: 3 },
  { given: 'Kwame', family: 'Mensah', gender: 'male', birthDate: '1984-03-09', line: '45 Riverside Drive', postcode: 'FB1 5BA', needs: ['employment', 'debt-money'], gp: 1, email: true },
  { given: 'Joan', family: 'Whitaker', gender: 'female', birthDate: '1932-01-17', line: 'Room 5, Elm House', postcode: 'FB1 6DC', needs: ['loneliness', 'transport'], gp: 2 },
  { given: 'Peter', family: 'Lloyd', gender: 'male', birthDate: '1968-09-30', line: '2 Quarry Cottages', postcode: 'FB2 7FE', needs: ['carer-strain'], gp: 3 },
  { given: 'Fatima', family: 'Begum', gender: 'female', birthDate: '1979-11-12', line: '19 Albert Street', postcode: 'FB2 8HG', needs: ['food-insecurity', 'welfare-benefits'], gp: 1, language: { code: 'bn', display: 'Bengali' } },
  { given: 'Liam', family: "O'Connor", gender: 'male', birthDate: '1999-02-25', line: '7 Foundry Yard', postcode: 'FB3 9KJ', needs: ['physical-activity', 'mental-wellbeing'], gp: 2, email: true },
  { given: 'Ruth', family: 'Goldberg', gender: 'female', birthDate: '1946-06-06', line: '22 The Crescent', postcode: 'FB3 1ML', needs: ['digital-exclusion', 'loneliness'], gp: 3 },
  { given: 'Samuel', family: 'Reid', gender: 'male', birthDate: '1952-12-31', line: '10 Hawthorn Road', postcode: 'FB1 2PN', needs: ['healthy-lifestyle', 'long-term-condition'], gp: 1 },
  { given: 'Hodan', family: 'Abdi', gender: 'female', birthDate: '1991-07-19', line: 'Flat 8, Tower View', postcode: 'FB1 3RQ', needs: ['housing'], gp: 2, language: { code: 'so', display: 'Somali' } },
  { given: 'Gareth', family: 'Jones', gender: 'male', birthDate: '1973-08-08', line: '5 Slate Row', postcode: 'FB2 4TS', needs: ['mental-wellbeing', 'relationships'], gp: 3, email: true },
  { given: 'Alex', family: 'Kerr', gender: 'other', birthDate: '2001-04-22', line: '33 Park Lane', postcode: 'FB2 5VU', needs: ['social-isolation', 'mental-wellbeing'], gp: 1, email: true },
  { given: 'Doreen', family: 'Fielding', gender: 'female', birthDate: '1939-09-13', line: '1 Almshouse Yard', postcode: 'FB3 6XW', needs: ['bereavement'], gp: 2 },
  { given: 'Marcus', family: 'Campbell', gender: 'male', birthDate: '1986-05-05', line: '60 Mill Street', postcode: 'FB3 7ZY', needs: ['food-insecurity', 'debt-money'], gp: 3 },
  { given: 'Ayesha', family: 'Patel', gender: 'female', birthDate: '1966-03-28', line: '12 Lime Grove', postcode: 'FB1 8BB', needs: ['physical-activity', 'healthy-lifestyle'], gp: 1, email: true },
  { given: 'Brian', family: 'Hollis', gender: 'male', birthDate: '1957-11-02', line: '8 Ferry Road', postcode: 'FB1 9DD', needs: ['digital-exclusion', 'employment'], gp: 2 },
  { given: 'Teresa', family: 'Santos', gender: 'female', birthDate: '1988-10-10', line: '41 Wharf Street', postcode: 'FB2 1FF', needs: ['legal-advice', 'housing'], gp: 3, language: { code: 'pt', display: 'Portuguese' } },
  { given: 'Stanley', family: 'Marsh', gender: 'male', birthDate: '1944-02-14', line: '16 Rectory Gardens', postcode: 'FB2 2HH', needs: ['carer-strain', 'loneliness'], gp: 1 },
  // Twins at one address, both "Chris": a referral from "Chris Doyle" could be either (identity matching: ambiguous).
  { given: 'Christopher', family: 'Doyle', gender: 'male', birthDate: '1994-07-21', line: '9 Lock Keeper’s Row', postcode: 'FB2 3JD', needs: ['employment'], gp: 2, email: true },
  { given: 'Christine', family: 'Doyle', gender: 'female', birthDate: '1994-07-21', line: '9 Lock Keeper’s Row', postcode: 'FB2 3JD', needs: ['mental-wellbeing'], gp: 2, email: true },
];

export const DEMO_PATIENT_COUNT = ROWS.length;
const NHS_NUMBERS = testNhsNumbers(ROWS.length, 1001);

export const patientId = (n: number): string => `pat-${String(n).padStart(2, '0')}`;

/** The NHS number of demo patient n (1-based). */
export function patientNhsNumber(n: number): string {
  const value = NHS_NUMBERS[n - 1];
  if (!value) throw new RangeError(`no demo patient ${n}`);
  return value;
}

/** The needs recorded for demo patient n (1-based), as used in referrals. */
export function patientNeeds(n: number): readonly NeedCode[] {
  return ROWS[n - 1]?.needs ?? [];
}

export function patientResources(): (Patient | Condition)[] {
  return ROWS.flatMap((row, i) => {
    const n = i + 1;
    const phone = n % 3 === 0 ? `01632 960${String(200 + n)}` : `07700 900${String(100 + n)}`;
    const patient: Patient = {
      resourceType: 'Patient',
      id: patientId(n),
      identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: patientNhsNumber(n) }],
      active: true,
      name: [{ use: 'official', given: [row.given], family: row.family }],
      gender: row.gender,
      birthDate: row.birthDate,
      telecom: [
        { system: 'phone', value: phone, use: phone.startsWith('07') ? 'mobile' : 'home' },
        ...(row.email ? [{ system: 'email' as const, value: `${row.given.toLowerCase()}.${n}@mail.example.com`, use: 'home' as const }] : []),
      ],
      address: [{ use: 'home', line: [row.line], city: 'Fernbridge', district: 'Westshire', postalCode: row.postcode, country: 'GB' }],
      generalPractitioner: [{ reference: `Practitioner/${gpId(row.gp)}` }],
      managingOrganization: { reference: `Organization/${DEMO_IDS.gpPractice}` },
      ...(row.language
        ? { communication: [{ language: { coding: [{ system: SYSTEM.bcp47, code: row.language.code, display: row.language.display }] }, preferred: true }] }
        : {}),
    };
    const conditions = row.needs.map((need, j): Condition => ({
      resourceType: 'Condition',
      id: `${patientId(n)}-need-${j + 1}`,
      clinicalStatus: { coding: [{ system: FHIR_SYSTEM.conditionClinical, code: 'active' }] },
      verificationStatus: { coding: [{ system: FHIR_SYSTEM.conditionVerification, code: 'confirmed' }] },
      category: [{ coding: [{ system: FHIR_SYSTEM.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] }],
      code: { coding: [{ system: CODE_SYSTEM.need, code: need, display: displayOf('need', need) }] },
      subject: { reference: `Patient/${patientId(n)}` },
    }));
    return [patient, ...conditions];
  });
}
