import type { Annotation, ContactPoint, Extension, HumanName, Reference, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, PROFILE, SYSTEM, TASK_OUTPUT_TYPES, STATUS_REASONS, displayOf, writeBackIdentifierValue } from './codes.js';
import { parseReferenceOf } from './references.js';
import { endReasonText } from './status-reason.js';
import { isTaskStatus, type TaskStatus } from './task-status.js';
import type { StatusTone } from './status-labels.js';

/**
 * Onward referrals: the link worker connects the person to a community group or service. Each is a sub-Task (HL7
 * Gravity SDOH: `partOf` the referral Task, `owner` the organisation that runs the service, `focus` and `for` those of
 * the referral) which the group answers in SP Link's portal or in its own FHIR system. One definition of what an
 * onward referral is, what each status means and what a group may do next, for every surface: the workspace case,
 * the group's portal, the reconciler and the GP's message back.
 */

/** Where an onward referral stands, in the words every surface uses. */
export const ONWARD_STATES = ['sent', 'accepted', 'declined', 'attended', 'did-not-attend', 'finished', 'withdrawn'] as const;
export type OnwardState = (typeof ONWARD_STATES)[number];

/**
 * The one Task.status → onward state table. `in-progress` is "attended": the group has started working with the
 * person (Gravity: the service is being delivered); `failed` is "did not attend" (the person never took it up).
 */
const STATE_OF_STATUS = {
  draft: 'sent',
  requested: 'sent',
  received: 'sent',
  accepted: 'accepted',
  ready: 'accepted',
  'on-hold': 'accepted',
  'in-progress': 'attended',
  rejected: 'declined',
  failed: 'did-not-attend',
  completed: 'finished',
  cancelled: 'withdrawn',
  'entered-in-error': 'withdrawn',
} as const satisfies Record<TaskStatus, OnwardState>;

export const onwardStateOf = (status: TaskStatus): OnwardState => STATE_OF_STATUS[status];

/** What people see: a label and tag colour (workspace case, portal) and a phrase for the GP's message back. */
const LABEL = {
  sent: { label: 'Sent', tone: 'blue', phrase: 'referred, no reply yet' },
  accepted: { label: 'Accepted', tone: 'green', phrase: 'accepted, not attended yet' },
  declined: { label: 'Declined', tone: 'red', phrase: 'declined' },
  attended: { label: 'Attended', tone: 'green', phrase: 'attended' },
  'did-not-attend': { label: 'Did not attend', tone: 'red', phrase: 'did not attend' },
  finished: { label: 'Finished', tone: 'green', phrase: 'attended and finished' },
  withdrawn: { label: 'Withdrawn', tone: 'grey', phrase: 'withdrawn' },
} as const satisfies Record<OnwardState, { label: string; tone: StatusTone; phrase: string }>;

export const onwardLabel = (state: OnwardState) => LABEL[state];

/** States after which the group has nothing more to say. */
export const isFinalOnwardState = (s: OnwardState): boolean => s === 'declined' || s === 'did-not-attend' || s === 'finished' || s === 'withdrawn';

/** What a community group records, from which states, and the Task status it sets. */
export const ONWARD_ACTIONS = {
  accept: { label: 'Accept', from: ['sent'], status: 'accepted', done: 'Referral accepted.' },
  decline: { label: 'Decline', from: ['sent'], status: 'rejected', done: 'Referral declined. The link worker will be told.' },
  attended: { label: 'Attended first session', from: ['sent', 'accepted'], status: 'in-progress', done: 'Attendance recorded.' },
  'did-not-attend': { label: 'Did not attend', from: ['sent', 'accepted'], status: 'failed', done: 'Recorded that the person did not attend.' },
  finished: { label: 'Finished', from: ['accepted', 'attended'], status: 'completed', done: 'Recorded that the person has finished.' },
} as const satisfies Record<string, { label: string; from: readonly OnwardState[]; status: TaskStatus; done: string }>;
export type OnwardAction = keyof typeof ONWARD_ACTIONS;
export const ONWARD_ACTION_KINDS = Object.keys(ONWARD_ACTIONS) as OnwardAction[];
export const isOnwardAction = (s: unknown): s is OnwardAction => typeof s === 'string' && s in ONWARD_ACTIONS;

