import { expect } from 'chai';
import fc from 'fast-check';
import type { Observation } from '@medplum/fhirtypes';
import {
  outcomeCopyEffect, outcomeIdentifier, parseTask, planTaskVersion, refKey, retractCopyEffect, type Effect, type OutcomeCopy, type Plan,
} from '../../../../src/reconcile/rules/index.js';
import { makeTask, patient, serviceRequest, swemwbs, topology } from '../../../helpers/task-fixtures.js';

const task = makeTask({ version: 2, status: 'in-progress', observations: ['o1'] });
const parsed = (() => {
  const p = parseTask(task, topology);
  if (!p.ok) throw new Error(p.bad.reason);
  return p.task;
})();
const ID = outcomeIdentifier(topology, parsed, { kind: 'link-worker', resourceType: 'Observation', id: 'o1' });

function plan(source: Observation, copy?: OutcomeCopy): Plan {
  return planTaskVersion({
    task: parsed, topology, serviceRequest: serviceRequest('active'), patient,
    observations: new Map([[refKey({ kind: 'link-worker', resourceType: 'Observation', id: 'o1' }), source]]),
    track: undefined,
    copies: copy ? new Map([[ID, copy]]) : new Map(),
  });
}
const copyEffects = (p: Plan) => (p.kind === 'apply' ? p.effects.filter((e) => e.kind === 'create-observation' || e.kind === 'update-observation') : []);

/** The EHR copy after an effect, as a FHIR server would store it (version bumped on update). */
function applyCopy(copy: OutcomeCopy | undefined, e: Effect): OutcomeCopy | undefined {
  if (e.kind === 'create-observation') return copy ?? { id: 'c1', versionId: '1', resource: { ...e.resource, id: 'c1', meta: { ...e.resource.meta, versionId: '1' } } };
  if (e.kind === 'update-observation') {
    expect(copy, 'updates only an existing copy').to.not.equal(undefined);
    expect(e.version, 'If-Match on the version compared').to.equal(copy!.versionId);
    const versionId = String(Number(copy!.versionId) + 1);
    return { id: copy!.id, versionId, resource: { ...e.resource, meta: { ...e.resource.meta, versionId } } };
  }
  return copy;
}

describe('reconcile rules: outcome copies and corrections', () => {
  const original = swemwbs('o1', 18);
  const first = copyEffects(plan(original))[0]!;
  const copy = applyCopy(undefined, first)!;

  it('no copy yet: a conditional create on the deterministic identifier', () => {
    expect(first).to.include({ kind: 'create-observation', identifier: ID });
  });

  it('copy up to date: nothing to write', () => {
    expect(copyEffects(plan(original, copy))).to.deep.equal([]);
  });

  it('corrected source: If-Match update of the same copy with the new score, status and reason', () => {
    const corrected: Observation = { ...original, meta: { versionId: '2' }, status: 'corrected', valueInteger: 24, note: [{ authorReference: { reference: 'Practitioner/lw', display: 'Sam' }, text: 'Corrected (was 18): typo' }] };
    const [e] = copyEffects(plan(corrected, copy));
    expect(e).to.deep.include({ kind: 'update-observation', identifier: ID, observationId: 'c1', version: '1' });
    const r = (e as Extract<Effect, { kind: 'update-observation' }>).resource;
    expect(r).to.deep.include({ id: 'c1', status: 'corrected', valueInteger: 24, note: [{ authorString: 'Sam', text: 'Corrected (was 18): typo' }] });
    expect(r.meta?.source).to.equal(`${topology.linkWorkerBase}/Observation/o1/_history/2`);
    expect(r.identifier).to.deep.equal(copy.resource.identifier);
  });

  it('entered-in-error source: the copy becomes entered-in-error with its scores; nothing when there is no copy', () => {
    const err: Observation = { ...original, meta: { versionId: '3' }, status: 'entered-in-error', note: [{ text: 'Recorded in error: wrong person' }] };
    const [e] = copyEffects(plan(err, copy));
    expect(e).to.deep.include({ kind: 'update-observation', observationId: 'c1' });
    expect((e as Extract<Effect, { kind: 'update-observation' }>).resource).to.deep.include({ status: 'entered-in-error', valueInteger: 18 });
    expect(copyEffects(plan(err))).to.deep.equal([]);
    // Out-of-range scores on a retracted source do not stop the retraction.
    expect(plan({ ...err, valueInteger: 99 }, copy).kind).to.equal('apply');
  });

  it('an entered-in-error copy is never revived', () => {
    const gone: OutcomeCopy = { ...copy, resource: { ...copy.resource, status: 'entered-in-error' } };
    expect(outcomeCopyEffect(ID, { ...copy.resource, valueInteger: 30 }, gone)).to.equal(undefined);
    expect(retractCopyEffect(ID, original, gone)).to.equal(undefined);
  });

  it('the GP message lists outcomes as they stand, not only those written now', () => {
    const p = plan(original, copy);
    expect(copyEffects(p)).to.have.length(0);
    const done = planTaskVersion({
      task: (parseTask(makeTask({ version: 3, status: 'completed', observations: ['o1'], summary: 'Done' }), topology) as { ok: true; task: typeof parsed }).task,
      topology, serviceRequest: serviceRequest('active'), patient,
      observations: new Map([[refKey({ kind: 'link-worker', resourceType: 'Observation', id: 'o1' }), original]]), track: undefined, copies: new Map([[ID, copy]]),
    });
    const comm = done.kind === 'apply' ? done.effects.find((e) => e.kind === 'create-communication') : undefined;
    expect(JSON.stringify(comm)).to.include(': 18');
  });

  it('property: any run of corrections keeps one copy, ends at the latest source, and re-applying writes nothing', () => {
    const edit = fc.record({
      status: fc.constantFrom<Observation['status']>('final', 'corrected', 'amended', 'entered-in-error'),
      score: fc.integer({ min: 7, max: 35 }),
      note: fc.option(fc.constantFrom('typo', 'wrong date'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) => {
        let c: OutcomeCopy | undefined;
        let retracted = false;
        edits.forEach((ed, i) => {
          const source: Observation = { ...original, meta: { versionId: String(i + 1) }, status: ed.status, valueInteger: ed.score, ...(ed.note ? { note: [{ text: ed.note }] } : {}) };
          const effects = copyEffects(plan(source, c));
          expect(effects.length).to.be.at.most(1);
          if (retracted) expect(effects, 'entered-in-error is final').to.deep.equal([]);
          for (const e of effects) c = applyCopy(c, e);
          expect(copyEffects(plan(source, c)), 'idempotent').to.deep.equal([]);
          if (ed.status === 'entered-in-error' && c) retracted = true;
          if (c && !retracted) expect(c.resource).to.deep.include({ status: ed.status, valueInteger: ed.score });
          if (retracted) expect(c!.resource.status).to.equal('entered-in-error');
        });
      }),
      { numRuns: 300 },
    );
  });
});
