import { expect } from 'chai';
import type { Resource } from '@medplum/fhirtypes';
import { PROFILE } from '../../../../src/referral-model/codes.js';
import { spLinkDefinitions } from '../../../../src/fhir/validate/definitions.js';
import { checkResource, profileFor, validateForWrite, validateResourceAgainst } from '../../../../src/fhir/validate/index.js';

describe('fhir/validate: generated examples', () => {
  const examples: readonly Resource[] = spLinkDefinitions().examples;

  it('has an example for every SP Link profile', () => {
    for (const url of Object.values(PROFILE)) {
      expect(examples.some((e) => e.meta?.profile?.includes(url)), url).to.equal(true);
    }
  });

  it('has the full workflow set: completed, declined and cancelled by the GP', () => {
    const ids = new Set(examples.map((e) => e.id));
    for (const id of [
      'referral-example', 'task-example', 'wf-task-accepted', 'wf-task-in-progress', 'wf-task-completed',
      'wf-referral-completed', 'wf-communication-completed', 'wf-provenance-completed',
      'wf-task-declined', 'wf-referral-declined', 'wf-communication-declined',
      'wf-referral-cancelled', 'wf-task-cancelled', 'wf-provenance-cancelled',
    ]) {
      expect(ids.has(id), id).to.equal(true);
    }
  });

  for (const example of spLinkDefinitions().examples) {
    it(`${example.resourceType}/${example.id} conforms (to its SP Link profile, or base R4) with no issues at all`, () => {
      expect(checkResource(example).issue).to.deep.equal([]);
      expect(validateForWrite(example)).to.equal(example);
      const profile = profileFor(example);
      if (profile) expect(validateResourceAgainst(example, profile)).to.equal(example);
    });
  }

  it('validates a transaction Bundle entry by entry', () => {
    const sr = examples.find((e) => e.id === 'referral-example')!;
    const prov = examples.find((e) => e.id === 'wf-provenance-referral')!;
    const bundle: Resource = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:7d0f4f1e-2f1c-4a55-9d7e-3f5a1c2b9e01', resource: sr, request: { method: 'POST', url: 'ServiceRequest' } },
        { resource: prov, request: { method: 'POST', url: 'Provenance' } },
      ],
    };
    expect(validateForWrite(bundle)).to.equal(bundle);
  });
});

describe('fhir/validate: no side effects on @medplum/core', () => {
  it('leaves the list of resource types unchanged', async () => {
    const { getResourceTypes } = await import('@medplum/core');
    const before = getResourceTypes().length;
    validateForWrite(spLinkDefinitions().examples[0]!);
    expect(getResourceTypes().length).to.equal(before);
    expect(getResourceTypes().some((t) => t.includes('SPLink'))).to.equal(false);
  });
});
