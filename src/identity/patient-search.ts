import type { Bundle, Patient } from '@medplum/fhirtypes';
import type { FhirClient, SearchParams } from '../fhir/client.js';
import { nhsNumberIsValid, normaliseNhsNumber } from '../fhir/nhs-number.js';
import { IDENTIFIER_SYSTEM } from '../referral-model/codes.js';
import { candidateFromPatient, matchPerson, type CandidatePatient, type MatchDecision, type PersonDetails } from './match.js';
import { fullDate, postcodeKey, swappedDayMonth } from './normalise.js';

/** Patients per search; a search with more than this is cut short and no link is made on it. */
export const SEARCH_PAGE = 50;

/** `FB12AB` → `FB1 2AB`: GP systems hold postcodes with the space, and FHIR string search matches from the start. */
function spacedPostcode(postcode: string | undefined): string | undefined {
  const k = postcodeKey(postcode);
  return k && k.length > 3 ? `${k.slice(0, -3)} ${k.slice(-3)}` : undefined;
}

/**
 * The searches that find everyone the matcher should weigh: by NHS number; by date of birth, and with day and month
 * swapped; by postcode (a wrong date of birth). Names are compared by the matcher, not searched, because FHIR string
 * search knows neither nicknames nor transpositions.
 */
export function candidateSearches(person: PersonDetails): SearchParams[] {
  const searches: SearchParams[] = [];
  const nhs = person.nhsNumber ? normaliseNhsNumber(person.nhsNumber) : undefined;
  if (nhs && nhsNumberIsValid(nhs)) searches.push({ identifier: `${IDENTIFIER_SYSTEM.nhsNumber}|${nhs}` });
  const dob = fullDate(person.birthDate);
  if (dob) searches.push({ birthdate: dob });
  const swapped = swappedDayMonth(dob);
  if (swapped) searches.push({ birthdate: swapped });
  const postcode = spacedPostcode(person.postcode);
  if (postcode) searches.push({ 'address-postalcode': postcode });
  return searches;
}

export interface CandidateSet {
  readonly candidates: readonly CandidatePatient[];
  /** False when a search had more patients than one page: someone may be missing. */
  readonly complete: boolean;
}

/** Runs the searches against the practice EHR (living, active patients only) and collects the distinct candidates. */
export async function findCandidates(ehr: FhirClient, person: PersonDetails, o: { signal?: AbortSignal } = {}): Promise<CandidateSet> {
  const byId = new Map<string, CandidatePatient>();
  let complete = true;
  for (const params of candidateSearches(person)) {
    const bundle: Bundle<Patient> = await ehr.search<Patient>('Patient', { ...params, _count: String(SEARCH_PAGE) }, o);
    if (bundle.link?.some((l) => l.relation === 'next')) complete = false;
    for (const e of bundle.entry ?? []) {
      const p = e.resource;
      // A record marked inactive or deceased is never the person asking for help.
      if (p?.resourceType !== 'Patient' || p.active === false || p.deceasedBoolean === true || p.deceasedDateTime) continue;
      const c = candidateFromPatient(p);
      if (c) byId.set(c.id, c);
    }
  }
  return { candidates: [...byId.values()], complete };
}

/** The I/O edge of identity matching: search the EHR, then decide with the pure matcher. */
export async function matchInEhr(ehr: FhirClient, person: PersonDetails, o: { signal?: AbortSignal } = {}): Promise<MatchDecision> {
  const { candidates, complete } = await findCandidates(ehr, person, o);
  return matchPerson(person, candidates, complete);
}
