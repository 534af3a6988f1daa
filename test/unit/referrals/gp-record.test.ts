import { expect } from 'chai';
import type { Communication, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { buildCommunityTask } from '../../../src/intake/build-task.js';
import type { SelfReferral } from '../../../src/intake/self-referral-input.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { readMessageBack } from '../../../src/message-back/index.js';
import { REFERRAL_SOURCE_EXTENSION } from '../../../src/referral-model/referral-source.js';
import { gpRecordRow, planGpRecord, receivedMessageIdentifier } from '../../../src/referrals/gp-record.js';

const R: SelfReferral = {
  person: { given: 'Zoë', family: "O'Brien", birthDate: '1980-03-07', postcode: 'FB1 2AB' },
  contact: { phone: '07700 900982', methods: ['phone'], safeTimes: 'Mornings', leaveMessage: true },
  needs: ['loneliness'],
  whatMatters: 'Walks',
  consent: { service: true, gp: true },
  accessibility: { needs: [] },
};
const NOW = new Date('2026-12-01T10:00:00Z');
const TASK: Task = buildCommunityTask(R, {
  referralId: 'SPL-ABCD-EFGH',
  identifierSystem: 'https://fhir.sp-link.example.org/Id/referral',
  now: NOW,
  owner: { reference: 'Organization/lw-org', display: 'Fernbridge Community Connect', identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'X1LW1' } },
  matched: { patientId: 'pat-01', nhsNumber: '9990010013' },
});
const CTX = { patient: { id: 'pat-01', nhsNumber: '9990010013' }, practice: { name: 'Fernbridge Medical Practice', odsCode: 'Y12345' }, now: NOW };
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

describe('referrals: a referral someone other than the GP made, for the GP record', () => {
  const plan = planGpRecord(TASK, CTX, uuid);
  const [srEntry, commEntry, provEntry] = plan.bundle.entry!;
  const sr = srEntry!.resource as ServiceRequest;
  const comm = commEntry!.resource as Communication;
  const prov = provEntry!.resource as Provenance;

  it('the referral: the record’s patient, the person as its requester, source self; conforms to SPLinkReferral', () => {
    expect(() => validateForWrite(sr)).to.not.throw();
    expect(sr.subject).to.deep.equal({ reference: 'Patient/pat-01', identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990010013' } });
    expect(sr.requester).to.deep.equal({ reference: 'Patient/pat-01', display: "Zoë O'Brien (self-referral)" });
    expect(sr.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('self');
    expect(sr.identifier).to.deep.equal([{ system: 'https://fhir.sp-link.example.org/Id/referral', value: 'SPL-ABCD-EFGH' }]);
    expect(sr.id).to.equal(undefined);
    // Nothing points into the Task any more: every contained reference became the record's patient.
    expect(JSON.stringify(sr)).to.not.contain('"#');
    expect(srEntry!.request).to.deep.include({ method: 'POST', url: 'ServiceRequest', ifNoneExist: 'identifier=https%3A%2F%2Ffhir.sp-link.example.org%2FId%2Freferral%7CSPL-ABCD-EFGH' });
  });

  it('the message: to the practice, from the service, once per referral; conforms to SPLinkGPCommunication', () => {
    expect(() => validateForWrite(comm)).to.not.throw();
    expect(comm.recipient).to.deep.equal([{ type: 'Organization', identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'Y12345' }, display: 'Fernbridge Medical Practice' }]);
    expect(comm.sender).to.deep.include({ display: 'Fernbridge Community Connect' });
    expect(comm.basedOn).to.deep.equal([{ reference: srEntry!.fullUrl }]);
    expect(comm.about, 'about the referral written with it').to.deep.equal([{ reference: srEntry!.fullUrl }]);
    expect(comm.identifier?.[0]?.value).to.equal(receivedMessageIdentifier('SPL-ABCD-EFGH'));
    expect(commEntry!.request?.ifNoneExist).to.contain(encodeURIComponent(receivedMessageIdentifier('SPL-ABCD-EFGH')));
    const read = readMessageBack(comm);
    expect(read.title).to.equal('Social prescribing referral made by someone other than the GP');
    const lines = read.sections.flatMap((s) => s.lines).join('\n');
    expect(lines).to.contain("Referred by Zoë O'Brien (self-referral) on 1 Dec 2026").and.contain('Need: Loneliness');
    expect(lines).to.contain('Fernbridge Community Connect will contact the person');
  });

  it('the Provenance: the person as author, SP Link as assembler, of both', () => {
    expect(() => validateForWrite(prov)).to.not.throw();
    expect(prov.target.map((t) => t.reference)).to.deep.equal([srEntry!.fullUrl, commEntry!.fullUrl]);
    expect(prov.agent[0]?.who?.reference).to.equal('Patient/pat-01');
  });

  it('an agency’s contained organisation becomes its ODS code and name, never a reference into the Task', () => {
    const agency: Task = {
      ...TASK,
      extension: [{ url: REFERRAL_SOURCE_EXTENSION, valueCode: 'agency' }],
      contained: [...TASK.contained!, { resourceType: 'Organization', id: 'agency', name: 'Fernbridge Housing', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'AB1' }] }],
      requester: { reference: '#agency' },
    };
    const s = planGpRecord(agency, CTX, uuid).serviceRequest;
    expect(s.requester).to.deep.equal({ type: 'Organization', identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'AB1' }, display: 'Fernbridge Housing' });
    expect(s.extension?.find((e) => e.url === REFERRAL_SOURCE_EXTENSION)?.valueCode).to.equal('agency');
    expect(() => validateForWrite(s)).to.not.throw();
  });

  it('the outbox row carries the EHR transaction and the Task it points, by referral reference', () => {
    const row = gpRecordRow(TASK, { tenantId: 'demo-practice', endpointId: 'demo-link-workers', referralId: 'SPL-ABCD-EFGH', patientId: 'pat-01', nhsNumber: '9990010013', practice: CTX.practice, now: NOW });
    expect(row).to.include({ tenantId: 'demo-practice', endpointId: 'demo-link-workers', referralIdentifier: 'SPL-ABCD-EFGH', task: TASK });
    expect(row.ehrBundle.type).to.equal('transaction');
    expect(row.ehrBundle.entry?.map((e) => e.resource?.resourceType)).to.deep.equal(['ServiceRequest', 'Communication', 'Provenance']);
  });
});