/** Actions open to the group in this state (in the order the portal offers them). */
export const onwardActionsFrom = (state: OnwardState): OnwardAction[] =>
  ONWARD_ACTION_KINDS.filter((a) => (ONWARD_ACTIONS[a].from as readonly OnwardState[]).includes(state));

/** Reasons a group may give when declining: SP Link's status reasons that say why a service cannot take someone. */
export const ONWARD_DECLINE_REASONS = STATUS_REASONS.filter((r) => (['service-at-capacity', 'not-eligible', 'patient-declined', 'referred-elsewhere'] as readonly string[]).includes(r.code));
export type OnwardDeclineReason = (typeof ONWARD_DECLINE_REASONS)[number]['code'];

/**
 * Reasons a link worker may give when withdrawing an onward referral: the person changed their mind, moved, or is
 * better served elsewhere; or the group closed.
 */
export const ONWARD_WITHDRAW_REASONS = STATUS_REASONS.filter((r) => (['patient-withdrew', 'patient-moved', 'referred-elsewhere', 'service-closed'] as readonly string[]).includes(r.code));
export type OnwardWithdrawReason = (typeof ONWARD_WITHDRAW_REASONS)[number]['code'];

/** Most sessions a group may record as attended (a weekly group over a couple of years). */
export const MAX_SESSIONS_ATTENDED = 200;

/** True for a sub-Task: `partOf` names a Task (any way a server writes it), or SP Link's onward identifier. */
export function isOnwardReferral(task: Pick<Task, 'partOf' | 'identifier'>): boolean {
  return (task.partOf ?? []).some((p) => parseReferenceOf(p.reference, 'Task') !== undefined) ||
    (task.identifier ?? []).some((i) => i.system === IDENTIFIER_SYSTEM.onwardReferral);
}

/** The id of the referral Task a sub-Task is part of (relative, absolute or versioned reference alike). */
export function parentTaskId(task: Pick<Task, 'partOf'>): string | undefined {
  for (const p of task.partOf ?? []) {
    const ref = parseReferenceOf(p.reference, 'Task');
    if (ref) return ref.id;
  }
  return undefined;
}

/** The conditional-create key of the onward referral for one referral Task and one service. */
export const onwardIdentifierValue = (parentTaskId: string, serviceId: string): string => writeBackIdentifierValue([parentTaskId, serviceId]);

export interface OnwardReferralInput {
  /** The referral Task at the link-worker service (read: id, focus, for, priority). */
  readonly parent: Pick<Task, 'id' | 'focus' | 'for' | 'priority'>;
  /** The directory service, and the organisation that runs it (HealthcareService.providedBy). */
  readonly service: { readonly id: string; readonly name: string; readonly provider: Reference; readonly providerOds?: string };
  /** The link worker making the referral (PractitionerRole, else Practitioner). */
  readonly requester: Reference;
  /** The person agreed that these details go to this group: when, and who recorded it. */
  readonly consent: { readonly date: string; readonly recorder: Reference };
  /** The minimum the group needs to make contact: a name and the contact routes the person chose. */
  readonly person: { readonly name?: HumanName[]; readonly telecom?: ContactPoint[] };
  /** How and when the person may be contacted, and accessibility needs, as on the referral (extensions). */
  readonly contactPreference?: Extension;
  readonly accessibility?: readonly Extension[];
  /** What the group should know, in the link worker's words. */
  readonly note?: string;
  readonly now: Date;
}

const CONTAINED_PERSON = 'person';

/**
 * Whether a referral Task can be referred on: its focus must be the referral in a GP record (an absolute reference).
 * A self-referral whose referral exists only as the Task's contained copy cannot be the focus of another Task.
 */
export const canReferOnward = (parent: Pick<Task, 'focus'>): boolean => /^https?:\/\//.test(parent.focus?.reference ?? '');

