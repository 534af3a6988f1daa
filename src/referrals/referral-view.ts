import type { Communication, Observation, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, COMMUNICATION_TOPICS, EXTENSION, STATUS_REASONS, displayOf, findInstrument, priorityToUrgency } from '../fhir/codes.js';
import { referralStatus, type RevokeHint, type StatusLabel } from './status-label.js';

/** The GP's view of one referral: status, timeline and outcome scores (first vs latest). Pure. */
export interface ReferralSummary {
  /** ServiceRequest logical id at the EHR. */
  id: string;
  /** SP Link referral id (SPL-XXXX-XXXX), or undefined for referrals made outside SP Link. */
  referralId?: string;
  version?: string;
  authoredOn?: string;
  requester?: string;
  service: string;
  needs: string[];
  urgency: string;
  status: StatusLabel;
  /** Why a referral stopped, or where the link worker is (business status). */
  detail?: string;
  cancellable: boolean;
  timeline: { at: string; text: string }[];
  outcomes: OutcomeSeries[];
}

export interface OutcomeSeries {
  /** Instrument code, plus item code for instruments scored per item. */
  key: string;
  label: string;
  min: number;
  max: number;
  /** Higher is better for most instruments; false for UCLA-3, PHQ-9, GAD-7, ONS4 anxiety, MYCaW concerns. */
  higherIsBetter: boolean;
  /** `corrected`: the link worker corrected this score after recording it (Observation status corrected/amended). */
  points: { at: string; value: number; corrected?: true }[];
}

const LOWER_IS_BETTER = new Set(['ucla3', 'phq9', 'gad7', 'ons4-anxiety', 'mycaw-concern-1', 'mycaw-concern-2']);

const refersTo = (ref: Reference | undefined, srId: string) =>
  !!ref?.reference && (ref.reference === `ServiceRequest/${srId}` || ref.reference.endsWith(`/ServiceRequest/${srId}`));

const codeIn = (cc: { coding?: { system?: string; code?: string }[] } | undefined, system: string) =>
  cc?.coding?.find((c) => c.system === system)?.code;

function revokeHint(comms: Communication[]): RevokeHint {
  const topics = comms.map((c) => codeIn(c.topic, CODE_SYSTEM.communicationTopic));
  if (topics.includes('referral-declined')) return 'declined';
  if (topics.includes('could-not-contact')) return 'could-not-contact';
  if (topics.includes('referral-cancelled')) return 'cancelled';
  return undefined;
}

export function outcomeSeries(observations: Observation[]): OutcomeSeries[] {
  const byKey = new Map<string, OutcomeSeries>();
  const add = (instrument: string, part: string, at: string, value: number | undefined, corrected: boolean) => {
    if (value === undefined) return;
    const inst = findInstrument(instrument);
    if (!inst) return;
    const range = part === 'total' ? inst.total : inst.items.find((i) => i.code === part);
    if (!range) return;
    const key = part === 'total' ? instrument : `${instrument}:${part}`;
    let s = byKey.get(key);
    if (!s) {
      const label = part === 'total' ? inst.display : (displayOf('outcomeInstrument', part) ?? part);
      s = { key, label, min: range.min, max: range.max, higherIsBetter: !LOWER_IS_BETTER.has(part === 'total' ? instrument : part), points: [] };
      byKey.set(key, s);
    }
    s.points.push({ at, value, ...(corrected ? { corrected: true as const } : {}) });
  };
  for (const o of observations) {
    // Recorded in error (or cancelled): neither charted nor listed. Corrected scores are shown as they now stand.
    if (o.status === 'entered-in-error' || o.status === 'cancelled') continue;
    const corrected = o.status === 'corrected' || o.status === 'amended';
    const instrument = codeIn(o.code, CODE_SYSTEM.outcomeInstrument);
    const at = o.effectiveDateTime ?? o.issued ?? o.meta?.lastUpdated;
    if (!instrument || !at) continue;
    add(instrument, 'total', at, o.valueInteger ?? o.valueQuantity?.value, corrected);
    for (const c of o.component ?? []) {
      const item = codeIn(c.code, CODE_SYSTEM.outcomeInstrument);
      if (item) add(instrument, item, at, c.valueInteger ?? c.valueQuantity?.value, corrected);
    }
  }
  const out = [...byKey.values()];
  for (const s of out) s.points.sort((a, b) => a.at.localeCompare(b.at));
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

export function summariseReferral(
  sr: ServiceRequest,
  related: { task?: Task; observations: Observation[]; communications: Communication[] },
  referralIdentifierSystem: string,
): ReferralSummary {
  const id = sr.id ?? '';
  const observations = related.observations.filter((o) => o.basedOn?.some((r) => refersTo(r, id)));
  const comms = related.communications.filter((c) => c.basedOn?.some((r) => refersTo(r, id)) || c.about?.some((r) => refersTo(r, id)));
  const task = related.task;
  const status = referralStatus(sr.status, task?.status, revokeHint(comms));
  const srReason = codeIn(sr.extension?.find((e) => e.url === EXTENSION.statusReason)?.valueCodeableConcept, CODE_SYSTEM.statusReason);
  const reason = (sr.status === 'revoked' ? srReason : undefined) ?? codeIn(task?.statusReason, CODE_SYSTEM.statusReason);
  const business = codeIn(task?.businessStatus, CODE_SYSTEM.businessStatus);
  const detail =
    (reason && (STATUS_REASONS.find((r) => r.code === reason)?.display ?? task?.statusReason?.text)) ||
    (business && displayOf('businessStatus', business)) ||
    undefined;

  const timeline: ReferralSummary['timeline'] = [];
  if (sr.authoredOn) timeline.push({ at: sr.authoredOn, text: `Referral sent${sr.requester?.display ? ` by ${sr.requester.display}` : ''}` });
  if (task?.lastModified && task.status !== 'requested') {
    timeline.push({ at: task.lastModified, text: `Link-worker service: ${status.label}${detail ? ` (${detail})` : ''}` });
  }
  for (const c of comms) {
    const topic = codeIn(c.topic, CODE_SYSTEM.communicationTopic);
    const title = COMMUNICATION_TOPICS.find((t) => t.code === topic)?.display ?? c.topic?.text ?? 'Message from the link-worker service';
    const text = c.payload?.map((p) => p.contentString).filter(Boolean).join(' ');
    const at = c.sent ?? c.meta?.lastUpdated;
    if (at) timeline.push({ at, text: text ? `${title}: ${text}` : title });
  }
  const outcomes = outcomeSeries(observations);
  for (const s of outcomes) for (const p of s.points) timeline.push({ at: p.at, text: `${s.label}: ${p.value}${p.corrected ? ' (corrected)' : ''}` });
  timeline.sort((a, b) => a.at.localeCompare(b.at));

  return {
    id,
    referralId: sr.identifier?.find((i) => i.system === referralIdentifierSystem)?.value,
    version: sr.meta?.versionId,
    authoredOn: sr.authoredOn,
    requester: sr.requester?.display,
    service: sr.performer?.[0]?.display ?? sr.code?.text ?? sr.code?.coding?.[0]?.display ?? 'Social prescribing',
    needs: (sr.reasonCode ?? []).map((r) => r.coding?.[0]?.display ?? r.text ?? '').filter(Boolean),
    urgency: priorityToUrgency(sr.priority),
    status,
    ...(detail ? { detail } : {}),
    cancellable: sr.status === 'active' || sr.status === 'on-hold' || sr.status === 'draft',
    timeline,
    outcomes,
  };
}
