import type { Observation, Reference, Task, TaskOutput } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, displayOf, findInstrument, type BusinessStatusCode } from '../../referral-model/codes.js';
import { HEADING, note } from '../../referral-model/case-notes.js';
import { readCase } from './case-state.js';
import { isNewTaskStatus, isTerminalTaskStatus } from '../../referral-model/task-status.js';
import type { Actor } from './actor.js';
import type { ActionInput, ActionKind } from './schemas.js';
import { buildOutcomeObservation } from './outcome-observation.js';
import { correctOutcome, markOutcomeInError } from './outcome-fixes.js';
import { NEEDS_CHANGED_HEADING, needConcept, needsChangeText, readNeedsChange } from '../../referral-model/needs-change.js';
import { referralNeedCodes } from './referral-details.js';
import { socialOutcomeConcept, socialOutcomeDisplay } from '../../referral-model/social-outcome.js';
import { londonDate } from '../../time/london.js';
import { followUpHeading, followUpOpen } from './follow-up.js';

/**
 * Pure Task updates, one per workspace action, after the HL7 Gravity SDOH "Task for referral
 * management" pattern: status for the lifecycle, businessStatus for where the work is, statusReason
 * for why it ended, output for what it produced. No I/O: callers write the result with If-Match.
 */

export interface ChangeContext {
  actor: Actor;
  now: Date;
  /** Failed contact attempts after which the case becomes "could not contact" (config). */
  maxContactAttempts: number;
  /** The user's PractitionerRole in their organisation (`PractitionerRole/…`), when they have one. */
  actorRole?: string;
  /** Display names of directory services, by HealthcareService id (plan). */
  serviceNames?: Record<string, string>;
  /** The link worker being assigned (assign): their PractitionerRole and name. */
  assignee?: { reference: string; display: string };
  /** Patient reference for outcome Observations (absolute URL of the Patient in the GP record). */
  patientReference?: string;
  /** Absolute base of the link-worker endpoint (Provenance entity URLs). */
  linkWorkerBase?: string;
  /** The recorded outcome Observation a correction is about, as read from the link-worker endpoint. */
  observation?: Observation;
  /** Months after completion at which a follow-up is due (config `workspace.followUpMonths`); none when absent. */
  followUpMonths?: readonly number[];
}

export interface TaskChange {
  task: Task;
  /** New outcome Observations, referenced from task.output by `urn:uuid:` fullUrls. */
  observations: { fullUrl: string; resource: Observation }[];
  /** Existing outcome Observations changed in place (corrections), each with the version it was read at. */
  updates?: { resource: Observation; ifMatch: string }[];
  /** What happened, for the Provenance and the audit trail (an action on the case, or the manager's identity review). */
  activity: ActionKind | 'identity-review';
}

export type BuildResult = { ok: true; change: TaskChange } | { ok: false; message: string };

const fail = (message: string): BuildResult => ({ ok: false, message });

export function clone(task: Task): Task {
  return structuredClone(task);
}

const businessStatus = (code: BusinessStatusCode) => ({
  coding: [{ system: CODE_SYSTEM.businessStatus, code, display: displayOf('businessStatus', code) }],
  text: displayOf('businessStatus', code),
});

const statusReason = (code: string, note?: string) => ({
  coding: [{ system: CODE_SYSTEM.statusReason, code, display: displayOf('statusReason', code) }],
  text: note ?? displayOf('statusReason', code),
});

const outputOf = (code: string, value: Partial<TaskOutput>): TaskOutput =>
  ({ type: { coding: [{ system: CODE_SYSTEM.taskOutputType, code, display: displayOf('taskOutputType', code) }] }, ...value }) as TaskOutput;

export function entry(ctx: ChangeContext, heading: string, detail?: string, date?: string): ReturnType<typeof note> {
  return note({ heading, detail, time: date ?? ctx.now.toISOString(), author: actorRef(ctx) as { reference: string; display: string } });
}

export const actorRef = (ctx: { actor: Actor }): Reference => ({ reference: ctx.actor.practitioner, display: ctx.actor.name });

export function touch(task: Task, ctx: ChangeContext): Task {
  task.lastModified = ctx.now.toISOString();
  return task;
}