/**
 * The onward referral sub-Task (SPLinkReferralTask, Gravity's sub-Task pattern). The group gets the person's name
 * and the contact routes only, never the referral's clinical content: the GP's reasons stay with the link worker.
 */
export function buildOnwardReferral(i: OnwardReferralInput): Task {
  const parentId = i.parent.id;
  if (!parentId) throw new TypeError('an onward referral needs the referral Task id');
  if (!i.parent.focus?.reference || !i.parent.for) throw new TypeError('an onward referral needs the referral Task focus and for');
  if (!canReferOnward(i.parent)) throw new TypeError('an onward referral needs a referral held in a GP record (absolute focus)');
  const now = i.now.toISOString();
  const C = EXTENSION_PART.consentGiven;
  const owner: Reference = {
    ...(i.service.provider.reference ? { reference: i.service.provider.reference } : {}),
    ...(i.service.providerOds ? { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: i.service.providerOds } } : {}),
    ...(i.service.provider.display ? { display: i.service.provider.display } : {}),
  };
  const section = (code: 'person-demographics' | 'support-offered') => ({ coding: [{ system: CODE_SYSTEM.prsbSection, code, display: displayOf('prsbSection', code) }] });
  return {
    resourceType: 'Task',
    meta: { profile: [PROFILE.referralTask] },
    contained: [{ resourceType: 'Patient', id: CONTAINED_PERSON, ...(i.person.name ? { name: i.person.name } : {}), ...(i.person.telecom ? { telecom: i.person.telecom } : {}) }],
    extension: [
      { url: EXTENSION.consentGiven, extension: [{ url: C.date, valueDateTime: i.consent.date }, { url: C.recorder, valueReference: i.consent.recorder }] },
      ...(i.contactPreference ? [i.contactPreference] : []),
      ...(i.accessibility ?? []),
    ],
    identifier: [{ system: IDENTIFIER_SYSTEM.onwardReferral, value: onwardIdentifierValue(parentId, i.service.id) }],
    partOf: [{ reference: `Task/${parentId}` }],
    status: 'requested',
    intent: 'order',
    ...(i.parent.priority ? { priority: i.parent.priority } : {}),
    code: { coding: [{ system: SYSTEM.taskCode, code: 'fulfill', display: 'Fulfill the focal request' }] },
    description: `Onward referral to ${i.service.name}`,
    focus: { ...i.parent.focus },
    // A person named only by the referral's contained details (a self-referral not matched to a record) is the
    // sub-Task's own contained person: a reference into another resource's contained list would dangle.
    for: i.parent.for.reference?.startsWith('#') ? { reference: `#${CONTAINED_PERSON}`, ...(i.parent.for.display ? { display: i.parent.for.display } : {}) } : { ...i.parent.for },
    authoredOn: now,
    lastModified: now,
    requester: i.requester as Task['requester'],
    owner: owner as Task['owner'],
    input: [
      { type: section('person-demographics'), valueReference: { reference: `#${CONTAINED_PERSON}` } },
      { type: section('support-offered'), valueReference: { reference: `HealthcareService/${i.service.id}`, display: i.service.name } },
    ],
    ...(i.note ? { note: [{ authorReference: i.requester, time: now, text: i.note } as Annotation] } : {}),
  };
}

/** What a group records with an action (validated by the portal's form schema). */
export type OnwardActionInput =
  | { readonly action: 'accept' | 'attended'; readonly note?: string }
  | { readonly action: 'decline'; readonly reason: OnwardDeclineReason; readonly note?: string }
  | { readonly action: 'did-not-attend'; readonly note?: string }
  | { readonly action: 'finished'; readonly sessionsAttended?: number; readonly note?: string };

const reasonConcept = (code: string, note?: string) => ({
  coding: [{ system: CODE_SYSTEM.statusReason, code, display: displayOf('statusReason', code) }],
  text: note ?? displayOf('statusReason', code),
});

