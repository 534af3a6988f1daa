import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { candidateFromPatient, matchPerson, MATCH_THRESHOLD, scoreCandidate, type CandidatePatient, type PersonDetails } from '../../../src/identity/match.js';
import { isAdjacentTransposition, nameKey, nameParts, outwardCode, postcodeKey, swappedDayMonth } from '../../../src/identity/normalise.js';
import { knownAs } from '../../../src/identity/nicknames.js';
import { candidateSearches } from '../../../src/identity/patient-search.js';

const NHS = '9990010013'; // 999 test range, valid check digit
const OTHER_NHS = '9990010021';

const patient = (id: string, over: Partial<CandidatePatient> = {}): CandidatePatient => ({
  id,
  nhsNumbers: [NHS],
  names: [{ family: "O'Connor-Price", given: ['Margaret', 'Anne'] }],
  birthDate: '1941-03-14',
  postcodes: ['FB1 2AB'],
  ...over,
});

const person = (over: Partial<PersonDetails> = {}): PersonDetails => ({
  family: "O'Connor-Price",
  given: 'Margaret',
  birthDate: '1941-03-14',
  postcode: 'FB1 2AB',
  ...over,
});

const field = (p: PersonDetails, c: CandidatePatient, f: string) => scoreCandidate(p, c).fields.find((x) => x.field === f)?.result;

describe('identity: normalisation', () => {
  it('case, accents, hyphens, apostrophes and spaces never decide', () => {
    expect(nameKey("O'Connor-Price")).to.equal(nameKey('oconnor price'));
    expect(nameKey('Zoë Ångström')).to.equal('zoeangstrom');
    expect(nameKey('Łukasz Müßig')).to.equal('lukaszmussig');
    expect(nameParts('Smith-Jones')).to.deep.equal(['smith', 'jones']);
    expect(postcodeKey(' fb1  2ab ')).to.equal('FB12AB');
    expect(outwardCode('fb1 2ab')).to.equal('FB1');
    expect(outwardCode('SW1A 1AA')).to.equal('SW1A');
  });

  it('day and month swapped only when both are real dates and differ', () => {
    expect(swappedDayMonth('1980-03-07')).to.equal('1980-07-03');
    expect(swappedDayMonth('1980-03-25')).to.equal(undefined);
    expect(swappedDayMonth('1980-05-05')).to.equal(undefined);
    expect(swappedDayMonth('1980-02-30')).to.equal(undefined);
  });

  it('one swap of neighbouring letters is a transposition; anything else is not', () => {
    expect(isAdjacentTransposition('jmaal', 'jamal')).to.equal(true);
    expect(isAdjacentTransposition('jamal', 'jamal')).to.equal(false);
    expect(isAdjacentTransposition('jamal', 'jamel')).to.equal(false);
    expect(isAdjacentTransposition('ajmla', 'jamal')).to.equal(false);
  });

  it('nicknames: known-as pairs in either direction, not a name with itself, not across groups', () => {
    expect(knownAs('bob', 'robert')).to.equal(true);
    expect(knownAs('robert', 'bob')).to.equal(true);
    expect(knownAs('peggy', 'margaret')).to.equal(true);
    expect(knownAs('bert', 'herbert')).to.equal(true);
    expect(knownAs('robert', 'robert')).to.equal(false);
    expect(knownAs('bob', 'margaret')).to.equal(false);
    expect(knownAs('zebedee', 'robert')).to.equal(false);
  });
});

describe('identity: field evidence', () => {
  it('family: exact, transposed, one part of a double-barrelled name, different', () => {
    const c = patient('p1');
    expect(field(person({ family: 'oconnor price' }), c, 'family')).to.equal('exact');
    expect(field(person({ family: "O'Connor-Pirce" }), c, 'family')).to.equal('transposed');
    expect(field(person({ family: 'Price' }), c, 'family')).to.equal('part');
    expect(field(person({ family: 'Ellis' }), c, 'family')).to.equal('different');
  });

  it('family: a maiden or former name on the record counts', () => {
    const c = patient('p1', { names: [{ family: 'Ellis', given: ['Margaret'] }, { family: 'Brown', given: ['Margaret'] }] });
    expect(field(person({ family: 'Brown' }), c, 'family')).to.equal('exact');
  });

  it('given: exact, known as (nickname or middle name), transposed, different', () => {
    const c = patient('p1');
    expect(field(person({ given: 'MARGARET' }), c, 'given')).to.equal('exact');
    expect(field(person({ given: 'Peggy' }), c, 'given')).to.equal('known-as');
    expect(field(person({ given: 'Anne' }), c, 'given')).to.equal('known-as');
    expect(field(person({ given: 'Mragaret' }), c, 'given')).to.equal('transposed');
    expect(field(person({ given: 'Marion' }), c, 'given')).to.equal('different');
  });

  it('date of birth: exact, day and month swapped, different, not recorded', () => {
    expect(field(person(), patient('p1'), 'birthDate')).to.equal('exact');
    expect(field(person({ birthDate: '1941-14-03' }), patient('p1'), 'birthDate')).to.equal('not-given');
    expect(field(person({ birthDate: '1941-03-04' }), patient('p1', { birthDate: '1941-04-03' }), 'birthDate')).to.equal('swapped-day-month');
    expect(field(person({ birthDate: '1941-03-15' }), patient('p1'), 'birthDate')).to.equal('different');
    expect(field(person(), patient('p1', { birthDate: undefined }), 'birthDate')).to.equal('not-recorded');
  });

  it('postcode: exact whatever the spacing and case, same area, different, not given', () => {
    expect(field(person({ postcode: 'fb12ab' }), patient('p1'), 'postcode')).to.equal('exact');
    expect(field(person({ postcode: 'FB1 9ZZ' }), patient('p1'), 'postcode')).to.equal('same-area');
    expect(field(person({ postcode: 'FB2 2AB' }), patient('p1'), 'postcode')).to.equal('different');
    expect(field(person({ postcode: undefined }), patient('p1'), 'postcode')).to.equal('not-given');
  });
});

