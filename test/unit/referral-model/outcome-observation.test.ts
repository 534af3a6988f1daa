import { expect } from 'chai';
import { CODE_SYSTEM, findInstrument, PROFILE, type Instrument } from '../../../src/referral-model/codes.js';
import { instrumentCodeOf, instrumentIn, outcomeObservation, scoreElements } from '../../../src/referral-model/outcome-observation.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';

const inst = (code: string): Instrument => findInstrument(code)!;
const base = {
  status: 'final' as const,
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:6f1c2a52-3c1e-4a0f-9a51-2f1e0d3c4b5a' },
  subject: { reference: 'Patient/p1' },
  basedOn: { reference: 'ServiceRequest/sr1' },
  performer: { reference: 'PractitionerRole/lw1' },
  effectiveDateTime: '2026-11-01',
};

describe('referral-model/outcome-observation: the one outcome Observation builder', () => {
  it('writes a total-scored instrument as valueInteger with SP Link\'s and the national code', () => {
    const o = outcomeObservation({ ...base, instrument: inst('phq9'), scores: { total: 12 } });
    expect(o.meta?.profile).to.deep.equal([PROFILE.outcomeObservation]);
    expect(o.valueInteger).to.equal(12);
    expect(o.component).to.equal(undefined);
    expect(o.code.coding?.map((c) => c.code)).to.deep.equal(['phq9', '44261-6']);
    expect(o.category?.[0]?.coding?.[0]?.code).to.equal('survey');
    expect(() => validateForWrite(o)).not.to.throw();
  });

  it('writes item scores as components in the instrument\'s order, whatever order they came in', () => {
    const o = outcomeObservation({ ...base, instrument: inst('ons4'), scores: { 'ons4-anxiety': 3, 'ons4-life-satisfaction': 6, 'ons4-worthwhile': 7, 'ons4-happiness': 5 } });
    expect(o.valueInteger).to.equal(undefined);
    expect(o.component?.map((c) => [c.code.coding?.[0]?.code, c.valueInteger])).to.deep.equal([
      ['ons4-life-satisfaction', 6], ['ons4-worthwhile', 7], ['ons4-happiness', 5], ['ons4-anxiety', 3],
    ]);
    expect(() => validateForWrite(o)).not.to.throw();
  });

  it('carries the pointers back to a source when it is a copy', () => {
    const o = outcomeObservation({
      ...base, instrument: inst('swemwbs'), scores: { total: 20 }, text: 'SWEMWBS as worded at source',
      source: 'https://lw.example/fhir/Observation/o1/_history/2', derivedFrom: 'https://lw.example/fhir/Observation/o1',
      note: [{ text: 'Corrected typo' }],
    });
    expect(o.meta?.source).to.equal('https://lw.example/fhir/Observation/o1/_history/2');
    expect(o.derivedFrom).to.deep.equal([{ reference: 'https://lw.example/fhir/Observation/o1' }]);
    expect(o.code.text).to.equal('SWEMWBS as worded at source');
    expect(o.note).to.deep.equal([{ text: 'Corrected typo' }]);
  });

  it('finds the instrument by SP Link\'s code or by its national code', () => {
    expect(instrumentIn([{ system: CODE_SYSTEM.outcomeInstrument, code: 'ucla3' }])?.code).to.equal('ucla3');
    expect(instrumentIn([{ system: 'http://loinc.org', code: '70274-6' }])?.code).to.equal('gad7');
    expect(instrumentIn([{ system: 'http://example.org', code: 'phq9' }])).to.equal(undefined);
    expect(instrumentCodeOf(outcomeObservation({ ...base, instrument: inst('gad7'), scores: { total: 4 } }))).to.equal('gad7');
  });

  it('leaves out scores an instrument does not have', () => {
    expect(scoreElements(inst('swemwbs'), { total: 20, 'ons4-anxiety': 3 })).to.deep.equal({ valueInteger: 20 });
    expect(scoreElements(inst('ons4'), { total: 9 })).to.deep.equal({});
  });
});