const sessionsOutput = (n: number) => ({
  type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code: 'sessions-held', display: TASK_OUTPUT_TYPES.find((t) => t.code === 'sessions-held')!.display }] },
  valueInteger: n,
});

/**
 * The sub-Task after the group's action, or why it cannot be done (the state moved on meanwhile). Pure: the caller
 * writes it with If-Match on the version the group saw.
 */
export function applyOnwardAction(task: Task, input: OnwardActionInput, ctx: { now: Date; author: Reference }): { ok: true; task: Task } | { ok: false; message: string } {
  if (!isTaskStatus(task.status)) return { ok: false, message: 'This referral is in a state SP Link does not know.' };
  const state = onwardStateOf(task.status);
  const action = ONWARD_ACTIONS[input.action];
  if (!(action.from as readonly OnwardState[]).includes(state)) {
    return { ok: false, message: `This referral is ${LABEL[state].label.toLowerCase()}, so it cannot be marked “${action.label.toLowerCase()}”.` };
  }
  const t = structuredClone(task);
  const now = ctx.now.toISOString();
  t.status = action.status;
  t.lastModified = now;
  delete t.statusReason;
  if (input.action === 'decline') t.statusReason = reasonConcept(input.reason, input.note);
  if (input.action === 'did-not-attend') t.statusReason = reasonConcept('did-not-attend', input.note);
  if (input.action === 'finished' && input.sessionsAttended !== undefined) {
    t.output = [...(t.output ?? []).filter((o) => !o.type?.coding?.some((c) => c.system === CODE_SYSTEM.taskOutputType && c.code === 'sessions-held')), sessionsOutput(input.sessionsAttended)];
  }
  const heading = input.action === 'decline' ? `Declined: ${displayOf('statusReason', input.reason) ?? input.reason}` : action.label;
  t.note = [...(t.note ?? []), { authorReference: ctx.author, time: now, text: input.note ? `${heading}\n${input.note}` : heading } as Annotation];
  return { ok: true, task: t };
}

/**
 * The sub-Task withdrawn, so the group does not go on contacting the person: by the link worker (`author`, with their
 * reason), or by SP Link because its referral ended in the GP record (the GP cancelled it, or it was entered in error).
 * `undefined` when the group has already closed it. `reason` replaces the GP's cancellation as the coded reason (the
 * link worker's, or a withdrawal relayed from where it was made). Pure.
 */
export function withdrawOnwardReferral(task: Task, ctx: { now: Date; why: string; reason?: Task['statusReason']; author?: Reference }): Task | undefined {
  if (!isTaskStatus(task.status) || isFinalOnwardState(onwardStateOf(task.status))) return undefined;
  const t = structuredClone(task);
  const now = ctx.now.toISOString();
  t.status = 'cancelled';
  t.statusReason = ctx.reason ?? reasonConcept('gp-cancelled', ctx.why);
  t.lastModified = now;
  t.note = [...(t.note ?? []), { ...(ctx.author ? { authorReference: ctx.author } : { authorString: 'SP Link' }), time: now, text: `Withdrawn: ${ctx.why}` } as Annotation];
  return t;
}

/**
 * The link worker withdraws an onward referral from the case (the person changed their mind, the group closed): the
 * sub-Task `cancelled` with their coded reason and words, or why it cannot be (the group has closed it meanwhile).
 * Pure: the caller writes it with If-Match on the version the link worker saw.
 */
export function withdrawByLinkWorker(task: Task, input: { reason: OnwardWithdrawReason; note?: string }, ctx: { now: Date; author: Reference }): { ok: true; task: Task } | { ok: false; message: string } {
  const display = displayOf('statusReason', input.reason) ?? input.reason;
  const t = withdrawOnwardReferral(task, { now: ctx.now, why: input.note ? `${display}\n${input.note}` : display, reason: reasonConcept(input.reason, input.note), author: ctx.author });
  if (t) return { ok: true, task: t };
  const state = isTaskStatus(task.status) ? onwardStateOf(task.status) : undefined;
  return { ok: false, message: `This referral is ${state ? LABEL[state].label.toLowerCase() : 'closed'}, so it cannot be withdrawn.` };
}

