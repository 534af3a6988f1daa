import type { Communication, Observation, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import { referralSourceOf, referralSourceText } from '../referral-model/referral-source.js';
import { CODE_SYSTEM, EXTENSION, displayOf, priorityToUrgency } from '../referral-model/codes.js';
import { outcomeSeries, type OutcomeSeries } from '../referral-model/outcome-series.js';
import { suggestedService } from '../referral-model/referral-routes.js';
import { readMessageBack } from '../message-back/index.js';
import { describeTarget, isUnansweredPastTarget, RESPONSE_TARGET_HOURS, type ResponseTargets } from '../referral-model/response-targets.js';
import { referralStatus, statusLabel, taskStatusKey, type RevokeHint, type StatusLabel } from '../referral-model/status-labels.js';
import { isSrStatus, isTaskStatus } from '../referral-model/task-status.js';
import { isAcknowledgement, safeguardingConcerns, type SafeguardingConcern } from '../referral-model/safeguarding.js';
import { endReasonText } from '../referral-model/status-reason.js';
import { readNeedsChange } from '../referral-model/needs-change.js';
import type { ReferralGroup, ReferralSummary } from '../gp-app-contract/index.js';


export type { ReferralGroup, ReferralSummary };

export { outcomeSeries, type OutcomeSeries };

const GROUP_ORDER: Record<ReferralGroup, number> = { attention: 0, open: 1, closed: 2 };

/** A declined or failed referral asks for the GP's attention for this long after it ended. */
const RECENT_END_MS = 28 * 86_400_000;

export interface SummaryOptions {
  now?: Date;
  /** Per-urgency acceptance targets (response-targets.ts). */
  targets?: ResponseTargets;
  /** The Task's versions, any order (from `_history`): the timeline then keeps every status. */
  taskHistory?: readonly Task[];
}

const refersTo = (ref: Reference | undefined, srId: string) =>
  !!ref?.reference && (ref.reference === `ServiceRequest/${srId}` || ref.reference.endsWith(`/ServiceRequest/${srId}`));

const codeIn = (cc: { coding?: { system?: string; code?: string }[] } | undefined, system: string) =>
  cc?.coding?.find((c) => c.system === system)?.code;

function revokeHint(comms: Communication[]): RevokeHint {
  const topics = comms.map((c) => codeIn(c.topic, CODE_SYSTEM.communicationTopic));
  if (topics.includes('referral-declined')) return 'declined';
  if (topics.includes('could-not-contact')) return 'could-not-contact';
  if (topics.includes('referral-not-completed')) return 'not-completed';
  if (topics.includes('referral-cancelled')) return 'cancelled';
  return undefined;
}

const LONDON_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const DATE_ONLY = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/**
 * Sort key for timeline entries: by the Europe/London calendar day, timed events of a day in time order, then
 * date-only entries (scores recorded with a date and no time) after that day's timed events. Comparing raw
 * strings put "2026-11-24" before "2026-11-24T09:30:00Z", i.e. a score before the referral that asked for it.
 */
export function timelineSortKey(at: string): string {
  if (DATE_ONLY.test(at)) return `${at}|1`;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return `${at}|2`;
  return `${LONDON_DAY.format(d)}|0|${d.toISOString()}`;
}

/**
 * One timeline entry per change of Task status or business status, oldest first: the history the GP sees.
 * The first version (the referral as sent) is the "Referral sent" entry already.
 */
function statusEntries(versions: readonly Task[]): { at: string; text: string }[] {
  const ordered = [...versions].sort((a, b) => (a.meta?.lastUpdated ?? a.lastModified ?? '').localeCompare(b.meta?.lastUpdated ?? b.lastModified ?? ''));
  const out: { at: string; text: string }[] = [];
  let prev: string | undefined;
  for (const v of ordered) {
    const business = codeIn(v.businessStatus, CODE_SYSTEM.businessStatus);
    const key = `${v.status}|${business ?? v.businessStatus?.text ?? ''}`;
    if (key === prev) continue;
    const first = prev === undefined;
    prev = key;
    if (first && (v.status === 'requested' || v.status === 'draft')) continue;
    const at = v.lastModified ?? v.meta?.lastUpdated;
    if (!at) continue;
    const detail = endReasonText(v.statusReason) || (business && displayOf('businessStatus', business)) || v.businessStatus?.text || undefined;
    out.push({ at, text: `${statusLabel(taskStatusKey(v.status)).label}${detail ? `: ${detail}` : ''}` });
  }
  return out;
}

/** The GP's list: what needs their attention first (unacknowledged safeguarding concerns before anything else), then open referrals, then ended ones; newest first within each. */
export function orderForGp(list: readonly ReferralSummary[]): ReferralSummary[] {
  const unacknowledged = (r: ReferralSummary) => (r.safeguarding.some((c) => !c.acknowledged) ? 0 : 1);
  return [...list].sort((a, b) => GROUP_ORDER[a.group] - GROUP_ORDER[b.group] || unacknowledged(a) - unacknowledged(b) || (b.authoredOn ?? '').localeCompare(a.authoredOn ?? ''));
}

export function summariseReferral(
  sr: ServiceRequest,
  related: { task?: Task; observations: Observation[]; communications: Communication[] },
  referralIdentifierSystem: string,
  options: SummaryOptions = {},
): ReferralSummary {
  const now = options.now ?? new Date();
  const id = sr.id ?? '';
  const observations = related.observations.filter((o) => o.basedOn?.some((r) => refersTo(r, id)));
  const comms = related.communications.filter((c) => c.basedOn?.some((r) => refersTo(r, id)) || c.about?.some((r) => refersTo(r, id)));
  const task = related.task;
  const status = referralStatus(isSrStatus(sr.status) ? sr.status : 'unknown', isTaskStatus(task?.status) ? task.status : undefined, revokeHint(comms));
  // Why it ended: the record's own reason (status-reason extension) when revoked, else the Task's.
  const srReason = sr.status === 'revoked' ? sr.extension?.find((e) => e.url === EXTENSION.statusReason)?.valueCodeableConcept : undefined;
  const business = codeIn(task?.businessStatus, CODE_SYSTEM.businessStatus);
  const detail =
    endReasonText(srReason ?? task?.statusReason) ||
    (business && displayOf('businessStatus', business)) ||
    task?.businessStatus?.text ||
    undefined;

  const timeline: ReferralSummary['timeline'] = [];
  if (sr.authoredOn) timeline.push({ at: sr.authoredOn, text: `Referral sent${sr.requester?.display ? ` by ${sr.requester.display}` : ''}` });
  if (options.taskHistory?.length) {
    timeline.push(...statusEntries(options.taskHistory));
  } else if (task?.lastModified && task.status !== 'requested') {
    timeline.push({ at: task.lastModified, text: `${status.label}${detail ? `: ${detail}` : ''}` });
  }
  const needsChange = task ? readNeedsChange(task) : undefined;
  if (needsChange?.at) timeline.push({ at: needsChange.at, text: `Needs changed${needsChange.by ? ` by ${needsChange.by}` : ''}: ${needsChange.needs.join(', ')}${needsChange.reason ? `. Reason: ${needsChange.reason}` : ''}` });
  const safeguarding = safeguardingConcerns(sr, comms);
  for (const c of safeguarding) if (c.acknowledged) timeline.push({ at: c.acknowledged.at, text: `Safeguarding concern acknowledged by ${c.acknowledged.by}` });
  // The timeline names each message; the message itself is shown in full (messages), once. Progress updates are
  // a stage each, which the status and the timeline carry, so they are not among the messages.
  const messages = comms
    .filter((c) => !isAcknowledgement(c) && codeIn(c.topic, CODE_SYSTEM.communicationTopic) !== 'referral-progress')
    .sort((a, b) => (b.sent ?? b.meta?.lastUpdated ?? '').localeCompare(a.sent ?? a.meta?.lastUpdated ?? ''))
    .map(readMessageBack);
  for (const c of comms) {
    if (isAcknowledgement(c)) continue;
    const topic = codeIn(c.topic, CODE_SYSTEM.communicationTopic);
    // Progress messages repeat the Task's history; they stand in for it when the Task cannot be read.
    if (topic === 'referral-progress' && options.taskHistory?.length) continue;
    const at = c.sent ?? c.meta?.lastUpdated;
    const read = readMessageBack(c);
    // A progress update is its stage; any other message is named here and shown in full in `messages`.
    const stage = topic === 'referral-progress' ? read.sections.find((x) => x.code === 'support-offered')?.lines[0] : undefined;
    if (at) timeline.push({ at, text: stage ? `${read.title}: ${stage}` : read.title });
  }
  const outcomes = outcomeSeries(observations);
  for (const s of outcomes) for (const p of s.points) timeline.push({ at: p.at, text: `${s.label}: ${p.value}${p.corrected ? ' (corrected)' : ''}` });
  const keyed = timeline.map((t) => ({ t, k: timelineSortKey(t.at) }));
  keyed.sort((a, b) => a.k.localeCompare(b.k));

  // The chosen service travels as a suggestion when the referral goes via the link-worker service (referral-routes.ts).
  const suggestion = suggestedService(sr);
  const contact = task?.owner?.display ?? sr.performer?.[0]?.display;
  // A safeguarding concern raises the referral's priority wherever the GP sees it (as the referral form does).
  const urgency = safeguarding.length ? 'urgent' : priorityToUrgency(sr.priority);
  const open = sr.status === 'active' || sr.status === 'on-hold' || sr.status === 'draft' || sr.status === 'unknown';
  const source = referralSourceOf(sr);
  const sourceText = referralSourceText(source, sr.requester?.display);
  const { group, attention } = placeForGp({ sr, task, status, detail, urgency: priorityToUrgency(sr.priority), open, now, targets: options.targets ?? RESPONSE_TARGET_HOURS, safeguarding });

  return {
    id,
    referralId: sr.identifier?.find((i) => i.system === referralIdentifierSystem)?.value,
    version: sr.meta?.versionId,
    authoredOn: sr.authoredOn,
    requester: sr.requester?.display,
    ...(sourceText ? { source: sourceText } : {}),
    service: suggestion?.display ?? sr.performer?.[0]?.display ?? sr.code?.text ?? sr.code?.coding?.[0]?.display ?? 'Social prescribing',
    ...(contact ? { contact } : {}),
    ...(suggestion?.display ? { suggested: true as const } : {}),
    needs: (sr.reasonCode ?? []).map((r) => r.coding?.[0]?.display ?? r.text ?? '').filter(Boolean),
    needCodes: (sr.reasonCode ?? []).flatMap((r) => r.coding?.filter((c) => c.system === CODE_SYSTEM.need && c.code).map((c) => c.code!) ?? []),
    urgency,
    status,
    open,
    group,
    ...(attention ? { attention } : {}),
    ...(detail ? { detail } : {}),
    // The person or the agency made it; the practice was told, and does not withdraw it.
    cancellable: source === 'gp' && (sr.status === 'active' || sr.status === 'on-hold' || sr.status === 'draft'),
    timeline: keyed.map((x) => x.t),
    outcomes,
    ...(needsChange ? { needsChange } : {}),
    safeguarding,
    messages,
  };
}

function placeForGp(p: {
  sr: ServiceRequest;
  task: Task | undefined;
  status: StatusLabel;
  detail: string | undefined;
  urgency: ReturnType<typeof priorityToUrgency>;
  open: boolean;
  now: Date;
  targets: ResponseTargets;
  safeguarding: readonly SafeguardingConcern[];
}): { group: ReferralGroup; attention?: string } {
  const { sr, task, status, now } = p;
  const unacknowledged = p.safeguarding.filter((c) => !c.acknowledged).length;
  if (unacknowledged) {
    return { group: 'attention', attention: `Safeguarding concern${unacknowledged > 1 ? 's' : ''} to acknowledge` };
  }
  if (p.open) {
    const unanswered = isUnansweredPastTarget({ authoredOn: sr.authoredOn ?? task?.authoredOn, priority: sr.priority, taskStatus: task?.status ?? 'requested' }, now, p.targets);
    if (unanswered) {
      return { group: 'attention', attention: `Not accepted within ${describeTarget(p.targets[p.urgency])} (target for a ${p.urgency} referral)` };
    }
    return { group: 'open' };
  }
  if (status.key === 'declined' || status.key === 'could-not-complete') {
    const ended = task?.lastModified ?? sr.meta?.lastUpdated;
    if (ended && now.getTime() - Date.parse(ended) < RECENT_END_MS) {
      return { group: 'attention', attention: `${status.label}${p.detail ? `: ${p.detail}` : ''}. The person may need another route to support.` };
    }
  }
  return { group: 'closed' };
}
