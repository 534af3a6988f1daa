import { expect } from 'chai';
import type { Extension, Patient } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM, PROFILE, SNOMED } from '../../../src/referral-model/codes.js';
import { buildServiceRequest } from '../../../src/referrals/build-service-request.js';
import { buildReferralTask, CONTAINED } from '../../../src/referrals/build-task.js';
import { planEhrThenOutbox, planSingleTransaction } from '../../../src/referrals/build-bundles.js';
import { parseReferralInput, type ReferralInput } from '../../../src/referrals/referral-input.js';
import type { ReferralContext } from '../../../src/referrals/types.js';
import { preloadValidation, validateForWrite } from '../../../src/fhir/validate/index.js';

const patient: Patient = {
  resourceType: 'Patient',
  id: 'pat-1',
  identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: '9990000018' }],
  name: [{ given: ['Ada'], family: 'Example' }],
  birthDate: '1950-01-01',
  telecom: [{ system: 'phone', value: '07700 900000' }],
  generalPractitioner: [{ reference: 'Practitioner/gp-1' }],
};

export function validInput(over: Record<string, unknown> = {}): ReferralInput {
  const r = parseReferralInput({
    patientId: 'pat-1',
    needs: ['loneliness', 'debt-money'],
    whatMatters: 'Getting out of the house again',
    urgency: 'routine',
    consent: { given: true, date: '2026-11-01' },
    contact: { methods: ['phone', 'sms'], safeTimes: 'Weekday mornings', leaveMessage: true },
    accessibility: { needs: ['interpreter'], language: 'pl' },
    safeguarding: { concern: false },
    service: { kind: 'link-worker-decides' },
    ...over,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.fields));
  return r.value;
}

const ctx: ReferralContext = {
  referralId: 'SPL-ABCD-1234',
  identifierSystem: IDENTIFIER_SYSTEM.referral,
  now: new Date('2026-11-24T10:00:00Z'),
  ehrBase: 'http://ehr.example/fhir',
  patient: { id: 'pat-1', nhsNumber: '9990000018', resource: patient },
  requester: { reference: 'Practitioner/gp-1', display: 'Dr Jo Bloggs' },
  service: {
    kind: 'link-worker-decides',
    serviceType: 'link-worker',
    performer: { reference: 'http://lw.example/fhir/Organization/lw-org', display: 'Community Links' },
    owner: { reference: 'Organization/lw-org', display: 'Community Links' },
  },
};

const ext = (exts: Extension[] | undefined, url: string) => exts?.filter((e) => e.url === url) ?? [];

