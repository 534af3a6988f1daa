import type { ServiceRequest, Task } from '@medplum/fhirtypes';

/**
 * What the GP sees for a referral (DESIGN §5, right-hand column). The ServiceRequest in the record is
 * the truth for terminal states; the Task, when SP Link can read it, adds the finer live state.
 */
export type StatusKey =
  | 'sent'
  | 'received'
  | 'accepted'
  | 'working'
  | 'paused'
  | 'declined'
  | 'cancelled'
  | 'could-not-complete'
  | 'completed'
  | 'withdrawn'
  | 'draft';

export type StatusTone = 'blue' | 'green' | 'yellow' | 'red' | 'grey';

export interface StatusLabel {
  key: StatusKey;
  label: string;
  tone: StatusTone;
}

const LABELS: Record<StatusKey, Omit<StatusLabel, 'key'>> = {
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
};

export const statusLabel = (key: StatusKey): StatusLabel => ({ key, ...LABELS[key] });

export function taskStatusKey(status: Task['status']): StatusKey {
  switch (status) {
    case 'draft':
    case 'requested':
      return 'sent';
    case 'received':
      return 'received';
    case 'accepted':
      return 'accepted';
    case 'ready':
    case 'in-progress':
      return 'working';
    case 'on-hold':
      return 'paused';
    case 'rejected':
      return 'declined';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return 'could-not-complete';
    case 'completed':
      return 'completed';
    case 'entered-in-error':
      return 'withdrawn';
    default:
      return status satisfies never;
  }
}

/** Communication topics the reconciler writes that tell a revoked referral's story. */
export type RevokeHint = 'declined' | 'cancelled' | 'could-not-contact' | undefined;

/**
 * Combines the record (ServiceRequest) with the live Task. A terminal ServiceRequest wins (the GP's own
 * cancel, or a reconciled outcome); otherwise the Task, when known, is the more precise view.
 */
export function referralStatus(sr: ServiceRequest['status'], task: Task['status'] | undefined, hint: RevokeHint = undefined): StatusLabel {
  switch (sr) {
    case 'completed':
      return statusLabel('completed');
    case 'entered-in-error':
      return statusLabel('withdrawn');
    case 'revoked':
      if (task === 'rejected' || task === 'failed' || task === 'cancelled') return statusLabel(taskStatusKey(task));
      if (hint === 'declined') return statusLabel('declined');
      if (hint === 'could-not-contact') return statusLabel('could-not-complete');
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
