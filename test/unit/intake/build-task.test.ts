import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { buildCommunityTask } from '../../../src/intake/build-task.js';
import { referralTaskBase } from '../../../src/referrals/build-task.js';
import type { SelfReferral } from '../../../src/intake/self-referral-input.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import { hasNoGpRecord, referralSourceOf } from '../../../src/referral-model/referral-source.js';
import { readReferral } from '../../../src/workspace/domain/referral-details.js';

const R: SelfReferral = {
  person: { given: 'Zoë', family: "O'Brien", birthDate: '1980-03-07', postcode: 'FB1 2AB', nhsNumber: '9990050023' },
  contact: { phone: '07700 900982', methods: ['phone'], safeTimes: 'Mornings', leaveMessage: true },
  needs: ['loneliness'],
  whatMatters: 'Walks',
  consent: { service: true, gp: true },
  accessibility: { needs: ['interpreter'], language: 'Polish' },
};
const CTX = {
  referralId: 'SPL-ABCD-EFGH',
  identifierSystem: 'https://fhir.sp-link.example.org/Id/referral',
  now: new Date('2026-12-01T10:00:00Z'),
  owner: { reference: 'Organization/lw-org', display: 'Fernbridge Community Connect' },
};

describe('intake: the link-worker Task of a self-referral', () => {
  it('matched: for the patient by the record’s NHS number; conforms to SPLinkReferralTask', () => {
    const t = buildCommunityTask(R, { ...CTX, matched: { patientId: 'pat-01', nhsNumber: '9990010013' } });
    expect(() => validateForWrite(t)).to.not.throw();
    expect(t.for).to.deep.equal({ identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990010013' }, display: "Zoë O'Brien" });
    expect(referralSourceOf(t)).to.equal('self');
    expect(hasNoGpRecord(t)).to.equal(true);
    expect(t.requester?.reference).to.equal('#patient');
    // What the person typed is not used once the record's number is known.
    expect(JSON.stringify(t)).to.not.contain('9990050023');
  });

  it('not matched: for the person it describes, the typed NHS number kept as unconfirmed text only', () => {
    const t = buildCommunityTask(R, CTX);
    expect(() => validateForWrite(t)).to.not.throw();
    expect(t.for).to.deep.equal({ reference: '#patient', display: "Zoë O'Brien" });
    const p = t.contained?.find((r) => r.resourceType === 'Patient');
    expect(p && 'identifier' in p ? p.identifier : undefined).to.equal(undefined);
    expect(JSON.stringify(t.contained)).to.contain('NHS number given (not confirmed by a GP record): 9990050023');
  });

  it('the link worker reads it like a GP referral: person, contact, needs, consent with its scope, interpreter', () => {
    const d = readReferral(buildCommunityTask(R, CTX));
    expect(d.patient).to.deep.include({ name: "Zoë O'Brien", birthDate: '1980-03-07', phones: ['07700 900982'], language: 'Polish' });
    expect(d.needs).to.deep.equal(['Loneliness']);
    expect(d.requester).to.equal("Zoë O'Brien (self-referral)");
    expect(d.consent?.date).to.equal('2026-12-01');
    expect(d.contact).to.deep.include({ safeTimes: 'Mornings', leaveMessage: true });
  });

  it('is built by the same Task builder as a GP referral: only the source, the person and the requester differ', () => {
    const self = buildCommunityTask(R, { ...CTX, matched: { patientId: 'pat-01', nhsNumber: '9990010013' }, focus: 'http://ehr.example/fhir/ServiceRequest/sr-1' });
    const gp = referralTaskBase({
      referralId: CTX.referralId,
      identifierSystem: CTX.identifierSystem,
      now: CTX.now,
      patient: { resourceType: 'Patient' },
      referral: { resourceType: 'ServiceRequest', meta: { profile: ['x'] }, status: 'active', intent: 'order', subject: {}, priority: 'routine' },
      focus: 'http://ehr.example/fhir/ServiceRequest/sr-1',
      for: { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990010013' } },
      requester: { reference: 'http://ehr.example/fhir/Practitioner/gp-1' },
      owner: CTX.owner,
    });
    const shared = (t: Task) => ({ ...t, extension: undefined, contained: t.contained?.map((c) => `${c.resourceType}/${c.id}`), for: t.for?.identifier, requester: undefined });
    expect(shared(self)).to.deep.equal(shared(gp));
    expect(gp.extension, 'a GP referral carries no source extension').to.equal(undefined);
    expect(gp.contained?.[1]?.meta, 'the contained copy claims no profile of its own').to.equal(undefined);
  });

  it('a Task without the source extension came from a GP', () => {
    expect(referralSourceOf({})).to.equal('gp');
    expect(hasNoGpRecord({ focus: { reference: '#referral' } })).to.equal(false);
  });
});
