import { expect } from 'chai';
import type { Resource, Task } from '@medplum/fhirtypes';
import { indexRows, referenceKey } from '../../../src/fhir-store/index-rows.js';
import { ensureR4Definitions } from '../../../src/fhir/r4-definitions.js';
import { ehrSeed, lwSeed } from '../../../src/sandbox/demo/index.js';

const OWN = 'https://ehr.example/fhir';

describe('fhir-store reference keys', () => {
  before(() => ensureR4Definitions());

  it('indexes relative references and absolute ones on the own base as Type/id', () => {
    expect(referenceKey('Patient/p1', OWN)).to.deep.equal({ value: 'Patient/p1', type: 'Patient' });
    expect(referenceKey(`${OWN}/Patient/p1`, OWN)).to.deep.equal({ value: 'Patient/p1', type: 'Patient' });
    // The same server spelt with an upper-case host or a default port is still this server.
    expect(referenceKey('https://EHR.example:443/fhir/Patient/p1', OWN).value).to.equal('Patient/p1');
  });

  it('keeps references to other servers absolute, and relative ones relative without an own base', () => {
    expect(referenceKey('https://other.example/fhir/Patient/p1', OWN)).to.deep.equal({ value: 'https://other.example/fhir/Patient/p1', type: 'Patient' });
    expect(referenceKey(`${OWN}/Patient/p1`).value).to.equal(`${OWN}/Patient/p1`);
  });

  it('indexes a versioned reference with and without its version', () => {
    expect(referenceKey(`${OWN}/Task/t1/_history/3`, OWN)).to.deep.equal({ value: 'Task/t1', versioned: 'Task/t1/_history/3', type: 'Task' });
  });

  it('keeps what is not a literal reference as written, without a type', () => {
    for (const r of ['#contained', 'urn:uuid:7d0e3b1c-5d2a-4d0e-9d9b-3c1c2c7a0f11', 'Patient?identifier=x|1', 'not a reference']) {
      expect(referenceKey(r, OWN)).to.deep.equal({ value: r });
    }
  });

  it('finds absolute references through FHIRPath resolve() (subject.where(resolve() is Patient)) and indexes them as written', () => {
    const task: Task = { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: 'https://other.example/fhir/Patient/p1' }, focus: { reference: `${OWN}/ServiceRequest/s1/_history/2` } };
    const rows = indexRows(task, OWN);
    expect(rows).to.deep.include({ code: 'patient', value: 'https://other.example/fhir/Patient/p1', system: 'Patient' });
    expect(rows).to.deep.include({ code: 'focus', value: 'ServiceRequest/s1', system: 'ServiceRequest' });
    expect(rows).to.deep.include({ code: 'focus', value: 'ServiceRequest/s1/_history/2', system: 'ServiceRequest' });
  });
});

describe('fhir-store index rows: parameters of absent elements are not evaluated', () => {
  before(() => ensureR4Definitions());
  const urls = { ehr: 'https://ehr.example/fhir', lw: 'https://lw.example/fhir' };
  const sorted = (r: Resource, every: boolean) => indexRows(r, urls.ehr, { everyParameter: every }).map((x) => JSON.stringify(x)).sort();

  it('gives the rows every parameter gives, for the demo data and for choice, component, boolean and computed parameters', () => {
    const resources: Resource[] = [
      ...ehrSeed(urls), ...lwSeed(urls),
      { resourceType: 'Patient', deceasedBoolean: false },
      { resourceType: 'Patient', name: [{ family: 'Ng' }] },
      { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 3, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } },
      { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueCodeableConcept: { text: 'Walking', coding: [{ system: 'urn:s', code: 'w' }] } },
      { resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [{ code: { coding: [{ system: 'urn:s', code: 'c' }] }, valuePeriod: { start: '2026-01-01' } }] },
      { resourceType: 'Task', status: 'requested', intent: 'order', priority: 'urgent', executionPeriod: { start: '2026-01-01' }, _authoredOn: { extension: [{ url: 'urn:e', valueString: 'x' }] } } as Task,
    ];
    for (const r of resources) expect(sorted(r, false), `${r.resourceType}/${r.id ?? ''}`).to.deep.equal(sorted(r, true));
  });
});