/** An onward referral as every surface shows it. */
export interface OnwardView {
  readonly id?: string;
  readonly version?: string;
  readonly parentTaskId?: string;
  readonly service: string;
  readonly provider?: string;
  readonly state: OnwardState;
  readonly label: string;
  readonly tone: StatusTone;
  /** Why it was declined or not taken up, in words. */
  readonly reason?: string;
  readonly sessionsAttended?: number;
  readonly sent?: string;
  readonly updated?: string;
}

/**
 * Reads a sub-Task from SP Link or from a group's own system: liberal in what it accepts (any R4 status, the service
 * named by input, description or owner, sessions as integer, unsignedInt or positiveInt). An unknown status reads as
 * "sent", so it never hides that a referral was made.
 */
export function readOnwardReferral(task: Task): OnwardView {
  const status: TaskStatus = isTaskStatus(task.status) ? task.status : 'requested';
  const state = onwardStateOf(status);
  const service = task.input?.find((i) => i.valueReference && parseReferenceOf(i.valueReference.reference, 'HealthcareService'))?.valueReference?.display ??
    task.description?.replace(/^Onward referral to /, '') ?? task.owner?.display ?? 'Community service';
  const sessions = task.output?.find((o) => o.type?.coding?.some((c) => c.code === 'sessions-held'));
  const n = sessions?.valueInteger ?? sessions?.valueUnsignedInt ?? sessions?.valuePositiveInt;
  const reason = state === 'declined' || state === 'did-not-attend' || state === 'withdrawn' ? endReasonText(task.statusReason) : undefined;
  return {
    ...(task.id ? { id: task.id } : {}),
    ...(task.meta?.versionId ? { version: task.meta.versionId } : {}),
    ...(parentTaskId(task) ? { parentTaskId: parentTaskId(task)! } : {}),
    service,
    ...(task.owner?.display ? { provider: task.owner.display } : {}),
    state,
    label: LABEL[state].label,
    tone: LABEL[state].tone,
    ...(reason ? { reason } : {}),
    ...(typeof n === 'number' && Number.isInteger(n) && n >= 0 ? { sessionsAttended: n } : {}),
    ...(task.authoredOn ? { sent: task.authoredOn } : {}),
    ...(task.lastModified ?? task.meta?.lastUpdated ? { updated: task.lastModified ?? task.meta?.lastUpdated } : {}),
  };
}

/** One line for the GP: "Healthy Steps walking group (Fernbridge Leisure Trust): attended and finished, 4 sessions". */
export function onwardOutcomeLine(v: OnwardView): string {
  const who = v.provider && v.provider !== v.service ? `${v.service} (${v.provider})` : v.service;
  const sessions = v.sessionsAttended !== undefined ? `, ${v.sessionsAttended} session${v.sessionsAttended === 1 ? '' : 's'} attended` : '';
  const reason = v.reason && v.reason !== LABEL[v.state].phrase ? ` (${v.reason})` : '';
  return `${who}: ${LABEL[v.state].phrase}${reason}${sessions}`;
}

/**
 * How far an onward referral has got: a group's answer only ever moves it forward (sent → accepted → attended → an
 * end), so an answer relayed late, twice or out of order never winds it back.
 */
const ONWARD_PROGRESS: Record<OnwardState, number> = { sent: 0, accepted: 1, attended: 2, finished: 3, declined: 3, 'did-not-attend': 3, withdrawn: 3 };
export const onwardProgress = (state: OnwardState): number => ONWARD_PROGRESS[state];

/** The onward-referral identifier (`system|value`) a sub-Task carries, SP Link's key for it on every server. */
export function onwardIdentifierOf(task: Pick<Task, 'identifier'>): { system: string; value: string } | undefined {
  const id = task.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.onwardReferral && i.value);
  return id ? { system: id.system!, value: id.value! } : undefined;
}

