import type { Communication, CommunicationPayload, Flag, Observation, Organization, Reference, ServiceRequest } from '@medplum/fhirtypes';
import {
  CODE_SYSTEM, COMMUNICATION_TOPICS, FLAG_CODES, IDENTIFIER_SYSTEM, PROFILE, STATUS_REASONS,
  writeBackIdentifierValue, type CommunicationTopicCode, type FlagCode,
} from '../../referral-model/codes.js';
import { composeMessageBack, messageNarrative, messagePayloads, referencePayload, type MessageFacts } from '../../message-back/index.js';
import { suggestedService } from '../../referral-model/referral-routes.js';
import { REFERRAL_SOURCE_EXTENSION } from '../../referral-model/referral-source.js';
import { linkWorkerUrl } from './references.js';
import { endReasonText } from '../../referral-model/status-reason.js';
import type { BadInputKind, ParsedTask, Topology, UnusedOutput } from './types.js';

export interface MessageContext {
  readonly topology: Topology;
  readonly task: ParsedTask;
  readonly patientId: string;
  readonly serviceRequest: ServiceRequest & { id: string };
  /** Outcome measures copied into the record with this Task version (for the completion message). */
  readonly outcomes?: readonly Observation[];
  /** Services and activities the person was connected to (`activity-referred`), by name. */
  readonly connectedTo?: readonly string[];
  /** Resulting activities (Gravity `resulting-activity`: Procedures or codes), one line each. */
  readonly activities?: readonly string[];
  /** Onward referrals to community groups and their outcome, one line each (onward-referral.ts onwardOutcomeLine). */
  readonly onward?: readonly string[];
  /** Social outcomes at closing, in words. */
  readonly socialOutcomes?: readonly string[];
  /** Outputs SP Link could not carry into the record: each still gets a line, so the GP knows to ask. */
  readonly notCarried?: readonly UnusedOutput[];
  /** A progress update after support ended: a group's late answer to an onward referral (`onward`). */
  readonly afterSupportEnded?: boolean;
}

/** Why an output was not carried, in words for the GP (the operator's reason, with ids, goes to Provenance). */
const NOT_CARRIED_WHY: Partial<Record<BadInputKind, string>> = {
  'unknown-output-type': 'a kind of result SP Link does not recognise',
  'unknown-instrument': 'not a recognised outcome measure',
  'score-out-of-range': "a score outside the measure's range",
  'output-not-found': 'could not be read from the link-worker service',
  'output-other-server': 'held on another system',
  'invalid-output': 'incomplete',
  oversized: 'too long to copy',
};

/** One line per output not carried into the record; free text it carried is shown as sent. */
export function notCarriedLines(items: readonly UnusedOutput[] | undefined): string[] {
  return (items ?? []).map((u) => u.text
    ? `Also reported (${u.label}): ${u.text}`
    : `Not copied into this record (${u.label}): ${NOT_CARRIED_WHY[u.why] ?? 'not usable here'}; ask the link-worker service for details.`);
}

/** Communication topics a Task version calls for; one Communication per topic per Task, ever. */
export function topicsFor(task: ParsedTask): CommunicationTopicCode[] {
  const topics: CommunicationTopicCode[] = [];
  const reasonBy = STATUS_REASONS.find((r) => r.code === task.reasonCode)?.by;
  const couldNotContact = task.reasonCode === 'could-not-contact' || task.businessStatus === 'could-not-contact';
  switch (task.status) {
    case 'rejected':
      topics.push('referral-declined');
      break;
    case 'cancelled':
      // The GP cancelled it themselves: no need to tell them.
      if (reasonBy !== 'gp') topics.push(couldNotContact ? 'could-not-contact' : 'referral-cancelled');
      break;
    case 'failed':
      // The service tried and could not finish: not the same as a cancellation, and the GP may need to act.
      topics.push(couldNotContact ? 'could-not-contact' : 'referral-not-completed');
      break;
    case 'completed':
      // Always: a completion without a summary (e.g. Gravity outputs only) still tells the GP it is done.
      topics.push('referral-completed');
      break;
    case 'draft':
    case 'requested':
    case 'received':
    case 'accepted':
    case 'ready':
    case 'in-progress':
    case 'on-hold':
      if (couldNotContact) topics.push('could-not-contact');
      // Where the link worker is (businessStatus), once per stage: visible in the record, not only in SP Link.
      else if (task.progress) topics.push('referral-progress');
      break;
    case 'entered-in-error':
      break;
    default:
      task.status satisfies never;
  }
  if (task.safeguarding) topics.push('safeguarding-concern');
  return topics;
}

