import { expect } from 'chai';
import { isFhirId, joinUrl, normaliseBaseUrl, parseReference, parseReferenceOf, referencedId, sameBase } from '../../../src/referral-model/references.js';

describe('referral-model: references', () => {
  it('reads relative, versioned and absolute references', () => {
    expect(parseReference('Patient/p-1.a')).to.deep.equal({ resourceType: 'Patient', id: 'p-1.a' });
    expect(parseReference('Task/t1/_history/7')).to.deep.equal({ resourceType: 'Task', id: 't1', version: '7' });
    expect(parseReference('https://ehr.example/fhir/R4/Patient/1')).to.deep.equal({ resourceType: 'Patient', id: '1', base: 'https://ehr.example/fhir/R4' });
    expect(parseReference('http://lw.test/Task/t1/_history/3f2a-11/')).to.deep.equal({ resourceType: 'Task', id: 't1', version: '3f2a-11', base: 'http://lw.test' });
  });

  it('refuses what is not a literal reference to a resource', () => {
    for (const bad of [undefined, '', '#contained', 'urn:uuid:1', 'Patient', 'patient/1', 'Patient/', 'Patient/a b', 'Patient/1?x=1', 'a/Patient/1', 'Patient/1/_history/', `Patient/${'x'.repeat(65)}`, 'Task/t1/_history/v v', 'ftp://x/Patient/1', 'https://x/fhir/1'])
      expect(parseReference(bad), String(bad)).to.equal(undefined);
  });

  it('checks the type where the caller needs one', () => {
    expect(parseReferenceOf('PractitionerRole/r1', 'Practitioner', 'PractitionerRole')?.id).to.equal('r1');
    expect(parseReferenceOf('Organization/o1', 'Practitioner')).to.equal(undefined);
    expect(referencedId('https://ehr/fhir/Patient/p9/_history/2', 'Patient')).to.equal('p9');
    expect(referencedId('Practitioner/p9', 'Patient')).to.equal(undefined);
  });

  it('FHIR ids: 1–64 of letters, digits, - and .', () => {
    expect(['a', 'A-1.b', 'x'.repeat(64)].every(isFhirId)).to.equal(true);
    expect(['', 'a_b', 'a/b', 'x'.repeat(65), 7, undefined].some(isFhirId)).to.equal(false);
  });

  it('normalises base URLs once: case of scheme and host, default port, trailing slashes; path as written', () => {
    expect(normaliseBaseUrl('HTTPS://EHR.Example:443/FHIR/R4//')).to.equal('https://ehr.example/FHIR/R4');
    expect(normaliseBaseUrl('http://127.0.0.1:8080/')).to.equal('http://127.0.0.1:8080');
    expect(sameBase('https://ehr.example/fhir/', 'https://EHR.example/fhir')).to.equal(true);
    expect(sameBase('https://ehr.example/fhir', 'https://ehr.example/fhir2')).to.equal(false);
    expect(sameBase('not a url', 'not a url')).to.equal(false);
    expect(joinUrl('https://x/fhir/', '/metadata')).to.equal('https://x/fhir/metadata');
  });
});
