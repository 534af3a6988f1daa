import type { Observation, ServiceRequest, Task } from '@medplum/fhirtypes';
import { parseTask, planTaskVersion, refKey, type Effect, type Plan, type TaskTrack } from '../../../../src/reconcile/rules/index.js';
import type { SrStatus } from '../../../../src/referral-model/task-status.js';
import { patient, serviceRequest, topology } from '../../../helpers/task-fixtures.js';

export function plan(task: Task, sr: SrStatus = 'active', track?: TaskTrack, observations: Observation[] = []): Plan {
  const parsed = parseTask(task, topology);
  if (!parsed.ok) return { kind: 'bad-input', bad: parsed.bad };
  const obs = new Map<string, Observation>();
  for (const o of observations) obs.set(refKey({ kind: 'link-worker', resourceType: 'Observation', id: o.id! }), o);
  return planTaskVersion({
    task: parsed.task,
    topology,
    serviceRequest: serviceRequest(sr as ServiceRequest['status']),
    patient,
    observations: obs,
    track,
  });
}

/** The EHR as the property tests model it: the referral's status and the resources created, by identifier. */
export interface ModelEhr {
  sr: SrStatus;
  track?: TaskTrack;
  created: Map<string, Effect>;
  cancelled: number;
}

export function applyToModel(state: ModelEhr, p: Plan): ModelEhr {
  if (p.kind === 'bad-input') return state;
  const next: ModelEhr = { sr: state.sr, track: p.track, created: new Map(state.created), cancelled: state.cancelled };
  for (const e of p.effects) {
    switch (e.kind) {
      case 'set-referral-status':
        next.sr = e.to;
        break;
      case 'create-observation':
      case 'create-communication':
      case 'create-flag':
        if (!next.created.has(e.identifier)) next.created.set(e.identifier, e);
        break;
      case 'update-observation':
        next.created.set(e.identifier, e);
        break;
      case 'cancel-task':
        next.cancelled++;
        break;
      default:
        e satisfies never;
    }
  }
  return next;
}
