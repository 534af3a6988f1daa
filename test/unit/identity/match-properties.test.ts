import { expect } from 'chai';
import fc from 'fast-check';
import { matchPerson, type CandidatePatient, type PersonDetails } from '../../../src/identity/match.js';
import { isAdjacentTransposition, nameKey, swappedDayMonth } from '../../../src/identity/normalise.js';
import { knownAs } from '../../../src/identity/nicknames.js';
import { testNhsNumbers } from '../../../src/sandbox/demo/nhs-number.js';

/*
 * No false link: a practice population full of near-duplicates of the person (a twin, a namesake at the same
 * address, someone with day and month swapped, a relative by marriage, the person under a married name), a
 * referral with the noise people type (case, accents, hyphens, nicknames, one transposition), and the matcher
 * must never link anyone but the person, never link when two records are indistinguishable, and still find the
 * person when they are there and told apart.
 */

// Given names with their short forms; twins and relatives get names from TWIN_NAMES, which no nickname group holds
// and no transposition of a GIVEN name gives.
const GIVEN: readonly (readonly [string, readonly string[]])[] = [
  ['Margaret', ['Peggy', 'Maggie']],
  ['Robert', ['Bob', 'Rob']],
  ['Elizabeth', ['Liz', 'Betty']],
  ['William', ['Bill', 'Will']],
  ['Catherine', ['Kate', 'Cathy']],
  ['Jamal', []],
  ['Agnieszka', []],
  ['Zoë', []],
  ['Siobhán', []],
  ['Kwame', []],
];
const TWIN_NAMES = ['Oliver', 'Amira', 'Dylan', 'Freya', 'Hamza', 'Ingrid', 'Kofi', 'Nadia', 'Priya', 'Yusuf'];
const FAMILY = ["O'Connor", 'Smith-Jones', 'Nowak', 'Hussain', 'Ellis', 'Ångström', 'Adeyemi', 'Da Silva', 'Whitaker'];
const MARRIED = ['Campbell', 'Fraser', 'Begum', 'Lloyd', 'Santos'];
const POSTCODES = ['FB1 2AB', 'FB2 4EF', 'FB3 7LM', 'SW1A 1AA', 'M1 1AE'];
const NHS = testNhsNumbers(40, 5001);

interface Target {
  readonly given: string;
  readonly nicknames: readonly string[];
  readonly family: string;
  readonly birthDate: string;
  readonly postcode: string;
}

