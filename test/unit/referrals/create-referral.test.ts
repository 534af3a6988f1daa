import { expect } from 'chai';
import { SpLinkError } from '../../../src/errors.js';
import { createReferral, type ReferralDeps } from '../../../src/referrals/create-referral.js';
import { parseReferralInput } from '../../../src/referrals/referral-input.js';
import { rejection } from '../../helpers/rejection.js';

describe('referrals/create-referral', () => {
  it('a resent form whose referral id the EHR holds for another patient is 403 ERR_PATIENT_MISMATCH, like every other patient mismatch', async () => {
    // A server that ignores the subject filter answers with another patient's ServiceRequest.
    const ehr = {
      search: async () => ({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'ServiceRequest', id: 'sr-9', subject: { reference: 'Patient/pat-99' } } }] }),
    };
    const deps = { ehr, tenant: { id: 'riverside' } } as unknown as ReferralDeps;
    const input = parseReferralInput({
      patientId: 'pat-05',
      submissionId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
      needs: ['loneliness'],
      whatMatters: 'Getting back to the allotment',
      urgency: 'routine',
      consent: { given: true, date: '2026-01-05' },
      contact: { methods: ['phone'], leaveMessage: true },
      accessibility: { needs: [] },
      safeguarding: { concern: false },
      service: { kind: 'link-worker-decides' },
    });
    if (!input.ok) throw new Error(JSON.stringify(input.fields));
    const err = await rejection(createReferral(deps, { patient: 'pat-05', iss: 'https://ehr.example/fhir', practitioner: 'Practitioner/gp-1' }, input.value));
    expect(err).to.be.instanceOf(SpLinkError);
    expect(err).to.include({ code: 'ERR_PATIENT_MISMATCH', httpStatus: 403 });
  });
});