/** Gravity's Task.owner may be the person doing the work; the role ties them to the organisation. */
function setAssignee(task: Task, ref: Reference): void {
  task.owner = ref as Task['owner'];
}

function replaceOutput(task: Task, code: string, outputs: TaskOutput[]): void {
  task.output = [...(task.output ?? []).filter((o) => o.type?.coding?.[0]?.code !== code || o.type.coding[0].system !== CODE_SYSTEM.taskOutputType), ...outputs];
}

const ok = (task: Task, activity: ActionKind, observations: TaskChange['observations'] = []): BuildResult => ({ ok: true, change: { task, observations, activity } });

function requireOpen(task: Task): string | undefined {
  if (isTerminalTaskStatus(task.status)) return 'This case is closed and can no longer be changed.';
  if (isNewTaskStatus(task.status)) return 'Accept the referral first.';
  return undefined;
}

export function accept(task: Task, _input: ActionInput<'accept'>, ctx: ChangeContext): BuildResult {
  if (!isNewTaskStatus(task.status)) return fail('Only a new referral can be accepted.');
  const t = clone(task);
  t.status = 'accepted';
  t.businessStatus = businessStatus('awaiting-contact');
  delete t.statusReason;
  if (!readCase(task).assignee && ctx.actorRole) setAssignee(t, { reference: ctx.actorRole, display: ctx.actor.name });
  return ok(touch(t, ctx), 'accept');
}

export function decline(task: Task, input: ActionInput<'decline'>, ctx: ChangeContext): BuildResult {
  if (!isNewTaskStatus(task.status)) return fail('Only a new referral can be declined; close the case instead.');
  const t = clone(task);
  t.status = 'rejected';
  t.statusReason = statusReason(input.reason, input.note);
  delete t.businessStatus;
  t.note = [...(t.note ?? []), entry(ctx, `Declined: ${displayOf('statusReason', input.reason) ?? input.reason}`, input.note)];
  return ok(touch(t, ctx), 'decline');
}

export function assign(task: Task, input: ActionInput<'assign'>, ctx: ChangeContext): BuildResult {
  if (isTerminalTaskStatus(task.status)) return fail('This case is closed and can no longer be changed.');
  if (!ctx.assignee || ctx.assignee.reference !== input.linkWorker) return fail('Select a link worker from your team.');
  const t = clone(task);
  setAssignee(t, ctx.assignee);
  return ok(touch(t, ctx), 'assign');
}

export function recordContact(task: Task, input: ActionInput<'contact'>, ctx: ChangeContext): BuildResult {
  const closed = requireOpen(task);
  if (closed) return fail(closed);
  const t = clone(task);
  const method = displayOf('contactMethod', input.method) ?? input.method;
  const success = input.outcome === 'successful';
  t.note = [...(t.note ?? []), entry(ctx, success ? HEADING.contactMade(method) : HEADING.contactFailed(method), input.note, input.date)];
  const state = readCase(t);
  if (success) {
    t.status = 'in-progress';
    if (state.sessions.length === 0) t.businessStatus = businessStatus('first-contact-made');
  } else if (state.successfulContacts === 0 && state.failedContacts >= ctx.maxContactAttempts) {
    // After N failed attempts without any contact the referral goes back as "could not contact" (status table in src/referral-model/README.md: failed).
    t.status = 'failed';
    t.businessStatus = businessStatus('could-not-contact');
    t.statusReason = statusReason('could-not-contact', `No contact after ${state.failedContacts} attempts`);
  } else if (state.successfulContacts === 0) {
    t.businessStatus = businessStatus('contact-attempted');
  }
  return ok(touch(t, ctx), 'contact');
}

export function recordSession(task: Task, input: ActionInput<'session'>, ctx: ChangeContext): BuildResult {
  const closed = requireOpen(task);
  if (closed) return fail(closed);
  const t = clone(task);
  const mode = displayOf('sessionMode', input.mode) ?? input.mode;
  t.note = [...(t.note ?? []), entry(ctx, HEADING.session(mode, input.durationMinutes), input.notes, input.date)];
  const sessions = readCase(t).sessions.length;
  t.status = 'in-progress';
  // The first session is the "what matters to me" conversation; later ones keep the case ongoing.
  const current = readCase(task).businessStatus;
  if (sessions === 1 && current !== 'plan-agreed' && current !== 'connected-to-service') t.businessStatus = businessStatus('what-matters-conversation');
  else if (sessions > 1 && current !== 'connected-to-service') t.businessStatus = businessStatus('sessions-ongoing');
  replaceOutput(t, 'sessions-held', [outputOf('sessions-held', { valueInteger: sessions })]);
  return ok(touch(t, ctx), 'session');
}