const dateArb = fc
  .record({ y: fc.integer({ min: 1920, max: 2010 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

const targetArb: fc.Arbitrary<Target> = fc.record({
  name: fc.constantFrom(...GIVEN),
  family: fc.constantFrom(...FAMILY),
  birthDate: dateArb,
  postcode: fc.constantFrom(...POSTCODES),
}).map(({ name, family, birthDate, postcode }) => ({ given: name[0], nicknames: name[1], family, birthDate, postcode }));

type Kin = 'twin' | 'namesake' | 'swapped' | 'in-law' | 'married-self' | 'neighbour' | 'stranger';

interface Population {
  readonly target: Target;
  readonly present: boolean;
  readonly kin: readonly Kin[];
  readonly people: readonly CandidatePatient[];
}

const TARGET_ID = 'target';

/** A near-duplicate of the target, or a stranger; `married-self` is the target under a married name (same id). */
function relative(t: Target, kin: Kin, i: number, pick: number): CandidatePatient {
  const base = { id: `${kin}-${i}`, nhsNumbers: [NHS[i + 1]!], names: [{ family: t.family, given: [t.given] }], birthDate: t.birthDate, postcodes: [t.postcode] };
  const other = TWIN_NAMES[pick % TWIN_NAMES.length]!;
  switch (kin) {
    case 'twin': return { ...base, names: [{ family: t.family, given: [other] }] };
    case 'namesake': return base;
    case 'swapped': return { ...base, birthDate: swappedDayMonth(t.birthDate) ?? `${Number(t.birthDate.slice(0, 4)) - 1}${t.birthDate.slice(4)}` };
    case 'in-law': return { ...base, names: [{ family: MARRIED[pick % MARRIED.length]!, given: [t.given] }] };
    case 'married-self': return { ...base, id: TARGET_ID, nhsNumbers: [NHS[0]!], names: [{ family: MARRIED[pick % MARRIED.length]!, given: [t.given] }] };
    case 'neighbour': return { ...base, names: [{ family: FAMILY[(pick + 1) % FAMILY.length]!, given: [other] }], birthDate: '1970-06-15' };
    case 'stranger': return { ...base, names: [{ family: MARRIED[pick % MARRIED.length]!, given: [other] }], birthDate: '1955-01-02', postcodes: ['ZZ9 9ZZ'] };
  }
}

const populationArb: fc.Arbitrary<Population> = fc
  .record({
    target: targetArb,
    present: fc.boolean(),
    kin: fc.array(fc.constantFrom<Kin>('twin', 'namesake', 'swapped', 'in-law', 'married-self', 'neighbour', 'stranger'), { maxLength: 6 }),
    picks: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  })
  .map(({ target, present, kin, picks }) => {
    // A namesake only exists beside the person (alone it would be the person as far as any record can tell), and the
    // person is either on the list as registered or under a married name, not both.
    const kept = kin.filter((k) => (k !== 'namesake' || present) && (k !== 'married-self' || !present));
    const people = kept.map((k, i) => relative(target, k, i, picks[i]!));
    if (present) people.push({ id: TARGET_ID, nhsNumbers: [NHS[0]!], names: [{ family: target.family, given: [target.given, 'Anne'] }], birthDate: target.birthDate, postcodes: [target.postcode] });
    return { target, present, kin: kept, people };
  });

type Noise = 'none' | 'case' | 'hyphens' | 'nickname' | 'transpose-given' | 'transpose-family' | 'spaces';

function transpose(s: string): string {
  const i = [...s].findIndex((ch, j) => j + 1 < s.length && ch.toLowerCase() !== s[j + 1]!.toLowerCase() && /\p{L}/u.test(ch) && /\p{L}/u.test(s[j + 1]!));
  return i < 0 ? s : s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}

/** What the person types: their details with at most one name in a tolerated form. */
function typed(t: Target, noise: Noise, withNhs: boolean): PersonDetails {
  let { given, family } = t;
  let postcode = t.postcode;
  switch (noise) {
    case 'case': given = given.toUpperCase(); family = family.toLowerCase(); break;
    case 'hyphens': family = family.replace(/[-']/g, ' ').normalize('NFD').replace(/\p{M}/gu, ''); break;
    case 'nickname': given = t.nicknames[0] ?? given; break;
    case 'transpose-given': given = transpose(given); break;
    case 'transpose-family': family = transpose(family); break;
    case 'spaces': postcode = postcode.replace(' ', '').toLowerCase(); break;
    case 'none': break;
  }
  return { given, family, birthDate: t.birthDate, postcode, ...(withNhs ? { nhsNumber: NHS[0]! } : {}) };
}

const noiseArb = fc.constantFrom<Noise>('none', 'case', 'hyphens', 'nickname', 'transpose-given', 'transpose-family', 'spaces');

describe('identity: properties (fast-check)', () => {
  it('the generator keeps twins and relatives distinguishable from the person by name', () => {
    for (const [g, nicks] of GIVEN) for (const other of TWIN_NAMES) {
      for (const form of [g, ...nicks]) {
        const [a, b] = [nameKey(form), nameKey(other)];
        expect(a === b || knownAs(a, b) || isAdjacentTransposition(a, b), `${form}/${other}`).to.equal(false);
      }
    }
  });

  it('never links anyone but the person, whatever the near-duplicates and the typing', () => {
    fc.assert(
      fc.property(populationArb, noiseArb, fc.boolean(), ({ target, people }, noise, withNhs) => {
        const d = matchPerson(typed(target, noise, withNhs), people);
        if (d.outcome === 'matched') expect(d.patientId).to.equal(TARGET_ID);
      }),
      { numRuns: 2000 },
    );
  });

  it('no false link at the threshold: without the person, a link is never made on demographics', () => {
    fc.assert(
      fc.property(populationArb, noiseArb, ({ target, present, kin, people }, noise) => {
        const d = matchPerson(typed(target, noise, false), people);
        if (!present && !kin.includes('married-self')) expect(d.outcome, JSON.stringify(d)).to.not.equal('matched');
        if (d.outcome === 'matched') expect(d.patientId).to.equal(TARGET_ID);
      }),
      { numRuns: 3000 },
    );
  });

  it('a namesake at the same address makes it ambiguous unless the NHS number tells them apart', () => {
    fc.assert(
      fc.property(populationArb.filter((p) => p.kin.includes('namesake')), noiseArb, fc.boolean(), ({ target, people }, noise, withNhs) => {
        const d = matchPerson(typed(target, noise, withNhs), people);
        if (withNhs) expect(d).to.include({ outcome: 'matched', patientId: TARGET_ID, method: 'nhs-number' });
        else expect(d.outcome).to.equal('ambiguous');
      }),
      { numRuns: 500 },
    );
  });

  it('finds the person when they are registered and told apart from everyone else', () => {
    fc.assert(
      fc.property(populationArb.filter((p) => p.present && !p.kin.includes('namesake')), noiseArb, fc.boolean(), ({ target, people }, noise, withNhs) => {
        const d = matchPerson(typed(target, noise, withNhs), people);
        expect(d, JSON.stringify(d)).to.include({ outcome: 'matched', patientId: TARGET_ID });
      }),
      { numRuns: 1000 },
    );
  });

  it('the person under a married name is found by NHS number, and never confused with a relative', () => {
    fc.assert(
      fc.property(populationArb.filter((p) => p.kin.includes('married-self')), noiseArb, fc.boolean(), ({ target, people }, noise, withNhs) => {
        const d = matchPerson(typed(target, noise, withNhs), people);
        if (withNhs) expect(d).to.include({ outcome: 'matched', patientId: TARGET_ID });
        else expect(d.outcome).to.not.equal('matched');
      }),
      { numRuns: 500 },
    );
  });

  it('the NHS number of the person with another date of birth never links', () => {
    fc.assert(
      fc.property(populationArb, dateArb, ({ target, people }, dob) => {
        fc.pre(dob !== target.birthDate);
        const d = matchPerson({ ...typed(target, 'none', true), birthDate: dob }, people);
        expect(d.outcome).to.not.equal('matched');
      }),
      { numRuns: 1000 },
    );
  });
});
