/**
 * The referral's lifecycle: every FHIR R4 Task.status, once, with what it means for SP Link. Each table below is a
 * `Record<TaskStatus, …>`, so a status added to TASK_STATUSES does not compile until every table says what it means.
 */

/** FHIR R4 Task.status (http://hl7.org/fhir/R4/valueset-task-status.html). */
export const TASK_STATUSES = [
  'draft', 'requested', 'received', 'accepted', 'rejected', 'ready', 'cancelled',
  'in-progress', 'on-hold', 'failed', 'completed', 'entered-in-error',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** FHIR R4 ServiceRequest.status (request-status). */
export const SR_STATUSES = ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'] as const;
export type SrStatus = (typeof SR_STATUSES)[number];

export function isTaskStatus(s: unknown): s is TaskStatus {
  return typeof s === 'string' && (TASK_STATUSES as readonly string[]).includes(s);
}

export function isSrStatus(s: unknown): s is SrStatus {
  return typeof s === 'string' && (SR_STATUSES as readonly string[]).includes(s);
}

/**
 * Where a referral stands for the link-worker service: `new` (not yet taken on), `open` (taken on, work going on)
 * or `terminal` (the work is over: FHIR R4 Task state machine, no transition out).
 */
export type TaskPhase = 'new' | 'open' | 'terminal';

const PHASE = {
  draft: 'new',
  requested: 'new',
  received: 'new',
  accepted: 'open',
  ready: 'open',
  'in-progress': 'open',
  'on-hold': 'open',
  rejected: 'terminal',
  cancelled: 'terminal',
  failed: 'terminal',
  completed: 'terminal',
  'entered-in-error': 'terminal',
} as const satisfies Record<TaskStatus, TaskPhase>;

export const taskPhase = (s: TaskStatus): TaskPhase => PHASE[s];
const inPhase = (phase: TaskPhase) => TASK_STATUSES.filter((s) => PHASE[s] === phase);

/** Task statuses after which the link worker's work is over: nothing moves a Task (or SP Link) out of them. */
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = inPhase('terminal');
/** Referrals the link-worker service has not taken on yet. */
export const NEW_TASK_STATUSES: readonly TaskStatus[] = inPhase('new');
/** Referrals taken on and being worked. */
export const OPEN_TASK_STATUSES: readonly TaskStatus[] = inPhase('open');

export const isTerminalTaskStatus = (s: TaskStatus): boolean => PHASE[s] === 'terminal';
export const isNewTaskStatus = (s: TaskStatus): boolean => PHASE[s] === 'new';

/** ServiceRequest states SP Link never moves a referral out of (request-status: revoked/completed are final). */
const TERMINAL_SR = {
  draft: false,
  active: false,
  'on-hold': false,
  unknown: false,
  revoked: true,
  completed: true,
  'entered-in-error': true,
} as const satisfies Record<SrStatus, boolean>;

export const isTerminalSrStatus = (s: SrStatus): boolean => TERMINAL_SR[s];

/**
 * The one Task.status → ServiceRequest.status table (what the reconciler writes into the GP record).
 * `failed` revokes the referral only where the deployment chose so (`reconcile.failedRevokesReferral`).
 */
const REFERRAL_STATUS = {
  draft: 'active',
  requested: 'active',
  received: 'active',
  accepted: 'active',
  ready: 'active',
  'in-progress': 'active',
  'on-hold': 'on-hold',
  rejected: 'revoked',
  cancelled: 'revoked',
  failed: 'revoked-if-configured',
  completed: 'completed',
  'entered-in-error': 'entered-in-error',
} as const satisfies Record<TaskStatus, SrStatus | 'revoked-if-configured'>;

/** The referral status for a Task status; `undefined` = leave the referral's status as it is. */
export function referralStatusFor(task: TaskStatus, failedRevokes: boolean): SrStatus | undefined {
  const to = REFERRAL_STATUS[task];
  if (to === 'revoked-if-configured') return failedRevokes ? 'revoked' : undefined;
  return to;
}
