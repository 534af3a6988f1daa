import type { HealthcareService, Observation, Patient, Procedure, ServiceRequest, Task } from '@medplum/fhirtypes';
import { planTaskVersion, type BadInput, type Effect, type OutcomeCopy, type ParsedTask, type TaskTrack, type Topology, type UnusedOutput } from '../rules/index.js';
import type { SrStatus } from '../../referral-model/task-status.js';

/** All the work for one Task in one batch: its new versions, merged into one set of effects. */
export interface WriteUnit {
  readonly tenantId: string;
  readonly taskId: string;
  /** Versions whose effects this unit carries, ascending. */
  readonly versions: readonly ParsedTask[];
  readonly serviceRequest: ServiceRequest & { id: string };
  /** Effects on the EHR (status, creates, outcome-copy updates), at most one status change and one write per identifier. */
  readonly ehrEffects: readonly Effect[];
  /** Effects at the link-worker endpoint (a Task cancellation). */
  readonly lwEffects: readonly Effect[];
  readonly track: TaskTrack;
  /** Outputs of these versions SP Link could not carry into the record (Provenance records each). */
  readonly notCarried: readonly UnusedOutput[];
  /** The Task's track before this unit, to re-plan from. */
  readonly priorTrack: TaskTrack | undefined;
}

export interface UnitInputs {
  readonly topology: Topology;
  readonly serviceRequest: ServiceRequest & { id: string };
  readonly patient?: Patient & { id: string };
  readonly observations: (task: ParsedTask) => ReadonlyMap<string, Observation>;
  readonly procedures?: (task: ParsedTask) => ReadonlyMap<string, Procedure>;
  readonly services?: (task: ParsedTask) => ReadonlyMap<string, HealthcareService>;
  /** Onward referrals (sub-Tasks) of the Task, as read with the batch (completions only). */
  readonly onward?: (task: ParsedTask) => readonly Task[];
  /** EHR copies of outcome measures by write-back identifier. */
  readonly copies?: ReadonlyMap<string, OutcomeCopy>;
  readonly track: TaskTrack | undefined;
}

export interface UnitPlan {
  readonly unit?: WriteUnit;
  readonly bad: readonly { task: ParsedTask; bad: BadInput }[];
}

/**
 * Plans the versions of one Task in order, each against the state the previous ones leave (as the pure
 * model does), and merges them: one status change from the EHR's current status to the final one, the
 * union of creates by identifier, the latest cancellation. A bad version is set aside; the rest go on.
 */
export function planUnit(versions: readonly ParsedTask[], inp: UnitInputs): UnitPlan {
  const sorted = [...versions].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const bad: { task: ParsedTask; bad: BadInput }[] = [];
  const good: ParsedTask[] = [];
  const creates = new Map<string, Effect>();
  let status = inp.serviceRequest.status as SrStatus;
  let track = inp.track;
  let cancel: Effect | undefined;
  // The version that set the final status says why (a revoked referral's reason and note).
  let why: Pick<Extract<Effect, { kind: 'set-referral-status' }>, 'reason' | 'note'> = {};
  const notCarried = new Map<string, UnusedOutput>();
  for (const task of sorted) {
    const plan = planTaskVersion({
      task,
      topology: inp.topology,
      serviceRequest: { ...inp.serviceRequest, status },
      patient: inp.patient,
      observations: inp.observations(task),
      procedures: inp.procedures?.(task),
      services: inp.services?.(task),
      ...(inp.onward ? { onward: inp.onward(task) } : {}),
      copies: inp.copies,
      track,
    });
    if (plan.kind === 'bad-input') {
      bad.push({ task, bad: plan.bad });
      continue;
    }
    good.push(task);
    track = plan.track;
    for (const u of plan.notCarried) notCarried.set(`${u.index}|${u.why}|${u.label}`, u);
    for (const e of plan.effects) {
      switch (e.kind) {
        case 'set-referral-status':
          status = e.to;
          why = { ...(e.reason ? { reason: e.reason } : {}), ...(e.note ? { note: e.note } : {}) };
          break;
        case 'create-observation':
        case 'create-communication':
        case 'create-flag':
          if (!creates.has(e.identifier)) creates.set(e.identifier, e);
          break;
        case 'update-observation':
          // Every version saw the same source and copy; the latest plan's update stands (one write per copy).
          creates.set(e.identifier, e);
          break;
        case 'cancel-task':
          cancel = e;
          break;
        default:
          e satisfies never;
      }
    }
  }
  if (good.length === 0 || !track) return { bad };
  const from = inp.serviceRequest.status as SrStatus;
  const ehrEffects: Effect[] = [
    ...(status !== from ? [{ kind: 'set-referral-status', serviceRequestId: inp.serviceRequest.id, from, to: status, ...why } as const] : []),
    ...creates.values(),
  ];
  return {
    bad,
    unit: {
      tenantId: good[0]!.tenantId,
      taskId: good[0]!.id,
      versions: good,
      serviceRequest: inp.serviceRequest,
      ehrEffects,
      lwEffects: cancel ? [cancel] : [],
      track,
      notCarried: [...notCarried.values()],
      priorTrack: inp.track,
    },
  };
}
