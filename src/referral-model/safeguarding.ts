import type { Communication, Reference, ServiceRequest } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, GP_REPLY_TOPICS, IDENTIFIER_SYSTEM, PROFILE, writeBackIdentifierValue } from './codes.js';
import { referencedId } from './references.js';

/**
 * Safeguarding concerns on a referral, and their acknowledgement, in one place: what the GP app, the GP record
 * page and the GP backend all show and write. A concern is either the one the referrer flagged on the referral
 * (ServiceRequest `safeguarding-concern` extension) or one the link worker raised (the reconciler's
 * `safeguarding-concern` Communication). It stays at the top of the GP's views until a clinician at the practice
 * acknowledges it: an SPLinkSafeguardingAcknowledgement Communication (who = sender, when = sent) that answers the
 * link worker's message (`inResponseTo`) or, without `inResponseTo`, the referrer's own concern.
 */

export type ConcernSource = 'referrer' | 'link-worker';

export interface SafeguardingConcern {
  /** Stable key: `ServiceRequest/{id}` for the referrer's concern, `Communication/{id}` for the link worker's. */
  readonly key: string;
  /** The referral (ServiceRequest logical id). */
  readonly referral: string;
  readonly source: ConcernSource;
  /** Who raised it (display), when known. */
  readonly raisedBy?: string;
  /** When it was raised (ISO date-time). */
  readonly raisedAt?: string;
  readonly detail?: string;
  readonly acknowledged?: { readonly by: string; readonly at: string };
}

const ACK_TOPIC = GP_REPLY_TOPICS.find((t) => t.code === 'safeguarding-acknowledged')!;

const codeIn = (cc: { coding?: { system?: string; code?: string }[] } | undefined, system: string) => cc?.coding?.find((c) => c.system === system)?.code;

/** `ServiceRequest/abc`, `https://x/fhir/ServiceRequest/abc` or `…/_history/2` → `abc` when the type matches. */
const idOf = (ref: Reference | undefined, type: string): string | undefined => referencedId(ref?.reference, type);

export const isConcernMessage = (c: Communication): boolean => codeIn(c.topic, CODE_SYSTEM.communicationTopic) === 'safeguarding-concern';
export const isAcknowledgement = (c: Communication): boolean => codeIn(c.topic, CODE_SYSTEM.gpReplyTopic) === ACK_TOPIC.code;

/** The referrer's concern on the ServiceRequest (flag true), if any. */
function referrerConcern(sr: ServiceRequest): { detail?: string } | undefined {
  const ext = sr.extension?.find((e) => e.url === EXTENSION.safeguardingConcern);
  if (!ext) return undefined;
  const P = EXTENSION_PART.safeguardingConcern;
  if (ext.extension?.find((e) => e.url === P.flag)?.valueBoolean !== true) return undefined;
  const detail = ext.extension?.find((e) => e.url === P.detail)?.valueString;
  return detail ? { detail } : {};
}

/** The concern in the link worker's words: the lines tagged as the PRSB safety-alerts section, else all the text. */
function textOf(c: Communication): string | undefined {
  const payload = c.payload ?? [];
  const alerts = payload.filter((p) => p.extension?.some((e) => e.url === EXTENSION.prsbSection && e.valueCoding?.code === 'safety-alerts'));
  return (alerts.length ? alerts : payload).map((p) => p.contentString).filter(Boolean).join('\n') || undefined;
}

/**
 * Every safeguarding concern on one referral, oldest first, each with its acknowledgement when there is one.
 * `communications` may hold messages about other referrals: only those based on this one count.
 */