describe('identity: decisions', () => {
  it('NHS number with the date of birth verifies, whatever the name', () => {
    const d = matchPerson(person({ nhsNumber: '999 001 0013', family: 'Someone', given: 'Else', postcode: 'ZZ9 9ZZ' }), [patient('p1'), patient('p2', { nhsNumbers: [OTHER_NHS] })]);
    expect(d).to.include({ outcome: 'matched', method: 'nhs-number', patientId: 'p1' });
    expect(d.reason).to.equal('NHS number and date of birth match');
  });

  it('NHS number with another date of birth is for a person, never linked', () => {
    const d = matchPerson(person({ nhsNumber: NHS, birthDate: '1941-03-15' }), [patient('p1')]);
    expect(d.outcome).to.equal('ambiguous');
    expect(d.patientId).to.equal(undefined);
  });

  it('an NHS number two records hold is ambiguous', () => {
    const d = matchPerson(person({ nhsNumber: NHS }), [patient('p1'), patient('p2')]);
    expect(d.outcome).to.equal('ambiguous');
    expect(d.reason).to.match(/2 records hold this NHS number/);
  });

  it('an NHS number the record contradicts stops a demographic link', () => {
    const d = matchPerson(person({ nhsNumber: OTHER_NHS }), [patient('p1')]);
    expect(d.outcome).to.equal('ambiguous');
    expect(d.reason).to.match(/different NHS number/);
  });

  it('an invalid NHS number is ignored and the demographics decide', () => {
    const d = matchPerson(person({ nhsNumber: '1234567890' }), [patient('p1')]);
    expect(d).to.include({ outcome: 'matched', method: 'demographics', patientId: 'p1' });
  });

  it('name, date of birth and postcode: one confident match, with the evidence of each field', () => {
    const d = matchPerson(person({ given: 'Peggy', postcode: 'fb12ab' }), [patient('p1', { nhsNumbers: [] }), patient('p2', { names: [{ family: 'Ellis', given: ['Joan'] }] })]);
    expect(d).to.include({ outcome: 'matched', patientId: 'p1', threshold: MATCH_THRESHOLD });
    expect(d.candidates[0]).to.deep.include({ patientId: 'p1', score: 95, confident: true });
    expect(d.candidates[0]!.fields.map((f) => `${f.field}:${f.result}`)).to.deep.equal([
      'nhsNumber:not-given', 'family:exact', 'given:known-as', 'birthDate:exact', 'postcode:exact',
    ]);
  });

  it('both names fuzzy is not enough for a link', () => {
    const d = matchPerson(person({ given: 'Peggy', family: 'Price' }), [patient('p1')]);
    expect(d.outcome).to.equal('ambiguous');
  });

  it('name and date of birth at another postcode is for a person', () => {
    expect(matchPerson(person({ postcode: 'FB9 9ZZ' }), [patient('p1')]).outcome).to.equal('ambiguous');
  });

  it('two people with the same name and date of birth at the same address: ambiguous, never linked', () => {
    const d = matchPerson(person(), [patient('p1'), patient('p2', { nhsNumbers: [OTHER_NHS] })]);
    expect(d.outcome).to.equal('ambiguous');
    expect(d.candidates.map((c) => c.patientId)).to.deep.equal(['p1', 'p2']);
  });

  it('nobody close enough: no match, and the weak candidates are still recorded', () => {
    const d = matchPerson(person(), [patient('p1', { names: [{ family: 'Ellis', given: ['Joan'] }], birthDate: '1950-01-01' })]);
    expect(d.outcome).to.equal('no-match');
    expect(d.candidates).to.have.length(1);
    expect(matchPerson(person(), []).outcome).to.equal('no-match');
  });

  it('a search cut short never links', () => {
    const d = matchPerson(person(), [patient('p1')], false);
    expect(d.outcome).to.equal('ambiguous');
    expect(d.reason).to.match(/cut short/);
  });

  it('reads the comparable parts of an EHR Patient', () => {
    const p: Patient = {
      resourceType: 'Patient',
      id: 'pat-01',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '999 001 0013' }, { system: 'urn:other', value: 'x' }],
      name: [{ use: 'official', family: 'Ellis', given: ['Margaret'] }, { use: 'maiden', family: 'Brown' }],
      birthDate: '1941-03-14',
      address: [{ postalCode: 'FB1 2AB' }, { line: ['no postcode'] }],
    };
    expect(candidateFromPatient(p)).to.deep.equal({
      id: 'pat-01',
      nhsNumbers: [NHS],
      names: [{ family: 'Ellis', given: ['Margaret'] }, { family: 'Brown', given: [] }],
      birthDate: '1941-03-14',
      postcodes: ['FB1 2AB'],
    });
  });

  it('searches the EHR by NHS number, date of birth (and swapped), and postcode with its space', () => {
    expect(candidateSearches(person({ nhsNumber: NHS, birthDate: '1941-03-04', postcode: 'fb12ab' }))).to.deep.equal([
      { identifier: `https://fhir.nhs.uk/Id/nhs-number|${NHS}` },
      { birthdate: '1941-03-04' },
      { birthdate: '1941-04-03' },
      { 'address-postalcode': 'FB1 2AB' },
    ]);
  });
});
