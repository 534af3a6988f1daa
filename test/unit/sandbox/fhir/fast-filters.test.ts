import { matchesSearchRequest, parseSearchRequest } from '@medplum/core';
import type { Patient, Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { ensureR4Definitions } from '../../../../src/sandbox/fhir/definitions.js';
import { fastFilter, valueInterval } from '../../../../src/sandbox/fhir/fast-filters.js';
import { searchPage } from '../../../../src/sandbox/fhir/search.js';

const at = (iso: string, extra: Partial<Patient> = {}): Patient => ({ resourceType: 'Patient', id: iso, meta: { lastUpdated: iso }, ...extra });

describe('fast search filters', () => {
  before(() => {
    ensureR4Definitions();
  });

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

  it('applies _lastUpdated prefixes to instants', () => {
    const resources = ['2026-11-23T23:59:59.999Z', '2026-11-24T00:00:00.000Z', '2026-11-24T12:00:00.000Z', '2026-11-25T00:00:00.000Z'].map((t) => at(t));
    const ids = (q: string) => searchPage(resources, parseSearchRequest(`Patient?${q}`)).page.map((r) => r.id);
    expect(ids('_lastUpdated=ge2026-11-24')).to.deep.equal([resources[1]?.id, resources[2]?.id, resources[3]?.id]);
    expect(ids('_lastUpdated=gt2026-11-24')).to.deep.equal([resources[3]?.id]);
    expect(ids('_lastUpdated=lt2026-11-24')).to.deep.equal([resources[0]?.id]);
    expect(ids('_lastUpdated=le2026-11-24')).to.deep.equal([resources[0]?.id, resources[1]?.id, resources[2]?.id]);
    expect(ids('_lastUpdated=2026-11-24')).to.deep.equal([resources[1]?.id, resources[2]?.id]);
    expect(ids('_lastUpdated=gt2026-11-24T00:00:00.000Z&_lastUpdated=lt2026-11-25T00:00:00.000Z')).to.deep.equal([resources[2]?.id]);
    // A cursor at a stored instant: ge includes it, gt does not.
    expect(ids(`_lastUpdated=ge${resources[2]?.meta?.lastUpdated}`)).to.deep.equal([resources[2]?.id, resources[3]?.id]);
    expect(ids(`_lastUpdated=gt${resources[2]?.meta?.lastUpdated}`)).to.deep.equal([resources[3]?.id]);
  });

  it('agrees with Medplum on identifier searches', () => {
    const resources: Resource[] = [
      at('2026-01-01T00:00:00.000Z', { identifier: [{ system: 'urn:a', value: '1' }] }),
      at('2026-01-02T00:00:00.000Z', { identifier: [{ system: 'urn:b', value: '1' }] }),
      at('2026-01-03T00:00:00.000Z', { identifier: [{ value: '1' }] }),
      at('2026-01-04T00:00:00.000Z', { identifier: [{ system: 'urn:a', value: '2' }] }),
      at('2026-01-05T00:00:00.000Z'),
    ];
    for (const q of ['identifier=urn:a|1', 'identifier=1', 'identifier=urn:b|1', 'identifier=urn:a|3']) {
      const request = parseSearchRequest(`Patient?${q}`);
      const filter = request.filters?.[0];
      if (!filter) throw new Error('no filter');
      const test = fastFilter('Patient', filter);
      expect(test, q).to.be.a('function');
      const fast = resources.filter((r) => test?.(r)).map((r) => r.id);
      const medplum = resources.filter((r) => matchesSearchRequest(r, request)).map((r) => r.id);
      expect(fast, q).to.deep.equal(medplum);
    }
    const noSystem = resources.filter((r) => fastFilter('Patient', { code: 'identifier', operator: 'eq', value: '|1' })?.(r));
    expect(noSystem.map((r) => r.id)).to.deep.equal([resources[2]?.id]);
  });

  it('sorts by several rules, first rule primary, missing values last', () => {
    const resources = [
      at('2026-01-03T00:00:00.000Z', { gender: 'male', birthDate: '1990-01-01' }),
      at('2026-01-01T00:00:00.000Z', { gender: 'female', birthDate: '1980-01-01' }),
      at('2026-01-02T00:00:00.000Z', { gender: 'male', birthDate: '1970-01-01' }),
      at('2026-01-04T00:00:00.000Z', { birthDate: '1960-01-01' }),
    ];
    const order = (q: string) => searchPage(resources, parseSearchRequest(`Patient?${q}`)).page.map((r) => r.meta?.lastUpdated?.slice(8, 10));
    expect(order('_sort=gender,birthdate')).to.deep.equal(['01', '02', '03', '04']);
    expect(order('_sort=-_lastUpdated')).to.deep.equal(['04', '03', '02', '01']);
    expect(order('_sort=birthdate&_count=2&_offset=1')).to.deep.equal(['02', '01']);
  });
});
