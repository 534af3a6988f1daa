import { expect } from 'chai';
import type { Observation, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../src/referral-model/codes.js';
import { HEADING } from '../../../src/referral-model/case-notes.js';
import { findInstrument } from '../../../src/referral-model/codes.js';
import { outcomeObservation } from '../../../src/referral-model/outcome-observation.js';
import { referralFact, referralKey, type FactContext } from '../../../src/reports/referral-fact.js';

const ctx: FactContext = {
  endpointId: 'lw', serviceKey: 'lw', serviceName: 'Fernbridge Community Connect', tenantId: 'demo-practice', practiceName: 'Riverside Medical Practice',
  practiceOds: 'Y99901', pcn: 'Fernbridge Central PCN', imdDecileOf: (pc) => (pc === 'FB12AB' ? 3 : undefined),
};
const sr: ServiceRequest = {
  resourceType: 'ServiceRequest', id: 'sr1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' },
  requester: { reference: 'PractitionerRole/gp-1-role' }, authoredOn: '2026-03-02T09:00:00Z', priority: 'urgent',
  reasonCode: [{ coding: [{ system: CODE_SYSTEM.need, code: 'loneliness' }] }, { coding: [{ system: CODE_SYSTEM.need, code: 'debt-money' }] }],
};
const patient: Patient = {
  resourceType: 'Patient', id: 'p1', gender: 'male', birthDate: '1958-07-02', name: [{ family: 'Morgan', given: ['David'] }],
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990001234' }], address: [{ postalCode: 'FB1 2AB' }],
};
const author = { reference: 'PractitionerRole/lw-1-role', display: 'Asha Patel' };
const note = (heading: string, time: string) => ({ authorReference: author, time, text: heading });
const swemwbs = (id: string, total: number, at: string): Observation => ({
  ...outcomeObservation({
    status: 'final', identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${id}` }, subject: { reference: 'Patient/p1' },
    basedOn: { reference: 'ServiceRequest/sr1' }, performer: { reference: author.reference }, effectiveDateTime: at,
    instrument: findInstrument('swemwbs')!, scores: { total },
  }),
  id,
});
const out = (code: string, v: Partial<NonNullable<Task['output']>[number]>) => ({ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code }] }, ...v }) as NonNullable<Task['output']>[number];

const completed: Task & { id: string } = {
  resourceType: 'Task', id: 't1', status: 'completed', intent: 'order', lastModified: '2026-06-01T10:00:00Z',
  note: [
    note(HEADING.contactFailed('Telephone call'), '2026-03-03'),
    note(HEADING.contactMade('Telephone call'), '2026-03-05'),
    note(HEADING.session('Face to face', 45), '2026-03-12'),
    note(HEADING.session('Telephone', 30), '2026-04-02'),
  ],
  output: [
    out('sessions-held', { valueInteger: 5 }), out('activity-referred', { valueString: 'Good Neighbours befriending' }),
    out('activity-referred', { valueReference: { reference: 'HealthcareService/svc-debt-advice', display: 'Money and debt advice' } }),
    out('social-outcome', { valueCodeableConcept: { coding: [{ system: CODE_SYSTEM.socialOutcome, code: 'debt-advice' }] } }),
  ],
};

describe('reports/referral-fact: one referral as the reports see it', () => {
  it('reads source, urgency, needs, the first contact and session, sessions, services, equality and outcome pairs', () => {
    const f = referralFact(completed, sr, patient, [swemwbs('o1', 18, '2026-03-12'), swemwbs('o2', 23, '2026-05-28')], ctx);
    expect(f).to.deep.include({
      key: referralKey('lw', 't1'), practice: 'Y99901', practiceName: 'Riverside Medical Practice', pcn: 'Fernbridge Central PCN',
      service: 'lw', serviceName: 'Fernbridge Community Connect', source: 'gp-practice', urgency: 'soon', needs: ['loneliness', 'debt-money'],
      referredAt: '2026-03-02T09:00:00Z', status: 'completed', reach: 'completed', sessions: 5,
      firstContactAt: '2026-03-05', firstSessionAt: '2026-03-12', acceptedAt: '2026-06-01T10:00:00Z', closedAt: '2026-06-01T10:00:00Z',
      servicesConnected: ['Good Neighbours befriending', 'Money and debt advice'], socialOutcomes: ['debt-advice'],
    });
    expect(f.equality).to.deep.equal({ sex: 'male', ageBand: '65-74', imdDecile: 3 });
    expect(f.outcomes).to.deep.equal([{ measure: 'swemwbs', before: 18, beforeAt: '2026-03-12', after: 23, afterAt: '2026-05-28' }]);
  });

  it('a follow-up measure months after completion is the latest score; the referral still closed when support ended', () => {
    const later = { ...completed, executionPeriod: { end: '2026-06-01T10:00:00Z' }, lastModified: '2026-09-03T11:00:00Z' };
    const f = referralFact(later, sr, patient, [swemwbs('o1', 18, '2026-03-12'), swemwbs('o2', 23, '2026-05-28'), swemwbs('o3', 25, '2026-09-03')], ctx);
    expect(f.closedAt).to.equal('2026-06-01T10:00:00Z');
    expect(f.outcomes).to.deep.equal([{ measure: 'swemwbs', before: 18, beforeAt: '2026-03-12', after: 25, afterAt: '2026-09-03' }]);
  });

  it('keeps a measure taken only once (or twice on one day) as a start without a pair', () => {
    const f = referralFact(completed, sr, patient, [swemwbs('o1', 18, '2026-03-12T09:00:00Z'), swemwbs('o2', 20, '2026-03-12T10:00:00Z')], ctx);
    expect(f.outcomes).to.deep.equal([{ measure: 'swemwbs', before: 18, beforeAt: '2026-03-12T09:00:00Z' }]);
  });

  it('tells declined, could not contact and withdrawn apart, with the reason, and a self-referral by its requester', () => {
    const reason = (code: string) => ({ coding: [{ system: CODE_SYSTEM.statusReason, code }] });
    const self = { ...sr, requester: { reference: 'Patient/p1' } };
    const declined = referralFact({ ...completed, note: [], output: [], status: 'rejected', statusReason: reason('service-at-capacity') }, self, patient, [], ctx);
    expect(declined).to.deep.include({ reach: 'declined', endReason: 'service-at-capacity', source: 'self-referral', sessions: 0 });
    expect(declined.acceptedAt).to.equal(undefined);
    expect(referralFact({ ...completed, status: 'failed', statusReason: reason('could-not-contact') }, sr, patient, [], ctx).reach).to.equal('could-not-contact');
    expect(referralFact({ ...completed, status: 'cancelled', statusReason: reason('patient-withdrew') }, sr, patient, [], ctx).reach).to.equal('did-not-engage');
    const waiting = referralFact({ ...completed, status: 'requested', note: [] }, sr, undefined, [], ctx);
    expect(waiting).to.deep.include({ reach: 'waiting' });
    expect(waiting.acceptedAt).to.equal(undefined);
    expect(waiting.closedAt).to.equal(undefined);
  });

  it('carries no identifier: no name, NHS number, postcode, birth date or FHIR id', () => {
    const json = JSON.stringify(referralFact(completed, sr, patient, [swemwbs('o1', 18, '2026-03-12')], ctx));
    for (const s of ['Morgan', 'David', '9990001234', 'FB1 2AB', 'FB12AB', '1958-07-02', '"t1"', 'sr1', 'Patient/p1', 'Asha']) expect(json).to.not.include(s);
  });
});
