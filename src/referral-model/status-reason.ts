import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { CODE_SYSTEM, STATUS_REASONS, type StatusReasonCode } from './codes.js';
import type { TaskStatus } from './task-status.js';

/**
 * Why a referral ended, as the GP record keeps it. R4 ServiceRequest has no statusReason, so a revoked referral
 * carries SP Link's status-reason extension (profile rule spl-sr-1), bound to SP Link's reasons. A link-worker system
 * that ends a Task with a reason in other terms (its own codes, or only words) still ends the referral: the record
 * gets the SP Link code for what happened (declined, cancelled, not completed by the service) and keeps the
 * system's own codings and words next to it, as codes and text, never flattened.
 */

/** The SP Link reason for a Task ending this way when the link-worker system did not say why in SP Link's terms. */
const SERVICE_REASON = {
  rejected: 'declined-by-service',
  cancelled: 'cancelled-by-service',
  failed: 'not-completed',
} as const satisfies Partial<Record<TaskStatus, StatusReasonCode>>;

export type EndingTaskStatus = keyof typeof SERVICE_REASON;

export const isEndedByService = (s: TaskStatus): s is EndingTaskStatus => s in SERVICE_REASON;

const ownReason = (c: Coding): boolean => c.system === CODE_SYSTEM.statusReason && STATUS_REASONS.some((r) => r.code === c.code);

/**
 * The status-reason concept for a referral the link-worker service ended (Task rejected, cancelled or failed):
 * the Task's own SP Link reason when it has one, otherwise the SP Link code for what the service did; the Task's
 * other codings (from its system's terminology) and its text are kept alongside.
 */
export function referralEndReason(status: EndingTaskStatus, taskReason: CodeableConcept | undefined): CodeableConcept {
  const codings = taskReason?.coding ?? [];
  const own = codings.find(ownReason);
  const code = own?.code ?? SERVICE_REASON[status];
  const entry = STATUS_REASONS.find((r) => r.code === code)!;
  // Codings in SP Link's system that are not SP Link reasons cannot stay under that system; their words still do.
  const others = codings.filter((c) => c.system !== CODE_SYSTEM.statusReason && (c.code || c.display));
  const text = taskReason?.text ?? codings.find((c) => !ownReason(c) && c.display)?.display;
  return {
    coding: [{ system: CODE_SYSTEM.statusReason, code: entry.code, display: entry.display }, ...others.map((c) => ({ ...c }))],
    ...(text ? { text } : {}),
  };
}

/** The reason in words for the GP: the reason, with the service's own words when they add to it. */
export function endReasonText(reason: CodeableConcept | undefined): string | undefined {
  const code = reason?.coding?.find((c) => c.system === CODE_SYSTEM.statusReason)?.code;
  const entry = STATUS_REASONS.find((r) => r.code === code);
  const words = reason?.text ?? reason?.coding?.find((c) => c.system !== CODE_SYSTEM.statusReason && c.display)?.display;
  if (!entry) return words;
  // "Declined by the link-worker service" says who, not why: the service's words, when it gave any, say why.
  if (entry.by === 'service') return words ? `${entry.display}: ${words}` : entry.display;
  return words && words !== entry.display ? `${entry.display}: ${words}` : entry.display;
}
