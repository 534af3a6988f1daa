import { expect } from 'chai';
import fc from 'fast-check';
import { isTerminalSrStatus, TASK_STATUSES, type SrStatus } from '../../../../src/referral-model/task-status.js';
import { applyToModel, plan, type ModelEhr } from './plan-helper.js';
import { makeTask, swemwbs, uuidVersionId, type TaskSpec } from '../../../helpers/task-fixtures.js';

const OBS = ['o1', 'o2', 'o3'].map((id, i) => swemwbs(id, 10 + i));

const specArb = (version: number, uuid = false): fc.Arbitrary<TaskSpec> =>
  fc.record({
    version: fc.constant(version),
    ...(uuid ? { versionId: fc.constant(uuidVersionId(version)) } : {}),
    status: fc.constantFrom(...TASK_STATUSES),
    summary: fc.option(fc.constantFrom('Joined a walking group', 'Debt advice given'), { nil: undefined }),
    sessions: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
    observations: fc.subarray(['o1', 'o2', 'o3']),
    reason: fc.option(fc.constantFrom('patient-declined', 'could-not-contact', 'gp-cancelled', 'service-at-capacity'), { nil: undefined }),
    businessStatus: fc.option(fc.constantFrom('contact-attempted', 'could-not-contact', 'plan-agreed'), { nil: undefined }),
    safeguarding: fc.boolean(),
  });

/**
 * 1..6 distinct versions of one Task, in ascending order; version ids are integers or opaque UUIDs that do not
 * sort like the versions (the rules must order by lastUpdated, never by the id's text or number).
 */
const historyArb = fc
  .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }), fc.boolean())
  .chain(([vs, uuid]) => fc.tuple(...vs.sort((a, b) => a - b).map((v) => specArb(v, uuid))));

const initialSr = fc.constantFrom<SrStatus>('active', 'on-hold', 'draft');

function run(specs: readonly TaskSpec[], sr: SrStatus, trace?: SrStatus[]): ModelEhr {
  let state: ModelEhr = { sr, created: new Map(), cancelled: 0 };
  for (const s of specs) {
    state = applyToModel(state, plan(makeTask(s), state.sr, state.track, OBS));
    trace?.push(state.sr);
  }
  return state;
}

const ehrView = (m: ModelEhr) => ({ sr: m.sr, created: [...m.created.keys()].sort() });

describe('reconcile rules: properties (fast-check)', () => {
  it('deterministic: the same input gives the same effects', () => {
    fc.assert(
      fc.property(specArb(3), initialSr, (s, sr) => {
        expect(plan(makeTask(s), sr, undefined, OBS)).to.deep.equal(plan(makeTask(s), sr, undefined, OBS));
      }),
      { numRuns: 300 },
    );
  });

  it('idempotent: applying a version twice gives the state of applying it once', () => {
    fc.assert(
      fc.property(historyArb, initialSr, (specs, sr) => {
        const once = run(specs, sr);
        const twice = run(specs.flatMap((s) => [s, s]), sr);
        expect(ehrView(twice)).to.deep.equal(ehrView(once));
        // And re-applying the whole history to the end state writes nothing new.
        const again = specs.reduce((st, s) => applyToModel(st, plan(makeTask(s), st.sr, st.track, OBS)), once);
        expect(ehrView(again)).to.deep.equal(ehrView(once));
      }),
      { numRuns: 300 },
    );
  });

  it('monotone: once the referral is terminal it never becomes non-terminal', () => {
    fc.assert(
      fc.property(historyArb, initialSr, fc.boolean(), (specs, sr, shuffle) => {
        const order = shuffle ? [...specs].reverse() : specs;
        const trace: SrStatus[] = [];
        run(order, sr, trace);
        const firstTerminal = trace.findIndex(isTerminalSrStatus);
        if (firstTerminal >= 0) expect(trace.slice(firstTerminal).every(isTerminalSrStatus)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('order-independent: any delivery order of one Task\'s versions ends in the same EHR state', () => {
    fc.assert(
      fc.property(
        historyArb.chain((specs) => fc.tuple(fc.constant(specs), fc.shuffledSubarray(specs, { minLength: specs.length, maxLength: specs.length }))),
        initialSr,
        ([inOrder, shuffled], sr) => {
          expect(ehrView(run(shuffled, sr))).to.deep.equal(ehrView(run(inOrder, sr)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