export function recordPlan(task: Task, input: ActionInput<'plan'>, ctx: ChangeContext): BuildResult {
  const closed = requireOpen(task);
  if (closed) return fail(closed);
  const t = clone(task);
  const names = ctx.serviceNames ?? {};
  const unknown = input.services.filter((id) => !names[id]);
  if (unknown.length > 0) return fail('Select services from the directory.');
  const goals = input.goals.map((g, i) => `${i + 1}. ${g}`).join('\n');
  t.note = [...(t.note ?? []), entry(ctx, HEADING.plan, `What matters to me: ${input.whatMatters}\nGoals:\n${goals}`)];
  // The reconciler copies activity-referred as text into the GP record (valueString), so the name travels, not the id.
  replaceOutput(t, 'activity-referred', input.services.map((id) => outputOf('activity-referred', { valueString: names[id] })));
  t.status = 'in-progress';
  t.businessStatus = businessStatus(input.services.length > 0 ? 'connected-to-service' : 'plan-agreed');
  return ok(touch(t, ctx), 'plan');
}

export function recordOutcome(task: Task, input: ActionInput<'outcome'>, ctx: ChangeContext): BuildResult {
  // A completed case takes measures again while a follow-up is due, and on the day one was recorded (the other measures).
  const followUp = followUpOpen(task, londonDate(ctx.now), ctx.followUpMonths ?? []);
  const closed = followUp ? undefined : requireOpen(task);
  if (closed) return fail(task.status === 'completed' ? 'No follow-up is due for this case, so no more measures can be recorded.' : closed);
  const t = clone(task);
  // Completed before SP Link recorded when (another system, or earlier): the last change before this one is when.
  if (followUp && !t.executionPeriod?.end && task.lastModified) t.executionPeriod = { ...t.executionPeriod, end: task.lastModified };
  if (followUp && !followUp.doneOn) {
    const name = findInstrument(input.instrument)?.display ?? input.instrument;
    t.note = [...(t.note ?? []), entry(ctx, followUpHeading(followUp.months), `Outcome measures repeated: ${name}`)];
  }
  const fullUrl = `urn:uuid:${crypto.randomUUID()}`;
  if (!ctx.patientReference) return fail('The person could not be identified in the GP record, so the outcome cannot be recorded yet. Try again later.');
  const observation = buildOutcomeObservation(task, input, { actor: ctx.actor, patientReference: ctx.patientReference });
  t.output = [...(t.output ?? []), outputOf('outcome-measure', { valueReference: { reference: fullUrl, display: observation.code.text } })];
  return ok(touch(t, ctx), 'outcome', [{ fullUrl, resource: observation }]);
}

/**
 * The link worker changes the person's needs (referral-model/needs-change.ts): the needs as found replace any earlier
 * change, and the case record says what changed and why; the GP sees both in SP Link.
 */
export function changeNeeds(task: Task, input: ActionInput<'needs'>, ctx: ChangeContext): BuildResult {
  const closed = requireOpen(task);
  if (closed) return fail(closed);
  const before = readNeedsChange(task)?.codes ?? referralNeedCodes(task);
  const after = [...new Set(input.needs)];
  if (after.length === before.length && after.every((c) => before.includes(c))) return fail('Those are the needs already recorded. Change at least one need.');
  const t = clone(task);
  replaceOutput(t, 'needs-identified', after.map((code) => outputOf('needs-identified', { valueCodeableConcept: needConcept(code) })));
  t.note = [...(t.note ?? []), entry(ctx, NEEDS_CHANGED_HEADING, needsChangeText(before, after, input.reason))];
  return ok(touch(t, ctx), 'needs');
}

