import { expect } from 'chai';
import { grantingScopes, parseClinicalScope, parseClinicalScopes } from '../../../../src/fhir-server/access/smart-scopes.js';
import { belongsToPatient, searchIsForPatient } from '../../../../src/fhir-server/access/compartment.js';

describe('SMART clinical scopes', () => {
  it('parses v2 permissions and v1 read/write', () => {
    expect([...parseClinicalScope('patient/ServiceRequest.crus')!.permissions]).to.deep.equal(['c', 'r', 'u', 's']);
    expect([...parseClinicalScope('system/*.read')!.permissions]).to.deep.equal(['r', 's']);
    expect([...parseClinicalScope('user/Observation.write')!.permissions]).to.deep.equal(['c', 'u', 'd']);
    expect([...parseClinicalScope('system/Task.*')!.permissions]).to.have.members(['c', 'r', 'u', 'd', 's']);
    expect(parseClinicalScope('patient/Patient.r')).to.include({ context: 'patient', resourceType: 'Patient' });
  });

  it('rejects what is not a clinical scope or is out of order', () => {
    for (const s of ['openid', 'launch', 'launch/patient', 'patient/Patient.', 'patient/Patient.rc', 'patient/Patient.x', 'group/Patient.r', 'patient/patient.r', 'patient/Observation.rs?category=x']) {
      expect(parseClinicalScope(s), s).to.equal(undefined);
    }
  });

  it('finds the scopes granting a permission on a type, wildcards included', () => {
    const scopes = parseClinicalScopes('system/Patient.rs system/*.c openid');
    expect(grantingScopes(scopes, 'Patient', 'r')).to.have.length(1);
    expect(grantingScopes(scopes, 'Observation', 'c')).to.have.length(1);
    expect(grantingScopes(scopes, 'Observation', 'r')).to.have.length(0);
  });
});

describe('patient compartment', () => {
  const base = 'http://x/fhir';
  it('places a resource by subject/patient/for references, relative or absolute', () => {
    expect(belongsToPatient({ resourceType: 'Patient', id: 'a' }, 'a', base)).to.equal(true);
    expect(belongsToPatient({ resourceType: 'Observation', subject: { reference: 'Patient/a' } }, 'a', base)).to.equal(true);
    expect(belongsToPatient({ resourceType: 'Task', for: { reference: `${base}/Patient/a` } }, 'a', base)).to.equal(true);
    expect(belongsToPatient({ resourceType: 'Observation', subject: { reference: 'Patient/b' } }, 'a', base)).to.equal(false);
    expect(belongsToPatient({ resourceType: 'Observation' }, 'a', base)).to.equal(false);
  });

  it('accepts only searches that name the patient in every OR value', () => {
    expect(searchIsForPatient('Observation', { patient: 'a' }, 'a', base)).to.equal(true);
    expect(searchIsForPatient('Observation', { subject: 'Patient/a', code: 'x' }, 'a', base)).to.equal(true);
    expect(searchIsForPatient('Observation', { patient: 'a,b' }, 'a', base)).to.equal(false);
    expect(searchIsForPatient('Observation', { code: 'x' }, 'a', base)).to.equal(false);
    expect(searchIsForPatient('Patient', { _id: 'a' }, 'a', base)).to.equal(true);
    expect(searchIsForPatient('Patient', { name: 'a' }, 'a', base)).to.equal(false);
  });
});
