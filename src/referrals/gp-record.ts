import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Communication, Patient, Reference, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { composeMessageBack, messageNarrative, messagePayloads } from '../message-back/index.js';
import { CODE_SYSTEM, COMMUNICATION_TOPICS, IDENTIFIER_SYSTEM, PROFILE, writeBackIdentifierValue } from '../referral-model/codes.js';
import { buildProvenance, SP_LINK_AGENT } from '../referral-model/provenance.js';
import { REFERRAL_SOURCE_EXTENSION, referralSourceOf } from '../referral-model/referral-source.js';
import { referralSearchKey } from './build-bundles.js';

/**
 * What the GP record gets when a referral the person or an agency made is linked to a registered patient and the
 * person agreed that their GP is told (pure): the referral as an SPLinkReferral `ServiceRequest` with the true
 * requester (the Patient for a self-referral, the agency for an agency referral), a `Communication` to the practice
 * saying so (topic `referral-received`, `about` the ServiceRequest), and a Provenance; both conditional creates on their identifiers, so writing
 * the plan again finds what the first write made. Built from the link-worker Task's contained copy, so the GP record
 * holds what the link worker holds.
 */

export interface GpRecordContext {
  /** The registered patient identity matching or the service manager linked, at the practice's EHR. */
  patient: { id: string; nhsNumber: string };
  /** The practice: the message's recipient. */
  practice: { name: string; odsCode?: string };
  now: Date;
}

export interface GpRecordPlan {
  bundle: Bundle;
  serviceRequest: ServiceRequest;
  communication: Communication;
  /** The ServiceRequest's identifier, what the write is conditional on (`system|value`). */
  referralKey: { system: string; value: string };
}

const TOPIC = 'referral-received' as const;

/** The Communication's identifier value: one message per referral. */
export const receivedMessageIdentifier = (referralId: string) => writeBackIdentifierValue(['referral', referralId, TOPIC]);

const post = (fullUrl: string, resource: Resource, ifNoneExist?: string): BundleEntry => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: resource.resourceType, ...(ifNoneExist ? { ifNoneExist } : {}) },
});

/**
 * A reference as it reads outside the Task: the contained person becomes the EHR Patient; another contained
 * resource (an agency's Organization or PractitionerRole) becomes its identifier and name; anything else stays.
 */
function outsideTask(ref: Reference, task: Task, patient: Reference): Reference {
  const local = ref.reference?.startsWith('#') ? ref.reference.slice(1) : undefined;
  if (local === undefined) return ref;
  const contained = task.contained?.find((r) => r.id === local);
  if (!contained || contained.resourceType === 'Patient') return { ...patient, ...(ref.display ? { display: ref.display } : {}) };
  const identifier = 'identifier' in contained && Array.isArray(contained.identifier) ? contained.identifier.find((i) => i.value) : undefined;
  const name = 'name' in contained && typeof contained.name === 'string' ? contained.name : undefined;
  return {
    type: contained.resourceType,
    ...(identifier ? { identifier: { ...(identifier.system ? { system: identifier.system } : {}), value: identifier.value } } : {}),
    ...(ref.display ?? name ? { display: ref.display ?? name } : {}),
  };
}

/** Every Reference inside a resource, rewritten (the copy keeps its shape; only `reference` objects change). */
function rewriteReferences<T>(value: T, map: (r: Reference) => Reference): T {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, map)) as T;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.reference === 'string' && o.reference.startsWith('#')) return map(o as Reference) as T;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, rewriteReferences(v, map)])) as T;
  }
  return value;
}

function containedReferral(task: Task): ServiceRequest | undefined {
  const ref = task.input?.find((i) => i.valueReference?.reference?.startsWith('#'))?.valueReference?.reference?.slice(1);
  return (task.contained?.find((r) => r.resourceType === 'ServiceRequest' && (!ref || r.id === ref)) ??
    task.contained?.find((r) => r.resourceType === 'ServiceRequest')) as ServiceRequest | undefined;
}

