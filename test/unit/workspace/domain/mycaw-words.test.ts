import { expect } from 'chai';
import type { Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../../src/referral-model/codes.js';
import { itemTexts } from '../../../../src/referral-model/outcome-observation.js';
import { outcomeSeries } from '../../../../src/referral-model/outcome-series.js';
import { validateForWrite } from '../../../../src/fhir/validate/index.js';
import { mapOutcome } from '../../../../src/reconcile/rules/outcome-observation.js';
import { parseTask } from '../../../../src/reconcile/rules/parse-task.js';
import { buildOutcomeObservation, scoreText } from '../../../../src/workspace/domain/outcome-observation.js';
import { correctOutcome } from '../../../../src/workspace/domain/outcome-fixes.js';
import { parseAction } from '../../../../src/workspace/domain/schemas.js';
import { makeTask, topology } from '../../../helpers/task-fixtures.js';
import { amira, ctx, PATIENT_REF, referralTask, TODAY } from '../fixtures.js';

/** MYCaW: each concern is scored against what the person named; the words travel with the score everywhere. */
describe('MYCaW concerns keep the person’s words with their scores', () => {
  const form = {
    instrument: 'mycaw', date: TODAY,
    'text-mycaw-concern-1': 'Lonely at weekends', 'score-mycaw-concern-1': '5',
    'text-mycaw-concern-2': 'Worried about money', 'score-mycaw-concern-2': '4',
    'score-mycaw-wellbeing': '2',
  };
  const parsed = parseAction('outcome', form, TODAY);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const recorded: Observation = { ...buildOutcomeObservation(referralTask(), parsed.value, { actor: amira, patientReference: PATIENT_REF }), id: 'obs-m', meta: { versionId: '1' } };

  it('records each concern as its component’s code.text, next to its score, valid against the outcome profile', function () {
    this.timeout(120_000); // the first validation loads the FHIR definitions
    const c1 = recorded.component?.find((c) => c.code.coding?.[0]?.code === 'mycaw-concern-1');
    expect(c1).to.deep.include({ valueInteger: 5 });
    expect(c1?.code.text).to.equal('Lonely at weekends');
    expect(recorded.component?.find((c) => c.code.coding?.[0]?.code === 'mycaw-wellbeing')?.code.text).to.equal('MYCaW: general feeling of wellbeing');
    expect(itemTexts(recorded)).to.deep.equal({ 'mycaw-concern-1': 'Lonely at weekends', 'mycaw-concern-2': 'Worried about money' });
    expect(scoreText(recorded)).to.contain('MYCaW: concern 1 severity (“Lonely at weekends”): 5');
    const { meta: _m, id: _i, ...body } = recorded;
    expect(() => validateForWrite(body as Observation)).to.not.throw();
  });

  it('keeps the words through a correction, and into the GP record copy and its chart', () => {
    const fixed = correctOutcome(referralTask({ status: 'in-progress' }), { observation: 'obs-m', observationVersion: '1', instrument: 'mycaw', reason: 'typo', scores: {}, values: { 'mycaw-concern-1': 3, 'mycaw-concern-2': 4, 'mycaw-wellbeing': 2 } }, ctx({ observation: recorded }));
    if (!fixed.ok) throw new Error(fixed.message);
    expect(itemTexts(fixed.change.updates![0]!.resource as Observation)['mycaw-concern-1']).to.equal('Lonely at weekends');

    const parsedTask = parseTask(makeTask({ version: 2, status: 'in-progress', observations: ['obs-m'] }), topology);
    if (!parsedTask.ok) throw new Error('task did not parse');
    const copy = mapOutcome(recorded, { kind: 'link-worker', resourceType: 'Observation', id: 'obs-m' }, { topology, task: parsedTask.task, patientId: 'pat-1', serviceRequestId: 'sr1' });
    if (!copy.ok) throw new Error(copy.bad.reason);
    expect(itemTexts(copy.resource)).to.deep.equal({ 'mycaw-concern-1': 'Lonely at weekends', 'mycaw-concern-2': 'Worried about money' });
    const series = outcomeSeries([copy.resource]);
    expect(series.map((s) => s.label)).to.include('MYCaW: concern 1 severity: “Lonely at weekends”');
  });

  it('ignores words on items that are not worded, and caps what it keeps', () => {
    const o: Observation = {
      ...recorded,
      component: [
        { code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'mycaw-wellbeing' }], text: 'not a concern' }, valueInteger: 2 },
        { code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'mycaw-concern-1' }], text: 'x'.repeat(500) }, valueInteger: 2 },
      ],
    };
    expect(Object.keys(itemTexts(o))).to.deep.equal(['mycaw-concern-1']);
    expect(itemTexts(o)['mycaw-concern-1']).to.have.length(200);
  });
});
