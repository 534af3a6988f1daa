import { expect } from 'chai';
import type { Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM, PROFILE } from '../../../../src/referral-model/codes.js';
import { buildChangeBundle } from '../../../../src/workspace/domain/change-bundle.js';
import { correctOutcome, markOutcomeInError } from '../../../../src/workspace/domain/outcome-fixes.js';
import { parseAction } from '../../../../src/workspace/domain/schemas.js';
import { amira, ctx, LW_BASE, NOW, referralTask, TODAY } from '../fixtures.js';

const recorded: Observation = {
  resourceType: 'Observation', id: 'obs-1', meta: { versionId: '3', profile: [PROFILE.outcomeObservation], lastUpdated: '2026-11-20T09:00:00Z' },
  status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs', display: 'SWEMWBS' }] },
  effectiveDateTime: '2026-11-20', valueInteger: 18,
};
const task = referralTask({ status: 'completed', meta: { versionId: '7' }, output: [{ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'outcome-measure' }] }, valueReference: { reference: 'Observation/obs-1' } }] });

describe('workspace: outcome corrections (pure)', () => {
  it('parses a correction: reason required, scores checked against the instrument', () => {
    const bad = parseAction('correct-outcome', { observation: 'obs-1', observationVersion: '3', instrument: 'swemwbs', reason: '', 'score-total': '40' }, TODAY);
    expect(bad).to.deep.equal({ ok: false, errors: { reason: 'Enter why the score is being corrected', 'score-total': 'The score must be from 7 to 35' } });
    const ok = parseAction('correct-outcome', { observation: 'obs-1', observationVersion: '3', instrument: 'swemwbs', reason: 'typo', 'score-total': '24' }, TODAY);
    expect(ok.ok && ok.value.values).to.deep.equal({ total: 24 });
    expect(parseAction('outcome-error', { observation: '../x', observationVersion: '3', reason: 'x' }, TODAY).ok).to.equal(false);
  });

  it('corrects a score on a completed case: corrected status, reason noted, Task touched, If-Match on both', () => {
    const r = correctOutcome(task, { observation: 'obs-1', observationVersion: '3', instrument: 'swemwbs', reason: 'typo', scores: {}, values: { total: 24 } }, ctx({ observation: recorded }));
    if (!r.ok) throw new Error(r.message);
    const [u] = r.change.updates!;
    expect(u!.ifMatch).to.equal('3');
    expect(u!.resource).to.deep.include({ id: 'obs-1', status: 'corrected', valueInteger: 24, meta: { profile: [PROFILE.outcomeObservation] } });
    expect(u!.resource.note?.[0]).to.deep.include({ text: 'Corrected (was 18): typo', authorReference: { reference: amira.practitioner, display: amira.name } });
    expect(r.change.task.status).to.equal('completed');
    expect(r.change.task.lastModified).to.equal(NOW.toISOString());
    const bundle = buildChangeBundle(r.change, { ifMatchVersion: '7', actor: amira, linkWorkerBase: LW_BASE, now: NOW });
    expect(bundle.entry?.map((e) => `${e.request?.method} ${e.request?.url} ${e.request?.ifMatch ?? ''}`.trim())).to.deep.equal([
      'PUT Observation/obs-1 W/"3"', 'PUT Task/task-1 W/"7"', 'POST Provenance',
    ]);
    expect((bundle.entry?.[2]?.resource as { target: { reference: string }[] }).target.map((t) => t.reference)).to.deep.equal(['Task/task-1', 'Observation/obs-1']);
  });

  it('marks a measure recorded in error, and refuses to change it again or a measure of another case', () => {
    const r = markOutcomeInError(task, { observation: 'obs-1', observationVersion: '3', reason: 'wrong person' }, ctx({ observation: recorded }));
    if (!r.ok) throw new Error(r.message);
    expect(r.change.updates![0]!.resource).to.deep.include({ status: 'entered-in-error', valueInteger: 18 });
    const gone = { ...recorded, status: 'entered-in-error' as const };
    expect(markOutcomeInError(task, { observation: 'obs-1', observationVersion: '3', reason: 'x' }, ctx({ observation: gone })).ok).to.equal(false);
    expect(correctOutcome(task, { observation: 'obs-2', observationVersion: '3', instrument: 'swemwbs', reason: 'x', scores: {}, values: { total: 20 } }, ctx({ observation: recorded })).ok).to.equal(false);
    expect(markOutcomeInError({ ...task, status: 'entered-in-error' }, { observation: 'obs-1', observationVersion: '3', reason: 'x' }, ctx({ observation: recorded })).ok).to.equal(false);
  });
});
