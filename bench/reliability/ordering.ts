/**
 * Ordering: Task versions delivered in every order a network can produce, through the pure rules
 * (src/reconcile/rules) exactly as the engine applies them, one version at a time against the state the
 * previous ones left. Counts what must never happen:
 * - a backward move: the referral leaves a terminal status (for a non-terminal one, or for another terminal
 *   one decided by a later Task version; only entered-in-error may replace a terminal status);
 * - an overwrite of newer: an older version's non-terminal status written over what a newer one set, or an
 *   ordering that ends in a different EHR state than in-order delivery.
 */
import { isTerminalSrStatus, TASK_STATUSES, type SrStatus } from '../../src/referral-model/task-status.js';
import { applyToModel, plan, type ModelEhr } from '../../test/unit/reconcile/rules/plan-helper.js';
import { makeTask, orderOf, swemwbs, uuidVersionId, type TaskSpec } from '../../test/helpers/task-fixtures.js';
import { seeded } from '../../src/sandbox/demo/seeded-random.js';
import { shuffled } from './random.js';

export interface OrderingFigures {
  orderings: number;
  versions: number;
  backwardMoves: number;
  overwritesOfNewer: number;
}

const OBS = ['o1', 'o2', 'o3'].map((id, i) => swemwbs(id, 10 + i));
const START: readonly SrStatus[] = ['active', 'on-hold', 'draft'];

function history(random: () => number): TaskSpec[] {
  const n = 1 + Math.floor(random() * 8);
  const uuid = random() < 0.5;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const versions: number[] = [];
  let v = 0;
  for (let i = 0; i < n; i++) versions.push((v += 1 + Math.floor(random() * 5)));
  return versions.map((version) => ({
    version,
    ...(uuid ? { versionId: uuidVersionId(version) } : {}),
    status: pick(TASK_STATUSES),
    ...(random() < 0.4 ? { summary: pick(['Joined a walking group', 'Debt advice given']) } : {}),
    observations: OBS.filter(() => random() < 0.3).map((o) => o.id!),
    ...(random() < 0.3 ? { reason: pick(['patient-declined', 'could-not-contact', 'service-at-capacity']) } : {}),
    safeguarding: random() < 0.1,
  }));
}

const view = (m: ModelEhr) => JSON.stringify({ sr: m.sr, created: [...m.created.keys()].sort() });

/** Delivers `specs` in this order; counts violations along the way. */
function deliver(specs: readonly TaskSpec[], start: SrStatus, f: OrderingFigures): ModelEhr {
  let state: ModelEhr = { sr: start, created: new Map(), cancelled: 0 };
  let statusBy: string | undefined;
  for (const s of specs) {
    const order = orderOf(s.version, s.versionId);
    const p = plan(makeTask(s), state.sr, state.track, OBS);
    const next = applyToModel(state, p);
    f.versions++;
    if (p.kind === 'apply') {
      const write = p.effects.find((e) => e.kind === 'set-referral-status');
      if (write && write.kind === 'set-referral-status') {
        const newest = state.track?.maxVersion ?? '';
        if (!isTerminalSrStatus(write.to) && newest > order) f.overwritesOfNewer++;
        if (isTerminalSrStatus(state.sr) && !isTerminalSrStatus(write.to)) f.backwardMoves++;
        else if (isTerminalSrStatus(state.sr) && write.to !== 'entered-in-error' && statusBy !== undefined && order > statusBy) f.backwardMoves++;
        statusBy = order;
      }
    }
    state = next;
  }
  return state;
}

/** `orderings` shuffled deliveries (5 per generated history), seeded: the same run every time. */
export function measureOrdering(orderings: number, seed = 15): OrderingFigures {
  const random = seeded(seed);
  const f: OrderingFigures = { orderings: 0, versions: 0, backwardMoves: 0, overwritesOfNewer: 0 };
  while (f.orderings < orderings) {
    const specs = history(random);
    const start = START[Math.floor(random() * START.length)]!;
    const reference = view(deliver(specs, start, { orderings: 0, versions: 0, backwardMoves: 0, overwritesOfNewer: 0 }));
    for (let i = 0; i < 5 && f.orderings < orderings; i++) {
      const order = shuffled(specs, random);
      // Each version may also arrive twice (a notification and a poll).
      const delivered = random() < 0.3 ? order.flatMap((s) => (random() < 0.5 ? [s, s] : [s])) : order;
      if (view(deliver(delivered, start, f)) !== reference) f.overwritesOfNewer++;
      f.orderings++;
    }
  }
  return f;
}