/** The facts of a message, in words: names from the referral and the Task, never ids. */
function messageFacts(topic: CommunicationTopicCode, ctx: MessageContext): MessageFacts {
  const { task, serviceRequest: sr } = ctx;
  const reason = endReasonText(task.task.statusReason);
  const needs = (sr.reasonCode ?? []).map((c) => c.text ?? c.coding?.find((x) => x.display)?.display).filter((x): x is string => !!x);
  // The service the GP chose: its suggestion when the referral went via the link-worker service (referral-routes.ts).
  const suggested = suggestedService(sr)?.display;
  const service = suggested ?? sr.performer?.find((p) => p.display)?.display ?? sr.code?.text ?? sr.code?.coding?.find((c) => c.display)?.display;
  const summary: string[] = [];
  const needsFound: string[] = [];
  let sessionsHeld: number | undefined;
  for (const o of task.outputs) {
    if (o.type === 'summary') summary.push(o.text);
    else if (o.type === 'sessions-held') sessionsHeld = o.count;
    else if (o.type === 'needs-identified') needsFound.push(o.text);
  }
  return {
    topic,
    from: senderName(ctx),
    sent: task.lastModified,
    ...(reason ? { reason } : {}),
    referral: {
      ...(sr.requester?.display ? { requester: sr.requester.display } : {}),
      ...(sr.authoredOn ? { authoredOn: sr.authoredOn } : {}),
      needs,
      ...(needsFound.length ? { needsFound } : {}),
      ...(sr.priority ? { priority: sr.priority } : {}),
      ...(service ? { service } : {}),
    },
    summary,
    ...(sessionsHeld !== undefined ? { sessionsHeld } : {}),
    connectedTo: ctx.connectedTo ?? [],
    activities: ctx.activities ?? [],
    onward: ctx.onward ?? [],
    outcomes: ctx.outcomes ?? [],
    socialOutcomes: ctx.socialOutcomes ?? [],
    notCarried: notCarriedLines(ctx.notCarried),
    ...(task.safeguarding?.detail ? { safeguardingDetail: task.safeguarding.detail } : {}),
    ...(topic === 'referral-progress' && task.progress ? { progress: task.progress.text } : {}),
    ...(topic === 'referral-progress' && ctx.afterSupportEnded ? { afterSupportEnded: true } : {}),
  };
}

const senderName = (ctx: MessageContext) => ctx.task.ownerDisplay ?? ctx.topology.endpointName;

/** The Task owner's own ODS code (a provider taking referrals direct), else the endpoint's. */
const ownerOds = (ctx: MessageContext): string | undefined => {
  const i = ctx.task.task.owner?.identifier;
  return i?.system === IDENTIFIER_SYSTEM.odsOrganisation && i.value ? i.value : ctx.topology.ownerOdsCode;
};

const sender = (ctx: MessageContext): Reference<Organization> => ({
  display: senderName(ctx),
  ...(ownerOds(ctx) ? { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: ownerOds(ctx) } } : {}),
});

/** One message per topic per Task; progress updates once per stage (business status) of the Task. */
export function communicationIdentifier(t: Topology, taskId: string, topic: CommunicationTopicCode, stage?: string): string {
  return writeBackIdentifierValue([t.endpointId, 'Task', taskId, topic, ...(topic === 'referral-progress' && stage ? [stage] : [])]);
}