export function safeguardingConcerns(sr: ServiceRequest, communications: readonly Communication[]): SafeguardingConcern[] {
  const srId = sr.id ?? '';
  const mine = communications.filter((c) => c.basedOn?.some((r) => idOf(r, 'ServiceRequest') === srId));
  const acks = mine.filter(isAcknowledgement);
  const ackFor = (messageId: string | undefined): SafeguardingConcern['acknowledged'] => {
    const a = acks.find((x) => (messageId === undefined ? !x.inResponseTo?.length : x.inResponseTo?.some((r) => idOf(r, 'Communication') === messageId)));
    return a ? { by: a.sender?.display ?? a.sender?.reference ?? 'a clinician', at: a.sent ?? a.meta?.lastUpdated ?? '' } : undefined;
  };
  const out: SafeguardingConcern[] = [];
  const own = referrerConcern(sr);
  if (own) {
    const acknowledged = ackFor(undefined);
    out.push({
      key: `ServiceRequest/${srId}`,
      referral: srId,
      source: 'referrer',
      ...(sr.requester?.display ? { raisedBy: sr.requester.display } : {}),
      ...(sr.authoredOn ? { raisedAt: sr.authoredOn } : {}),
      ...(own.detail ? { detail: own.detail } : {}),
      ...(acknowledged ? { acknowledged } : {}),
    });
  }
  for (const c of mine.filter(isConcernMessage)) {
    if (!c.id) continue;
    const acknowledged = ackFor(c.id);
    const detail = textOf(c);
    const at = c.sent ?? c.meta?.lastUpdated;
    out.push({
      key: `Communication/${c.id}`,
      referral: srId,
      source: 'link-worker',
      ...(c.sender?.display ? { raisedBy: c.sender.display } : {}),
      ...(at ? { raisedAt: at } : {}),
      ...(detail ? { detail } : {}),
      ...(acknowledged ? { acknowledged } : {}),
    });
  }
  return out.sort((a, b) => (a.raisedAt ?? '').localeCompare(b.raisedAt ?? ''));
}

/** What a concern card says about who raised it, e.g. "Raised by Fernbridge Community Connect" / "Flagged by Dr A at referral". */
export function concernOrigin(c: Pick<SafeguardingConcern, 'source' | 'raisedBy'>): string {
  return c.source === 'referrer'
    ? `Flagged at referral${c.raisedBy ? ` by ${c.raisedBy}` : ''}`
    : `Raised by ${c.raisedBy ?? 'the link-worker service'}`;
}

/** The conditional-create key of a concern's acknowledgement: one per concern, however often it is pressed. */
export function acknowledgementIdentifier(concernKey: string): string {
  return writeBackIdentifierValue(concernKey.split('/'));
}

/** The SPLinkSafeguardingAcknowledgement a clinician's "Acknowledge" writes into the GP record. Pure. */
export function buildAcknowledgement(opts: {
  concern: Pick<SafeguardingConcern, 'key' | 'referral' | 'source'>;
  patientId: string;
  clinician: { reference: string; display?: string };
  /** The link-worker service the concern came from or went to. */
  service?: string;
  at: Date;
}): Communication {
  const { concern, clinician } = opts;
  const by = clinician.display ?? 'a clinician at the practice';
  return {
    resourceType: 'Communication',
    meta: { profile: [PROFILE.safeguardingAcknowledgement] },
    identifier: [{ system: IDENTIFIER_SYSTEM.safeguardingAcknowledgement, value: acknowledgementIdentifier(concern.key) }],
    basedOn: [{ reference: `ServiceRequest/${concern.referral}` }],
    ...(concern.source === 'link-worker' ? { inResponseTo: [{ reference: concern.key }] } : {}),
    status: 'completed',
    topic: { coding: [{ system: CODE_SYSTEM.gpReplyTopic, code: ACK_TOPIC.code, display: ACK_TOPIC.display }], text: ACK_TOPIC.display },
    subject: { reference: `Patient/${opts.patientId}` },
    sent: opts.at.toISOString(),
    sender: { reference: clinician.reference, ...(clinician.display ? { display: clinician.display } : {}) },
    ...(opts.service ? { recipient: [{ display: opts.service }] } : {}),
    payload: [{ contentString: `Safeguarding concern acknowledged by ${by}.` }],
  };
}
