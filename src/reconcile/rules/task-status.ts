import type { SrStatus, TaskStatus } from './types.js';
import { TASK_STATUSES } from './types.js';

export function isTaskStatus(s: unknown): s is TaskStatus {
  return typeof s === 'string' && (TASK_STATUSES as readonly string[]).includes(s);
}

/** Task states after which the link worker's work is over (FHIR R4 Task state machine). */
export function isTerminalTaskStatus(s: TaskStatus): boolean {
  switch (s) {
    case 'rejected':
    case 'cancelled':
    case 'failed':
    case 'completed':
    case 'entered-in-error':
      return true;
    case 'draft':
    case 'requested':
    case 'received':
    case 'accepted':
    case 'ready':
    case 'in-progress':
    case 'on-hold':
      return false;
    default:
      return s satisfies never;
  }
}

/** ServiceRequest states SP Link never moves a referral out of (request-status: revoked/completed are final). */
export function isTerminalSrStatus(s: SrStatus): boolean {
  switch (s) {
    case 'revoked':
    case 'completed':
    case 'entered-in-error':
      return true;
    case 'draft':
    case 'active':
    case 'on-hold':
    case 'unknown':
      return false;
    default:
      return s satisfies never;
  }
}

/**
 * DESIGN §5: Task.status → ServiceRequest.status. `undefined` = leave the referral's status as it is
 * (a failed Task when the deployment chose not to revoke on failure).
 */
export function referralStatusFor(task: TaskStatus, failedRevokes: boolean): SrStatus | undefined {
  switch (task) {
    case 'draft':
    case 'requested':
    case 'received':
    case 'accepted':
    case 'ready':
    case 'in-progress':
      return 'active';
    case 'on-hold':
      return 'on-hold';
    case 'rejected':
    case 'cancelled':
      return 'revoked';
    case 'failed':
      return failedRevokes ? 'revoked' : undefined;
    case 'completed':
      return 'completed';
    case 'entered-in-error':
      return 'entered-in-error';
    default:
      return task satisfies never;
  }
}

/** What the GP app shows for a Task status (DESIGN §5, "GP sees"). */
export function gpLabelFor(task: TaskStatus): string {
  switch (task) {
    case 'draft':
    case 'requested':
      return 'Sent';
    case 'received':
      return 'Received';
    case 'accepted':
    case 'ready':
      return 'Accepted';
    case 'in-progress':
      return 'Working with patient';
    case 'on-hold':
      return 'Paused';
    case 'rejected':
      return 'Declined';
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return 'Could not complete';
    case 'completed':
      return 'Completed';
    case 'entered-in-error':
      return 'Withdrawn';
    default:
      return task satisfies never;
  }
}
