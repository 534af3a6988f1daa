import type { Observation, Task } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { planUnit, type UnitInputs } from '../../../../src/reconcile/engine/unit.js';
import { parseTask, refKey, type ParsedTask } from '../../../../src/reconcile/rules/index.js';
import { IDENTIFIER_SYSTEM } from '../../../../src/referral-model/codes.js';
import { makeTask, patient, serviceRequest, swemwbs, topology } from '../../../helpers/task-fixtures.js';

function parsed(task: Task): ParsedTask {
  const p = parseTask(task, topology);
  if (!p.ok) throw new Error(p.bad.reason);
  return p.task;
}

function inputs(over: Partial<UnitInputs> = {}, observations: Observation[] = []): UnitInputs {
  const obs = new Map<string, Observation>();
  for (const o of observations) obs.set(refKey({ kind: 'link-worker', resourceType: 'Observation', id: o.id! }), o);
  return { topology, serviceRequest: serviceRequest('active'), patient, observations: () => obs, track: undefined, ...over };
}

const otherPatient = { for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: '9000000009' } } };

describe('reconcile engine: planUnit (the versions of one Task in one batch)', () => {
  it('plans versions in order whatever order they arrive in, and writes one status change to the final status', () => {
    const versions = [
      parsed(makeTask({ version: 4, status: 'completed', summary: 'Joined a walking group' })),
      parsed(makeTask({ version: 2, status: 'accepted' })),
      parsed(makeTask({ version: 3, status: 'on-hold', reason: 'patient-unwell' })),
    ];
    const { unit, bad } = planUnit(versions, inputs());
    expect(bad).to.deep.equal([]);
    expect(unit?.versions.map((v) => v.version)).to.deep.equal(['2', '3', '4']);
    const statusChanges = unit!.ehrEffects.filter((e) => e.kind === 'set-referral-status');
    // active → on-hold → completed collapses into one write from what the EHR holds to the end state.
    expect(statusChanges).to.deep.equal([{ kind: 'set-referral-status', serviceRequestId: 'sr1', from: 'active', to: 'completed' }]);
    expect(unit!.priorTrack).to.equal(undefined);
    expect(unit!.track).to.not.equal(undefined);
  });

  it('writes no status change when the versions end where the EHR already is', () => {
    const versions = [parsed(makeTask({ version: 2, status: 'accepted' })), parsed(makeTask({ version: 3, status: 'in-progress' }))];
    const { unit } = planUnit(versions, inputs());
    expect(unit?.ehrEffects.filter((e) => e.kind === 'set-referral-status')).to.deep.equal([]);
  });

  it('carries each outcome measure once, however many versions point at it', () => {
    const obs = [swemwbs('o1', 21)];
    const versions = [
      parsed(makeTask({ version: 2, status: 'in-progress', observations: ['o1'] })),
      parsed(makeTask({ version: 3, status: 'in-progress', observations: ['o1'] })),
    ];
    const { unit } = planUnit(versions, inputs({}, obs));
    const creates = unit!.ehrEffects.filter((e) => e.kind === 'create-observation');
    expect(creates).to.have.length(1);
  });

  it('sets a bad version aside with its cause and plans the rest', () => {
    const versions = [
      parsed(makeTask({ version: 2, status: 'accepted' })),
      parsed(makeTask({ version: 3, status: 'in-progress' }, otherPatient)),
      parsed(makeTask({ version: 4, status: 'completed' })),
    ];
    const { unit, bad } = planUnit(versions, inputs());
    expect(bad.map((b) => b.task.version)).to.deep.equal(['3']);
    expect(bad[0]!.bad.kind).to.equal('patient-mismatch');
    expect(unit?.versions.map((v) => v.version)).to.deep.equal(['2', '4']);
    expect(unit?.ehrEffects.find((e) => e.kind === 'set-referral-status')).to.deep.include({ from: 'active', to: 'completed' });
  });

  it('gives no unit when every version is bad', () => {
    const { unit, bad } = planUnit([parsed(makeTask({ version: 2, status: 'accepted' }, otherPatient))], inputs());
    expect(unit).to.equal(undefined);
    expect(bad).to.have.length(1);
  });

  it('never moves a terminal referral: a late version after completion changes nothing', () => {
    const { unit } = planUnit([parsed(makeTask({ version: 2, status: 'in-progress' }))], inputs({ serviceRequest: serviceRequest('completed') }));
    expect(unit?.ehrEffects.filter((e) => e.kind === 'set-referral-status') ?? []).to.deep.equal([]);
  });
});
