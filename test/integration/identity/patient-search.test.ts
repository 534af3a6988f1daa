import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { findCandidates, matchInEhr } from '../../../src/identity/patient-search.js';
import { patientId, patientNhsNumber } from '../../../src/sandbox/demo/patients.js';
import { startSandboxApp, type SandboxApp } from '../sandbox/fhir/sandbox-app.js';

/** Identity matching against a real EHR FHIR server (the sandbox GP system with its demo practice). */
describe('identity: matching against the EHR Patient search', () => {
  let app: SandboxApp;
  let ehr: FhirClient;

  before(async () => {
    app = await startSandboxApp();
    ehr = new FhirClient({ baseUrl: app.urls.ehr });
  });
  after(async () => app?.close());

  // Demo patient 1: Margaret Ellis, born 14 March 1941, FB1 2AB.
  const margaret = { family: 'ellis', given: 'Peggy', birthDate: '1941-03-14', postcode: 'fb12ab' };

  it('one confident match by name, date of birth and postcode, whatever the typing', async () => {
    const d = await matchInEhr(ehr, margaret);
    expect(d).to.include({ outcome: 'matched', method: 'demographics', patientId: patientId(1) });
    expect(d.candidates[0]!.fields.map((f) => f.result)).to.deep.equal(['not-given', 'exact', 'known-as', 'exact', 'exact']);
  });

  it('NHS number and date of birth verify', async () => {
    const d = await matchInEhr(ehr, { ...margaret, given: 'M', nhsNumber: patientNhsNumber(1) });
    expect(d).to.include({ outcome: 'matched', method: 'nhs-number', patientId: patientId(1) });
  });

  it('no registered patient: no match', async () => {
    const d = await matchInEhr(ehr, { family: 'Quist', given: 'Ottilie', birthDate: '1990-02-02', postcode: 'ZZ1 1ZZ' });
    expect(d.outcome).to.equal('no-match');
    expect(d.patientId).to.equal(undefined);
  });

  it('a second record with the same name and date of birth at the same address: ambiguous; inactive and deceased records are not candidates', async () => {
    const twin = (over: Partial<Patient>): Patient => ({
      resourceType: 'Patient',
      name: [{ family: 'Ellis', given: ['Margaret'] }],
      birthDate: '1941-03-14',
      address: [{ postalCode: 'FB1 2AB' }],
      ...over,
    });
    const inactive = await ehr.create(twin({ active: false }));
    const deceased = await ehr.create(twin({ deceasedDateTime: '2024-01-01' }));
    const found = await findCandidates(ehr, margaret);
    expect(found.complete).to.equal(true);
    expect(found.candidates.map((c) => c.id)).to.include(patientId(1)).and.not.include(inactive.id).and.not.include(deceased.id);
    expect((await matchInEhr(ehr, margaret)).outcome).to.equal('matched');

    const namesake = await ehr.create(twin({}));
    const d = await matchInEhr(ehr, margaret);
    expect(d.outcome).to.equal('ambiguous');
    expect(d.candidates.slice(0, 2).map((c) => c.patientId).sort()).to.deep.equal([namesake.id, patientId(1)].sort());
  });
});