/** A message to the referrer (SR.requester) about the referral; safeguarding concerns are urgent. */
export function buildCommunication(topic: CommunicationTopicCode, ctx: MessageContext): { identifier: string; resource: Communication } {
  const t = ctx.topology;
  const identifier = communicationIdentifier(t, ctx.task.id, topic, ctx.task.progress?.key);
  const display = COMMUNICATION_TOPICS.find((x) => x.code === topic)!.display;
  const message = composeMessageBack(messageFacts(topic, ctx));
  const resource: Communication = {
    resourceType: 'Communication',
    meta: { profile: [PROFILE.gpCommunication], source: linkWorkerUrl(t, 'Task', ctx.task.id, ctx.task.version) },
    identifier: [{ system: IDENTIFIER_SYSTEM.gpCommunication, value: identifier }],
    status: 'completed',
    priority: topic === 'safeguarding-concern' ? 'urgent' : 'routine',
    topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: topic, display }] },
    subject: { reference: `Patient/${ctx.patientId}` },
    basedOn: [{ reference: `ServiceRequest/${ctx.serviceRequest.id}` }],
    ...(recipients(ctx).length ? { recipient: recipients(ctx) } : {}),
    sender: sender(ctx),
    sent: ctx.task.lastModified,
    text: messageNarrative(message),
    payload: [...(topic === 'referral-completed' ? completionReferences(ctx) : []), ...messagePayloads(message)],
  };
  return { identifier, resource };
}

/**
 * The structured side of the message back at completion (PRSB "Message back to GP and referrer"): the person
 * (person demographics) and the outcome Observations copied into the record, found by their write-back
 * identifier (they are created in the same transaction, so they have no id yet).
 */
function completionReferences(ctx: MessageContext): CommunicationPayload[] {
  return [
    referencePayload('person-demographics', { reference: `Patient/${ctx.patientId}` }),
    ...(ctx.outcomes ?? []).flatMap((o) => {
      const id = o.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.outcomeObservation);
      return id ? [referencePayload('outcomes', { type: 'Observation', identifier: { system: id.system, value: id.value }, ...(o.code?.text ? { display: o.code.text } : {}) })] : [];
    }),
  ];
}

/**
 * Who a message goes to: the referrer (SR.requester), and for a referral the person or an agency made, the practice
 * too, whose record it is in. A person who referred themselves reads SP Link's messages through their GP, not in the
 * record, so a Patient requester is not a recipient.
 */
function recipients(ctx: MessageContext): NonNullable<Communication['recipient']> {
  const requester = ctx.serviceRequest.requester;
  const isPatient = requester?.type === 'Patient' || /(^|\/)Patient\//.test(requester?.reference ?? '');
  const notGp = isPatient || ctx.serviceRequest.extension?.some((e) => e.url === REFERRAL_SOURCE_EXTENSION && e.valueCode !== 'gp');
  const practice = notGp ? ctx.topology.tenants.find((x) => x.id === ctx.task.tenantId) : undefined;
  return [
    ...(requester && !isPatient ? [stripped(requester)] : []),
    ...(practice ? [{ type: 'Organization' as const, ...(practice.odsCode ? { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: practice.odsCode } } : {}), display: practice.name ?? 'GP practice' }] : []),
  ];
}

/** Keeps a Reference's pointer and display only (extensions and nested identifiers do not travel). */
function stripped(r: Reference): NonNullable<Communication['recipient']>[number] {
  return { ...(r.reference ? { reference: r.reference } : {}), ...(r.display ? { display: r.display } : {}), ...(r.identifier ? { identifier: r.identifier } : {}) } as NonNullable<Communication['recipient']>[number];
}

export function flagIdentifier(t: Topology, taskId: string, code: FlagCode): string {
  return writeBackIdentifierValue([t.endpointId, 'Task', taskId, 'flag', code]);
}

/** An alert on the patient's record (Flag) for a safeguarding concern the link worker raised. */
export function buildFlag(code: FlagCode, ctx: MessageContext): { identifier: string; resource: Flag } {
  const t = ctx.topology;
  const identifier = flagIdentifier(t, ctx.task.id, code);
  const resource: Flag = {
    resourceType: 'Flag',
    meta: { profile: [PROFILE.flag], source: linkWorkerUrl(t, 'Task', ctx.task.id, ctx.task.version) },
    identifier: [{ system: IDENTIFIER_SYSTEM.flag, value: identifier }],
    status: 'active',
    code: { coding: [{ system: CODE_SYSTEM.flagCode, code, display: FLAG_CODES.find((f) => f.code === code)!.display }] },
    subject: { reference: `Patient/${ctx.patientId}` },
    period: { start: ctx.task.lastModified },
    author: sender(ctx),
  };
  return { identifier, resource };
}
