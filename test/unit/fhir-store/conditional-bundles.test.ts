import { expect } from 'chai';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { hasConditionalEntries } from '../../../src/fhir-store/conditional-bundles.js';

const bundle = (type: Bundle['type'], ...request: BundleEntry['request'][]): Bundle => ({
  resourceType: 'Bundle',
  type,
  entry: request.map((r) => ({ request: r })),
});

describe('fhir-store: transaction Bundles with conditional entries', () => {
  it('finds creates with ifNoneExist and updates, patches and deletes by search', () => {
    expect(hasConditionalEntries(bundle('transaction', { method: 'POST', url: 'Task', ifNoneExist: 'identifier=a|b' }))).to.equal(true);
    expect(hasConditionalEntries(bundle('transaction', { method: 'PUT', url: 'Task?identifier=a|b' }))).to.equal(true);
    expect(hasConditionalEntries(bundle('transaction', { method: 'PATCH', url: 'Task?identifier=a|b' }))).to.equal(true);
    expect(hasConditionalEntries(bundle('transaction', { method: 'DELETE', url: 'Task?identifier=a|b' }))).to.equal(true);
  });

  it('leaves plain writes, searches and batches alone', () => {
    expect(hasConditionalEntries(bundle('transaction', { method: 'POST', url: 'Task' }, { method: 'PUT', url: 'Task/1' }))).to.equal(false);
    expect(hasConditionalEntries(bundle('transaction', { method: 'GET', url: 'Task?identifier=a|b' }))).to.equal(false);
    expect(hasConditionalEntries(bundle('batch', { method: 'POST', url: 'Task', ifNoneExist: 'identifier=a|b' }))).to.equal(false);
    expect(hasConditionalEntries(undefined)).to.equal(false);
    expect(hasConditionalEntries({ resourceType: 'Bundle', type: 'transaction' })).to.equal(false);
  });
});
