import { expect } from 'chai';
import { valueInterval } from '../../../src/fhir-store/date-interval.js';

describe('FHIR store: date intervals', () => {
  it('reads the interval a date value names, by its precision', () => {
    expect(valueInterval('2026-11-24')).to.deep.equal([Date.parse('2026-11-24T00:00:00Z'), Date.parse('2026-11-25T00:00:00Z')]);
    expect(valueInterval('2026-12')).to.deep.equal([Date.parse('2026-12-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z')]);
    expect(valueInterval('2026')).to.deep.equal([Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z')]);
    expect(valueInterval('2026-11-24T10:00:00Z')).to.deep.equal([Date.parse('2026-11-24T10:00:00Z'), Date.parse('2026-11-24T10:00:01Z')]);
    expect(valueInterval('2026-11-24T10:00:00.123Z')).to.deep.equal([Date.parse('2026-11-24T10:00:00.123Z'), Date.parse('2026-11-24T10:00:00.124Z')]);
    expect(valueInterval('2026-11-24T11:00:00+01:00')?.[0]).to.equal(Date.parse('2026-11-24T10:00:00Z'));
    expect(valueInterval('2026-11-24T10:00:00')).to.equal(undefined);
    expect(valueInterval('yesterday')).to.equal(undefined);
  });
});