describe('referral builders', () => {
  before(() => preloadValidation());

  it('every resource in both write plans conforms to its SP Link profile', () => {
    const full = validInput({
      needs: ['loneliness', 'other'],
      otherNeed: 'Lost confidence after a fall',
      accessibility: { needs: ['interpreter', 'other', 'step-free-access'], language: 'pl', detail: 'Uses a walking frame' },
      safeguarding: { concern: true, detail: 'Financial abuse suspected' },
      consent: { given: true, date: '2026-11-01', recordedBy: 'Nurse A Patel' },
    });
    const a = planEhrThenOutbox(full, ctx);
    const b = planSingleTransaction(full, ctx);
    const all = [...(a.ehrBundle.entry ?? []).map((e) => e.resource!), a.taskFor('http://ehr.example/fhir/ServiceRequest/1'), ...(b.bundle.entry ?? []).map((e) => e.resource!)];
    for (const r of all) expect(() => validateForWrite(r), r.resourceType).not.to.throw();
  });

  it('builds a ServiceRequest with the profile, coded needs, consent, contact and identifier', () => {
    const sr = buildServiceRequest(validInput(), ctx);
    expect(sr.meta?.profile).to.deep.equal([PROFILE.referral]);
    expect(sr.status).to.equal('active');
    expect(sr.intent).to.equal('order');
    expect(sr.category?.[0]?.coding?.[0]?.code).to.equal(SNOMED.referralToSocialPrescribing.code);
    expect(sr.identifier).to.deep.equal([{ system: IDENTIFIER_SYSTEM.referral, value: 'SPL-ABCD-1234' }]);
    expect(sr.subject).to.deep.equal({ reference: 'Patient/pat-1', identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: '9990000018' } });
    expect(sr.reasonCode?.map((r) => r.coding?.[0]?.code)).to.deep.equal(['loneliness', 'debt-money']);
    expect(sr.reasonCode?.[0]?.coding?.[0]?.system).to.equal(CODE_SYSTEM.need);
    expect(sr.code?.coding?.[0]?.code).to.equal('link-worker');
    expect(sr.priority).to.equal('routine');
    const consent = ext(sr.extension, EXTENSION.consentGiven)[0];
    expect(consent?.extension?.find((e) => e.url === 'date')?.valueDateTime).to.equal('2026-11-01');
    expect(consent?.extension?.find((e) => e.url === 'recorder')?.valueReference?.reference).to.equal('Practitioner/gp-1');
    const contact = ext(sr.extension, EXTENSION.contactPreference)[0];
    expect(contact?.extension?.filter((e) => e.url === 'method').map((e) => e.valueCode)).to.deep.equal(['phone', 'sms']);
    const access = ext(sr.extension, EXTENSION.accessibilityNeed)[0];
    expect(access?.extension?.find((e) => e.url === 'language')?.valueCodeableConcept?.coding?.[0]?.code).to.equal('pl');
    expect(sr.note?.[0]?.text).to.contain('Getting out of the house');
  });

  it('raises the priority to urgent when a safeguarding concern is flagged', () => {
    const sr = buildServiceRequest(validInput({ safeguarding: { concern: true, detail: 'Lives with a controlling partner' } }), ctx);
    expect(sr.priority).to.equal('asap');
    const sg = ext(sr.extension, EXTENSION.safeguardingConcern)[0];
    expect(sg?.extension?.find((e) => e.url === 'flag')?.valueBoolean).to.equal(true);
    expect(sg?.extension?.find((e) => e.url === 'detail')?.valueString).to.contain('controlling');
  });

  it('names the directory service as performer and its type as code', () => {
    const sr = buildServiceRequest(validInput(), {
      ...ctx,
      service: { kind: 'directory', performer: { reference: 'http://lw.example/fhir/HealthcareService/hs-1', display: 'Befriending' }, serviceType: 'befriending', owner: ctx.service.owner },
    });
    expect(sr.performer?.[0]?.reference).to.equal('http://lw.example/fhir/HealthcareService/hs-1');
    expect(sr.code?.coding?.[0]?.code).to.equal('befriending');
  });

  it('builds a Task focused on the ServiceRequest, for the NHS number, carrying referral and demographics', () => {
    const task = buildReferralTask(validInput(), ctx, 'http://ehr.example/fhir/ServiceRequest/sr-1');
    expect(task.meta?.profile).to.deep.equal([PROFILE.referralTask]);
    expect(task.status).to.equal('requested');
    expect(task.intent).to.equal('order');
    expect(task.code?.coding?.[0]?.code).to.equal('fulfill');
    expect(task.focus?.reference).to.equal('http://ehr.example/fhir/ServiceRequest/sr-1');
    expect(task.for).to.deep.equal({ identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: '9990000018' } });
    expect(task.requester?.reference).to.equal('http://ehr.example/fhir/Practitioner/gp-1');
    expect(task.owner?.reference).to.equal('Organization/lw-org');
    const [p, sr] = task.contained ?? [];
    expect(p).to.include({ resourceType: 'Patient', id: CONTAINED.patient });
    expect((p as Patient).generalPractitioner, 'clinical links stay in the record').to.equal(undefined);
    expect(sr).to.include({ resourceType: 'ServiceRequest', id: CONTAINED.referral });
    expect(task.input?.[0]?.valueReference?.reference).to.equal(`#${CONTAINED.referral}`);
  });

  it('refuses a Task without an NHS number', () => {
    expect(() => buildReferralTask(validInput(), { ...ctx, patient: { id: 'x' } }, 'urn:uuid:1')).to.throw(/NHS number/);
  });

  it('plans a conditional EHR transaction (ServiceRequest + Provenance) and a Task for the outbox', () => {
    let n = 0;
    const plan = planEhrThenOutbox(validInput(), ctx, () => `u${++n}`);
    const [srEntry, provEntry] = plan.ehrBundle.entry ?? [];
    expect(plan.ehrBundle.type).to.equal('transaction');
    expect(srEntry?.request?.ifNoneExist).to.equal(`identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referral}|SPL-ABCD-1234`)}`);
    expect(provEntry?.resource).to.deep.include({ resourceType: 'Provenance' });
    expect((provEntry?.resource as { target: { reference: string }[] }).target[0]?.reference).to.equal(srEntry?.fullUrl);
    expect(plan.taskFor('http://ehr/ServiceRequest/9').focus?.reference).to.equal('http://ehr/ServiceRequest/9');
  });

  it('plans one transaction with ServiceRequest, Task and Provenance when both live on one server', () => {
    const plan = planSingleTransaction(validInput(), ctx);
    const types = plan.bundle.entry?.map((e) => e.resource?.resourceType);
    expect(types).to.deep.equal(['ServiceRequest', 'Task', 'Provenance']);
    expect(plan.task.focus?.reference).to.equal(plan.bundle.entry?.[0]?.fullUrl);
    expect(plan.bundle.entry?.[1]?.request?.ifNoneExist).to.match(/^identifier=/);
  });
});