export function raiseSafeguarding(task: Task, input: ActionInput<'safeguarding'>, ctx: ChangeContext): BuildResult {
  if (isTerminalTaskStatus(task.status)) return fail('This case is closed and can no longer be changed.');
  const t = clone(task);
  const P = EXTENSION_PART.safeguardingConcern;
  t.extension = [
    ...(t.extension ?? []).filter((e) => e.url !== EXTENSION.safeguardingConcern),
    { url: EXTENSION.safeguardingConcern, extension: [{ url: P.flag, valueBoolean: true }, { url: P.detail, valueString: input.detail }] },
  ];
  // Urgent so the concern is carried to the GP ahead of routine work.
  t.priority = 'urgent';
  t.note = [...(t.note ?? []), entry(ctx, HEADING.safeguarding, input.detail)];
  return ok(touch(t, ctx), 'safeguarding');
}

export function complete(task: Task, input: ActionInput<'complete'>, ctx: ChangeContext): BuildResult {
  const closed = requireOpen(task);
  if (closed) return fail(closed);
  const t = clone(task);
  t.status = 'completed';
  // When support ended: follow-ups are due at set months from this day (follow-up.ts).
  t.executionPeriod = { ...t.executionPeriod, end: ctx.now.toISOString() };
  t.businessStatus = businessStatus('support-completed');
  delete t.statusReason;
  replaceOutput(t, 'summary', [outputOf('summary', { valueString: input.summary })]);
  replaceOutput(t, 'social-outcome', input.socialOutcomes.map((code) => outputOf('social-outcome', { valueCodeableConcept: socialOutcomeConcept(code) })));
  const social = input.socialOutcomes.map((c) => socialOutcomeDisplay(c) ?? c);
  t.note = [...(t.note ?? []), entry(ctx, 'Support completed; summary sent to the GP', social.length ? `Social outcomes: ${social.join('; ')}` : undefined)];
  return ok(touch(t, ctx), 'complete');
}

/**
 * Signpost only (triage): the person gets information about other support and is not taken on as a case. The
 * referral ends completed with the signposting as its summary, so the referrer learns what was offered.
 */
export function signpost(task: Task, input: ActionInput<'signpost'>, ctx: ChangeContext): BuildResult {
  if (!isNewTaskStatus(task.status)) return fail('Only a new referral can be answered with signposting; complete or close the case instead.');
  const names = ctx.serviceNames ?? {};
  if (input.services.some((id) => !names[id])) return fail('Select services from the directory.');
  const t = clone(task);
  const to = input.services.map((id) => names[id]!);
  const summary = `Signposted to other support; not taken on for link-worker support.${to.length ? ` Information given about: ${to.join(', ')}.` : ''} ${input.advice}`;
  t.status = 'completed';
  t.businessStatus = businessStatus('signposted');
  delete t.statusReason;
  replaceOutput(t, 'summary', [outputOf('summary', { valueString: summary })]);
  t.note = [...(t.note ?? []), entry(ctx, 'Signposted only', `${to.length ? `Information given about: ${to.join(', ')}\n` : ''}${input.advice}`)];
  return ok(touch(t, ctx), 'signpost');
}

export function close(task: Task, input: ActionInput<'close'>, ctx: ChangeContext): BuildResult {
  if (isTerminalTaskStatus(task.status)) return fail('This case is already closed.');
  const t = clone(task);
  // "Could not contact" ends as failed (GP is told); any other reason cancels (status table in src/referral-model/README.md).
  t.status = input.reason === 'could-not-contact' ? 'failed' : 'cancelled';
  t.statusReason = statusReason(input.reason, input.note);
  t.note = [...(t.note ?? []), entry(ctx, `Closed: ${displayOf('statusReason', input.reason) ?? input.reason}`, input.note)];
  return ok(touch(t, ctx), 'close');
}

type Builder<K extends ActionKind> = (task: Task, input: ActionInput<K>, ctx: ChangeContext) => BuildResult;

export const BUILDERS: { [K in ActionKind]: Builder<K> } = {
  accept,
  decline,
  assign,
  contact: recordContact,
  session: recordSession,
  plan: recordPlan,
  outcome: recordOutcome,
  'correct-outcome': correctOutcome,
  'outcome-error': markOutcomeInError,
  safeguarding: raiseSafeguarding,
  needs: changeNeeds,
  complete,
  signpost,
  close,
};

export function buildChange<K extends ActionKind>(kind: K, task: Task, input: ActionInput<K>, ctx: ChangeContext): BuildResult {
  return (BUILDERS[kind] as Builder<K>)(task, input, ctx);
}
