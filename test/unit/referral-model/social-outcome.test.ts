import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, SOCIAL_OUTCOMES } from '../../../src/referral-model/codes.js';
import { socialOutcomeCodeIn, socialOutcomeConcept, socialOutcomeObservation, socialOutcomesOf } from '../../../src/referral-model/social-outcome.js';
import { checkResource, validateForWrite } from '../../../src/fhir/validate/index.js';

const output = (code: string, concept: NonNullable<Task['output']>[number]['valueCodeableConcept']) => ({ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code }] }, valueCodeableConcept: concept });

describe('social outcomes at closing (src/referral-model/social-outcome.ts)', () => {
  it('reads the coded social outcomes of a Task once each, in code-list order, ignoring other outputs and codes', () => {
    const task: Pick<Task, 'output'> = {
      output: [
        output('social-outcome', socialOutcomeConcept('group-attending')),
        output('social-outcome', socialOutcomeConcept('housing-secured')),
        output('social-outcome', socialOutcomeConcept('group-attending')),
        output('social-outcome', { coding: [{ system: 'http://example.org/other', code: 'housing-secured' }] }),
        output('social-outcome', { text: 'Found a flat' }),
        output('needs-identified', { coding: [{ system: CODE_SYSTEM.socialOutcome, code: 'debt-advice' }] }),
      ],
    };
    expect(socialOutcomesOf(task)).to.deep.equal(['housing-secured', 'group-attending']);
    expect(socialOutcomesOf({})).to.deep.equal([]);
    expect(socialOutcomeCodeIn({ coding: [{ system: CODE_SYSTEM.socialOutcome, code: 'not-a-code' }] })).to.equal(undefined);
  });

  it('builds an SPLinkSocialOutcomeObservation that validates, for every code', () => {
    for (const { code, display } of SOCIAL_OUTCOMES) {
      const o = socialOutcomeObservation({
        code, identifier: `lw1:Task:t1:social-outcome:${code}`, subject: { reference: 'Patient/p1' }, basedOn: { reference: 'ServiceRequest/sr1' },
        performer: { display: 'Fernbridge Community Connect' }, effectiveDateTime: '2026-05-15T15:00:00Z', source: 'http://lw.test/fhir/Task/t1/_history/4',
      });
      expect(() => validateForWrite(o), code).not.to.throw();
      expect(o).to.deep.include({ status: 'final', valueBoolean: true, code: { coding: [{ system: CODE_SYSTEM.socialOutcome, code, display }], text: display } });
    }
  });

  it('the profile refuses a code outside the social-outcome ValueSet and an outcome with no value', () => {
    const good = socialOutcomeObservation({
      code: 'debt-advice', identifier: 'x', subject: { reference: 'Patient/p1' }, basedOn: { reference: 'ServiceRequest/sr1' },
      performer: { display: 'Service' }, effectiveDateTime: '2026-05-15',
    });
    const wrongCode = { ...good, code: { coding: [{ system: CODE_SYSTEM.socialOutcome, code: 'won-the-lottery' }] } };
    expect(checkResource(wrongCode).issue?.some((i) => i.severity === 'error')).to.equal(true);
    const { valueBoolean: _, ...noValue } = good;
    expect(checkResource(noValue).issue?.some((i) => i.severity === 'error')).to.equal(true);
  });
});
