import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { ageBand, equalityOf, ethnicGroup, imdQuintile, UK_CORE } from '../../../src/reports/equality.js';
import { parseImdLookup } from '../../../src/reports/imd-lookup.js';

describe('reports/equality: the fields reports split by', () => {
  it('bands age at the referral date, counting the birthday itself', () => {
    expect(ageBand('2008-03-14', '2026-03-13')).to.equal('0-17');
    expect(ageBand('2008-03-14', '2026-03-14')).to.equal('18-24');
    expect(ageBand('1941-03-14', '2026-11-01')).to.equal('85+');
    expect(ageBand('1961-12-31', '2026-12-30')).to.equal('55-64');
    expect(ageBand(undefined, '2026-01-01')).to.equal(undefined);
    expect(ageBand('2030-01-01', '2026-01-01')).to.equal(undefined);
  });

  it('turns IMD deciles into quintiles (1 = most deprived) and refuses anything else', () => {
    expect([1, 2, 3, 4, 9, 10].map(imdQuintile)).to.deep.equal([1, 1, 2, 2, 5, 5]);
    expect([0, 11, 2.5, null, undefined].map(imdQuintile)).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
  });

  it('groups NHS Data Dictionary ethnic categories; an unknown code is "Not known"', () => {
    expect(ethnicGroup('J')).to.equal('Asian or Asian British');
    expect(ethnicGroup('Z')).to.equal('Not stated');
    expect(ethnicGroup('Q')).to.equal('Not known');
    expect(ethnicGroup(undefined)).to.equal('Not known');
  });

  it('reads the UK Core ethnic category, NHS communication, sex, age band and the IMD decile of the home postcode', () => {
    const lookup = parseImdLookup('postcode,lsoa,imd_decile\nFB1 2AB,E01990100,2\n');
    const patient: Patient = {
      resourceType: 'Patient', gender: 'female', birthDate: '1982-09-04',
      address: [{ use: 'work', postalCode: 'ZZ9 9ZZ' }, { use: 'home', postalCode: 'fb1 2ab' }],
      extension: [
        { url: UK_CORE.ethnicCategoryExtension, valueCodeableConcept: { coding: [{ system: UK_CORE.ethnicCategorySystem, code: 'C' }] } },
        { url: UK_CORE.nhsCommunicationExtension, extension: [{ url: 'language', valueCodeableConcept: { coding: [{ code: 'pl' }] } }, { url: 'interpreterRequired', valueBoolean: true }] },
      ],
    };
    expect(equalityOf(patient, '2026-11-01', (pc) => lookup.decileOf(pc))).to.deep.equal({
      sex: 'female', ageBand: '35-44', ethnicity: 'C', firstLanguage: 'pl', interpreter: true, imdDecile: 2,
    });
  });

  it('leaves out what the record does not say, and falls back to Patient.communication for the language', () => {
    const patient: Patient = { resourceType: 'Patient', communication: [{ language: { coding: [{ code: 'so' }] } }], address: [{ postalCode: 'AB1 1AA' }] };
    expect(equalityOf(patient, '2026-01-01', () => undefined)).to.deep.equal({ sex: 'unknown', firstLanguage: 'so' });
    expect(equalityOf(undefined, '2026-01-01', () => 3)).to.deep.equal({ sex: 'unknown' });
  });

  it('refuses a lookup without the columns it needs, or with a bad decile, naming the line', () => {
    expect(() => parseImdLookup('postcode,lsoa\nFB1 2AB,E01\n', 'imd.csv')).to.throw(/imd.csv: the header must name the columns postcode and imd_decile/);
    expect(() => parseImdLookup('postcode,imd_decile\nFB1 2AB,3\nFB1 3CD,11\n', 'imd.csv')).to.throw(/imd.csv, line 3/);
    const ok = parseImdLookup('# demo\r\npostcode,lsoa,imd_decile\r\nFB1 2AB,E01990100,4\r\n');
    expect(ok.size).to.equal(1);
    expect(ok.decileOf('FB12AB')).to.equal(4);
  });
});