export function planGpRecord(task: Task, ctx: GpRecordContext, uuid: () => string = randomUUID): GpRecordPlan {
  const copy = containedReferral(task);
  if (!copy) throw new Error('the Task carries no copy of the referral');
  const key = task.focus?.identifier ?? copy.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.referral);
  if (!key?.system || !key.value) throw new Error('the Task names no referral identifier');
  const nhs = { system: IDENTIFIER_SYSTEM.nhsNumber, value: ctx.patient.nhsNumber };
  const patient: Reference = { reference: `Patient/${ctx.patient.id}` };
  const subject: Reference<Patient> = { reference: `Patient/${ctx.patient.id}`, identifier: nhs };
  const { id: _id, meta: _meta, ...rest } = copy;
  const source = referralSourceOf(task);
  const body = rewriteReferences(rest, (r) => outsideTask(r, task, patient));
  const sr: ServiceRequest = {
    ...body,
    resourceType: 'ServiceRequest',
    meta: { profile: [PROFILE.referral] },
    extension: [...(body.extension ?? []).filter((e) => e.url !== REFERRAL_SOURCE_EXTENSION), { url: REFERRAL_SOURCE_EXTENSION, valueCode: source }],
    subject,
    requester: outsideTask(task.requester ?? copy.requester ?? patient, task, patient) as ServiceRequest['requester'],
  };
  const srUrl = `urn:uuid:${uuid()}`;
  const commUrl = `urn:uuid:${uuid()}`;
  const owner = task.owner;
  const from = owner?.display ?? copy.performer?.[0]?.display ?? 'The social prescribing link-worker service';
  const ownerOds = owner?.identifier?.system === IDENTIFIER_SYSTEM.odsOrganisation ? owner.identifier : undefined;
  const message = composeMessageBack({
    topic: TOPIC,
    from,
    sent: ctx.now.toISOString(),
    referral: {
      ...(sr.requester?.display ? { requester: sr.requester.display } : {}),
      ...(sr.authoredOn ? { authoredOn: sr.authoredOn } : {}),
      needs: (sr.reasonCode ?? []).map((c) => c.text ?? c.coding?.[0]?.display ?? '').filter(Boolean),
      ...(sr.priority ? { priority: sr.priority } : {}),
      ...(sr.performer?.[0]?.display ? { service: sr.performer[0].display } : {}),
    },
  });
  const identifier = receivedMessageIdentifier(key.value);
  const topic = COMMUNICATION_TOPICS.find((t) => t.code === TOPIC)!;
  const communication: Communication = {
    resourceType: 'Communication',
    meta: { profile: [PROFILE.gpCommunication] },
    identifier: [{ system: IDENTIFIER_SYSTEM.gpCommunication, value: identifier }],
    basedOn: [{ reference: srUrl }],
    // What the message is about: the referral itself (there is no GP Task behind it to point at).
    about: [{ reference: srUrl }],
    status: 'completed',
    priority: sr.priority === 'routine' || !sr.priority ? 'routine' : 'urgent',
    topic: { coding: [{ system: CODE_SYSTEM.communicationTopic, code: topic.code, display: topic.display }] },
    subject,
    recipient: [{ type: 'Organization', ...(ctx.practice.odsCode ? { identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: ctx.practice.odsCode } } : {}), display: ctx.practice.name }],
    sender: { display: from, ...(ownerOds ? { identifier: ownerOds } : {}) },
    sent: ctx.now.toISOString(),
    text: messageNarrative(message),
    payload: messagePayloads(message),
  };
  const provenance = buildProvenance({
    targets: [srUrl, commUrl],
    recorded: ctx.now,
    activity: 'CREATE',
    activityText: source === 'self' ? 'Self-referral recorded for the GP' : 'Agency referral recorded for the GP',
    agents: [
      { role: 'author', who: sr.requester as Reference },
      { role: 'assembler', who: SP_LINK_AGENT },
    ],
  });
  return {
    serviceRequest: sr,
    communication,
    referralKey: { system: key.system, value: key.value },
    bundle: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        post(srUrl, sr, referralSearchKey(key.system, key.value)),
        post(commUrl, communication, `identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.gpCommunication}|${identifier}`)}`),
        post(`urn:uuid:${uuid()}`, provenance),
      ],
    },
  };
}

/**
 * The outbox row (src/referrals/outbox-port.ts) that writes a linked referral into the practice’s EHR, for the person
 * who agreed that their GP is told: at submission when matching linked them, or when the service manager links them.
 */
export function gpRecordRow(task: Task, o: { tenantId: string; endpointId: string; referralId: string; patientId: string; nhsNumber: string; practice: { name: string; odsCode?: string }; now: Date }) {
  const plan = planGpRecord(task, { patient: { id: o.patientId, nhsNumber: o.nhsNumber }, practice: { name: o.practice.name, ...(o.practice.odsCode ? { odsCode: o.practice.odsCode } : {}) }, now: o.now });
  return { tenantId: o.tenantId, endpointId: o.endpointId, referralIdentifier: o.referralId, task, ehrBundle: plan.bundle };
}
