import type { Communication, CommunicationPayload, Flag, Observation, Organization, Reference, ServiceRequest } from '@medplum/fhirtypes';
import {
  CODE_SYSTEM, COMMUNICATION_TOPICS, EXTENSION, FLAG_CODES, IDENTIFIER_SYSTEM, PRSB_SECTIONS, PROFILE, STATUS_REASONS,
  writeBackIdentifierValue, type CommunicationTopicCode, type FlagCode,
} from '../../referral-model/codes.js';
import { linkWorkerUrl } from './references.js';
import type { BadInputKind, ParsedTask, Topology, UnusedOutput } from './types.js';

export interface MessageContext {
  readonly topology: Topology;
  readonly task: ParsedTask;
  readonly patientId: string;
  readonly serviceRequest: ServiceRequest & { id: string };
  /** Outcome measures copied into the record with this Task version (for the completion message). */
  readonly outcomes?: readonly Observation[];
  /** Resulting activities (Gravity `resulting-activity`: Procedures or codes), one line each. */
  readonly activities?: readonly string[];
  /** Outputs SP Link could not carry into the record: each still gets a line, so the GP knows to ask. */
  readonly notCarried?: readonly UnusedOutput[];
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

/** What the link worker did, as lines: summary, sessions, services connected to, resulting activities. */
function supportLines(ctx: MessageContext): string[] {
  const lines: string[] = [];
  for (const o of ctx.task.outputs) {
    if (o.type === 'summary') lines.push(o.text);
    else if (o.type === 'sessions-held') lines.push(`Sessions held: ${o.count}`);
    else if (o.type === 'activity-referred') lines.push(`Connected to: ${o.text}`);
  }
  for (const a of ctx.activities ?? []) lines.push(`Activity: ${a}`);
  return lines;
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
      topics.push(couldNotContact ? 'could-not-contact' : 'referral-cancelled');
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
      break;
    case 'entered-in-error':
      break;
    default:
      task.status satisfies never;
  }
  if (task.safeguarding) topics.push('safeguarding-concern');
  return topics;
}

function messageText(topic: CommunicationTopicCode, ctx: MessageContext): string {
  const task = ctx.task;
  const title = COMMUNICATION_TOPICS.find((x) => x.code === topic)!.display;
  const reason = task.reasonText ?? STATUS_REASONS.find((r) => r.code === task.reasonCode)?.display;
  const lines = [title + (reason && topic !== 'safeguarding-concern' && topic !== 'referral-completed' ? `: ${reason}` : '')];
  switch (topic) {
    case 'referral-completed':
      lines.push(...supportLines(ctx), ...notCarriedLines(ctx.notCarried));
      break;
    case 'safeguarding-concern':
      lines.push(task.safeguarding?.detail ?? 'The link worker raised a safeguarding concern. Please contact the link-worker service.');
      break;
    case 'referral-declined':
    case 'referral-cancelled':
    case 'could-not-contact':
      lines.push(...notCarriedLines(ctx.notCarried));
      break;
    default:
      topic satisfies never;
  }
  return lines.join('\n\n');
}

const sender = (ctx: MessageContext): Reference<Organization> => ({
  display: ctx.task.ownerDisplay ?? ctx.topology.endpointName,
  ...(ctx.topology.ownerOdsCode ? { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: ctx.topology.ownerOdsCode } } : {}),
});

export function communicationIdentifier(t: Topology, taskId: string, topic: CommunicationTopicCode): string {
  return writeBackIdentifierValue([t.endpointId, 'Task', taskId, topic]);
}

/** A message to the referrer (SR.requester) about the referral; safeguarding concerns are urgent. */
export function buildCommunication(topic: CommunicationTopicCode, ctx: MessageContext): { identifier: string; resource: Communication } {
  const t = ctx.topology;
  const identifier = communicationIdentifier(t, ctx.task.id, topic);
  const display = COMMUNICATION_TOPICS.find((x) => x.code === topic)!.display;
  const resource: Communication = {
    resourceType: 'Communication',
    meta: { profile: [PROFILE.gpCommunication], source: linkWorkerUrl(t, 'Task', ctx.task.id, ctx.task.version) },
    identifier: [{ system: IDENTIFIER_SYSTEM.gpCommunication, value: identifier }],
    status: 'completed',
    priority: topic === 'safeguarding-concern' ? 'urgent' : 'routine',
    topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: topic, display }] },
    subject: { reference: `Patient/${ctx.patientId}` },
    basedOn: [{ reference: `ServiceRequest/${ctx.serviceRequest.id}` }],
    ...(ctx.serviceRequest.requester ? { recipient: [stripped(ctx.serviceRequest.requester)] } : {}),
    sender: sender(ctx),
    sent: ctx.task.lastModified,
    payload: topic === 'referral-completed' ? completionPayload(ctx) : [{ contentString: messageText(topic, ctx) }],
  };
  return { identifier, resource };
}

/**
 * The message back to the GP when support ends (PRSB Social Prescribing Information Standard, "message back
 * to GP and referrer"): one payload per section, tagged with its PRSB section code.
 */
function completionPayload(ctx: MessageContext): CommunicationPayload[] {
  const section = (code: (typeof PRSB_SECTIONS)[number]['code'], text: string): CommunicationPayload => ({
    extension: [{ url: EXTENSION.prsbSection, valueCoding: { system: CODE_SYSTEM.prsbSection, code, display: PRSB_SECTIONS.find((s) => s.code === code)!.display } }],
    contentString: text,
  });
  const sr = ctx.serviceRequest;
  const needs = (sr.reasonCode ?? []).map((c) => c.text ?? c.coding?.[0]?.display ?? c.coding?.[0]?.code).filter(Boolean);
  const support = supportLines(ctx);
  const outcomes = (ctx.outcomes ?? []).map((o) => {
    const score = o.valueInteger ?? (o.component ?? []).map((c) => `${c.code?.coding?.[0]?.display ?? c.code?.coding?.[0]?.code}: ${c.valueInteger}`).join('; ');
    return `${o.code?.text ?? o.code?.coding?.[0]?.display ?? 'Outcome'} (${o.effectiveDateTime ?? 'undated'}): ${score}`;
  });
  return [
    section('person-demographics', `Patient/${ctx.patientId} in this record (as referred by ServiceRequest/${sr.id}).`),
    section('needs-and-concerns', needs.length ? needs.join('; ') : 'As stated in the referral.'),
    section('support-offered', support.length ? support.join('\n') : 'Social prescribing link worker support.'),
    section('outcomes', [...(outcomes.length ? outcomes : ['No outcome measures were recorded.']), ...notCarriedLines(ctx.notCarried)].join('\n')),
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
