import type { SrStatus, TaskStatus } from './task-status.js';

/**
 * What people see of a referral's status: the GP (GP app, messages) and the link worker (workspace caseload).
 * One table per audience, each keyed by every Task status.
 */

/** The GP-facing status of a referral. */
export type StatusKey =
  | 'draft'
  | 'sent'
  | 'received'
  | 'accepted'
  | 'working'
  | 'paused'
  | 'declined'
  | 'cancelled'
  | 'could-not-complete'
  | 'completed'
  | 'withdrawn';

/** Colour of the NHS design-system tag the GP app shows. */
export type StatusTone = 'blue' | 'green' | 'yellow' | 'red' | 'grey';

export interface StatusLabel {
  key: StatusKey;
  label: string;
  tone: StatusTone;
}

const GP_LABEL = {
  draft: { label: 'Draft', tone: 'grey' },
  sent: { label: 'Sent', tone: 'blue' },
  received: { label: 'Received', tone: 'blue' },
  accepted: { label: 'Accepted', tone: 'green' },
  working: { label: 'Working with patient', tone: 'green' },
  paused: { label: 'Paused', tone: 'yellow' },
  declined: { label: 'Declined', tone: 'red' },
  cancelled: { label: 'Cancelled', tone: 'grey' },
  'could-not-complete': { label: 'Could not complete', tone: 'red' },
  completed: { label: 'Completed', tone: 'green' },
  withdrawn: { label: 'Withdrawn', tone: 'grey' },
} as const satisfies Record<StatusKey, Omit<StatusLabel, 'key'>>;

export const statusLabel = (key: StatusKey): StatusLabel => ({ key, ...GP_LABEL[key] });

/**
 * What the GP sees for each Task status. `ready` (FHIR R4: ready to be performed, no action taken yet) is
 * "Accepted": the link worker has taken the referral on but has not started working with the patient.
 */
const GP_STATUS_OF_TASK = {
  draft: 'sent',
  requested: 'sent',
  received: 'received',
  accepted: 'accepted',
  ready: 'accepted',
  'in-progress': 'working',
  'on-hold': 'paused',
  rejected: 'declined',
  cancelled: 'cancelled',
  failed: 'could-not-complete',
  completed: 'completed',
  'entered-in-error': 'withdrawn',
} as const satisfies Record<TaskStatus, StatusKey>;

export const taskStatusKey = (status: TaskStatus): StatusKey => GP_STATUS_OF_TASK[status];

/** Communication topics the reconciler writes that tell a revoked referral's story. */
export type RevokeHint = 'declined' | 'cancelled' | 'could-not-contact' | 'not-completed' | undefined;

/**
 * What the GP sees for a referral: the record (ServiceRequest) combined with the live Task. A terminal
 * ServiceRequest wins (the GP's own cancel, or a reconciled outcome); otherwise the Task, when known, is the
 * more precise view.
 */
export function referralStatus(sr: SrStatus, task: TaskStatus | undefined, hint: RevokeHint = undefined): StatusLabel {
  switch (sr) {
    case 'completed':
      return statusLabel('completed');
    case 'entered-in-error':
      return statusLabel('withdrawn');
    case 'revoked':
      if (task === 'rejected' || task === 'failed' || task === 'cancelled') return statusLabel(taskStatusKey(task));
      if (hint === 'declined') return statusLabel('declined');
      if (hint === 'could-not-contact' || hint === 'not-completed') return statusLabel('could-not-complete');
      return statusLabel('cancelled');
    case 'on-hold':
      return statusLabel('paused');
    case 'draft':
      return statusLabel('draft');
    case 'active':
    case 'unknown':
      return statusLabel(task ? taskStatusKey(task) : 'sent');
    default:
      return sr satisfies never;
  }
}

/** What the link worker sees for each Task status in the workspace (their own words: "New", "Closed"). */
const LINK_WORKER_LABEL = {
  draft: 'Draft',
  requested: 'New',
  received: 'New',
  accepted: 'Accepted',
  rejected: 'Declined',
  ready: 'Ready',
  cancelled: 'Closed',
  'in-progress': 'Working with person',
  'on-hold': 'Paused',
  failed: 'Could not contact',
  completed: 'Completed',
  'entered-in-error': 'Withdrawn',
} as const satisfies Record<TaskStatus, string>;

export const linkWorkerStatusLabel = (status: TaskStatus): string => LINK_WORKER_LABEL[status];