/** Every relative reference in a resource made absolute on `base` (contained `#…` and absolute ones left as they are). */
function absolutised<T>(value: T, base: string): T {
  if (Array.isArray(value)) return value.map((v) => absolutised(v, base)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = k === 'reference' && typeof v === 'string' ? parseReferenceOf(v, ...RELATIVE_TYPES) : undefined;
      out[k] = p && p.base === undefined ? `${base.replace(/\/+$/, '')}/${v as string}` : absolutised(v, base);
    }
    return out as T;
  }
  return value;
}
const RELATIVE_TYPES = ['Task', 'HealthcareService', 'Organization', 'Practitioner', 'PractitionerRole', 'Location', 'ServiceRequest', 'Patient'];

/**
 * The copy of an onward referral SP Link places on a community group's own FHIR server (a provider configured with
 * `via: endpoint`): the same Task, its references made absolute on the link-worker endpoint (`partOf` names the
 * referral there), without the server's id and meta. Its identifier is SP Link's key on both servers. Pure.
 */
export function forwardedOnwardReferral(task: Task, linkWorkerBase: string): Task {
  const { id: _id, meta, ...rest } = structuredClone(task);
  return { ...absolutised(rest, linkWorkerBase), ...(meta?.profile ? { meta: { profile: meta.profile } } : {}) } as Task;
}

/**
 * The onward referral at the link-worker endpoint after the group answered on its own server (`copy`): status,
 * reason, sessions attended and the group's notes taken over, when the copy has got further; `undefined` when there
 * is nothing new (the same state, an older one, or the referral already ended here). Pure.
 */
export function mirrorOnwardAnswer(task: Task, copy: Task, now: Date): Task | undefined {
  if (!isTaskStatus(task.status) || !isTaskStatus(copy.status)) return undefined;
  const here = onwardStateOf(task.status);
  const there = onwardStateOf(copy.status);
  if (isFinalOnwardState(here) || ONWARD_PROGRESS[there] <= ONWARD_PROGRESS[here]) return undefined;
  const t = structuredClone(task);
  t.status = copy.status;
  if (copy.statusReason) t.statusReason = copy.statusReason;
  else delete t.statusReason;
  const isSessions = (o: NonNullable<Task['output']>[number]) => o.type?.coding?.some((c) => c.code === 'sessions-held') === true;
  const sessions = copy.output?.find(isSessions);
  const n = sessions?.valueInteger ?? sessions?.valueUnsignedInt ?? sessions?.valuePositiveInt;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0) t.output = [...(t.output ?? []).filter((o) => !isSessions(o)), sessionsOutput(n)];
  const known = new Set((t.note ?? []).map((x) => `${x.time ?? ''}\u0000${x.text}`));
  const added = (copy.note ?? []).filter((x) => x.text && !known.has(`${x.time ?? ''}\u0000${x.text}`)).map((x) => ({ ...(x.time ? { time: x.time } : {}), text: x.text, ...(x.authorString ? { authorString: x.authorString } : x.authorReference?.display ? { authorString: x.authorReference.display } : {}) }) as Annotation);
  if (added.length) t.note = [...(t.note ?? []), ...added];
  t.lastModified = copy.lastModified ?? now.toISOString();
  return t;
}

/**
 * What the GP hears of an onward referral after support ended (the message back has been sent): that the person
 * started, or how the referral ended; never a withdrawal (SP Link or the GP made it) nor an acceptance (news only
 * when something happens for the person). The line for the GP, or `undefined` when there is nothing to tell or the
 * message back already said it (`told`: the lines the GP has had). Pure.
 */
export function lateOnwardUpdate(task: Task, told: readonly string[]): string | undefined {
  if (!isTaskStatus(task.status)) return undefined;
  const state = onwardStateOf(task.status);
  if (state !== 'attended' && state !== 'finished' && state !== 'declined' && state !== 'did-not-attend') return undefined;
  const line = onwardOutcomeLine(readOnwardReferral(task));
  return told.includes(`Referred on to ${line}`) ? undefined : line;
}
