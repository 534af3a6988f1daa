import { expect } from 'chai';
import type { Patient, PractitionerRole, ServiceRequest } from '@medplum/fhirtypes';
import { buildCommunityTask } from '../../../src/intake/build-task.js';
import { readAgencyReferral } from '../../../src/referral-api/service-request-input.js';
import { spLinkDefinitions } from '../../../src/fhir/validate/definitions.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { referralSourceOf } from '../../../src/referral-model/referral-source.js';
import { readReferral } from '../../../src/workspace/domain/referral-details.js';

const ORG = { name: 'Fernbridge Housing Association', odsCode: 'FBH01' };
const TODAY = '2026-12-01';
const example = () => structuredClone(spLinkDefinitions().examples.find((e) => e.id === 'agency-referral-example')) as ServiceRequest;
const patientOf = (sr: ServiceRequest) => sr.contained!.find((r) => r.resourceType === 'Patient') as Patient;
const fields = (sr: unknown) => {
  const r = readAgencyReferral(sr, ORG, TODAY);
  return r.ok ? [] : r.issues.flatMap((i) => i.expression ?? []);
};

describe('intake: an agency system’s referral (SPLinkAgencyReferral) read for the intake', () => {
  it('the profile’s example reads as a verified agency referral: person, referrer, consent scope, needs, retry key', () => {
    const r = readAgencyReferral(example(), ORG, TODAY);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.clientKey).to.equal('https://housing.example.org/Id/referral|HSG-2026-0042');
    expect(r.referral.person).to.deep.equal({ given: 'Grace', family: 'Okafor', birthDate: '1958-11-02', postcode: 'FB2 7QX' });
    expect(r.referral.referrer).to.deep.equal({ name: 'Sam Patel', role: 'Housing support officer', organisation: ORG, email: 'sam.patel@housing.example.org' });
    expect(r.referral).to.deep.include({ verified: true, needs: ['loneliness', 'debt-money'], consent: { service: true, gp: true } });
    expect(r.referral.contact).to.deep.equal({ phone: '01632 960 214', methods: ['phone'], leaveMessage: true });
  });

  it('the organisation is the registered client’s, never what the body claims', () => {
    const sr = example();
    (sr.contained!.find((r) => r.resourceType === 'PractitionerRole') as PractitionerRole).organization = { display: 'NHS England' };
    const r = readAgencyReferral(sr, ORG, TODAY);
    expect(r.ok && r.referral.referrer.organisation).to.deep.equal(ORG);
  });

  it('names each field that is wrong: the person’s details, the NHS number check digit, the referrer, the consent scope', () => {
    const sr = example();
    const p = patientOf(sr);
    p.name = [{ given: ['Grace'] }];
    p.birthDate = '2099-01-01';
    p.identifier = [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000001' }];
    (sr.contained!.find((r) => r.resourceType === 'PractitionerRole') as PractitionerRole).telecom = [{ system: 'email', value: 'not-an-email' }];
    sr.extension![0]!.extension = sr.extension![0]!.extension!.filter((e) => e.url !== 'shareWithGp');
    expect(fields(sr)).to.include.members([
      'ServiceRequest.contained[0].name[0].family',
      'ServiceRequest.contained[0].birthDate',
      'ServiceRequest.contained[0].identifier[0].value',
      'ServiceRequest.contained[1].telecom[0].value',
      'ServiceRequest.contained[1].telecom',
      "ServiceRequest.extension('https://fhir.sp-link.example.org/StructureDefinition/consent-given').extension('shareWithGp')",
    ]);
  });

  it('the person must be contained: a subject pointing elsewhere is named', () => {
    const sr = example();
    sr.subject = { reference: 'Patient/123' };
    expect(fields(sr)).to.include('ServiceRequest.subject.reference').and.include('ServiceRequest.subject');
  });

  it('becomes a link-worker Task with the agency as requester (contained PractitionerRole and Organization) that conforms', () => {
    const r = readAgencyReferral(example(), ORG, TODAY);
    if (!r.ok) throw new Error('not read');
    const task = buildCommunityTask(r.referral, { referralId: 'SPL-ABCD-EFGH', identifierSystem: 'https://fhir.sp-link.example.org/Id/referral', now: new Date('2026-12-01T10:00:00Z'), owner: { reference: 'Organization/lw-org' } });
    expect(() => validateForWrite(task)).to.not.throw();
    expect(referralSourceOf(task)).to.equal('agency');
    expect(task.contained?.map((c) => `${c.resourceType}/${c.id}`)).to.deep.equal(['Patient/patient', 'ServiceRequest/referral', 'PractitionerRole/referrer', 'Organization/agency']);
    expect(readReferral(task).requester).to.equal('Sam Patel, Housing support officer, Fernbridge Housing Association (FBH01)');
    const unverified = buildCommunityTask({ ...r.referral, verified: false }, { referralId: 'SPL-ABCD-EFGH', identifierSystem: 'x', now: new Date(), owner: { reference: 'Organization/lw-org' } });
    expect(unverified.requester?.display).to.match(/\(agency not verified\)$/);
  });
});
