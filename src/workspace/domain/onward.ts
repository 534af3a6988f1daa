import { z } from 'zod';
import { parsed, type Parsed } from './schemas.js';
import type { Bundle, BundleEntry, Extension, Reference, Task } from '@medplum/fhirtypes';
import { EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, displayOf } from '../../referral-model/codes.js';
import { buildProvenance } from '../../referral-model/provenance.js';
import { joinUrl, FHIR_ID_PATTERN } from '../../referral-model/references.js';
import {
  MAX_SESSIONS_ATTENDED, ONWARD_ACTIONS, ONWARD_DECLINE_REASONS, ONWARD_WITHDRAW_REASONS, buildOnwardReferral, type OnwardAction, type OnwardActionInput, type OnwardReferralInput, type OnwardWithdrawReason,
} from '../../referral-model/onward-referral.js';
import type { Actor } from './actor.js';
import { formatName, patientCopy, referralCopy } from './referral-details.js';

/**
 * The workspace side of onward referrals (src/referral-model/onward-referral.ts): the forms' schemas, the sub-Tasks a
 * link worker's referral creates and the transactions that write them and a group's answers, each with Provenance.
 */

const optionalNote = z.string().trim().max(1000, 'Must be 1000 characters or fewer').optional().transform((s) => (s ? s : undefined));

/** Most services one onward referral form may send to (a plan rarely names more than a few). */
export const MAX_ONWARD_SERVICES = 10;

const referSchema = z.object({
  services: z
    .union([z.string(), z.array(z.string())], { error: 'Select at least one service' })
    .transform((v) => [...new Set((Array.isArray(v) ? v : [v]).filter(Boolean))])
    .pipe(z.array(z.string().regex(FHIR_ID_PATTERN, 'Select services from the directory')).min(1, 'Select at least one service').max(MAX_ONWARD_SERVICES, `Select ${MAX_ONWARD_SERVICES} services or fewer`)),
  consent: z.literal('yes', { error: 'Confirm that the person agreed to their details going to these services' }),
  note: optionalNote,
});
export type ReferOnwardInput = z.infer<typeof referSchema>;

export const parseReferOnward = (body: Record<string, unknown>): Parsed<ReferOnwardInput> => parsed(referSchema.safeParse(body));

const declineCodes = ONWARD_DECLINE_REASONS.map((r) => r.code) as [OnwardDeclineCode, ...OnwardDeclineCode[]];
type OnwardDeclineCode = (typeof ONWARD_DECLINE_REASONS)[number]['code'];

const actionSchemas = {
  accept: z.object({ note: optionalNote }),
  decline: z.object({ reason: z.enum(declineCodes, { error: 'Select a reason for declining' }), note: optionalNote }),
  attended: z.object({ note: optionalNote }),
  'did-not-attend': z.object({ note: optionalNote }),
  finished: z.object({
    sessionsAttended: z
      .string()
      .trim()
      .max(4, `Enter ${MAX_SESSIONS_ATTENDED} sessions or fewer`)
      .optional()
      .refine((s) => !s || /^\d+$/.test(s), 'Enter the number of sessions as a whole number')
      .transform((s) => (s ? Number(s) : undefined))
      .refine((n) => n === undefined || (n >= 1 && n <= MAX_SESSIONS_ATTENDED), `Enter a number of sessions from 1 to ${MAX_SESSIONS_ATTENDED}`),
    note: optionalNote,
  }),
} as const satisfies Record<OnwardAction, z.ZodType>;

/** A group's answer as posted by the portal form. */
export function parseOnwardAction(action: OnwardAction, body: Record<string, unknown>): Parsed<OnwardActionInput> {
  const r = parsed(actionSchemas[action].safeParse(body) as z.ZodSafeParseResult<Record<string, unknown>>);
  return r.ok ? { ok: true, value: { action, ...r.value } as OnwardActionInput } : r;
}

const withdrawCodes = ONWARD_WITHDRAW_REASONS.map((r) => r.code) as [OnwardWithdrawReason, ...OnwardWithdrawReason[]];
const withdrawSchema = z.object({
  reason: z.enum(withdrawCodes, { error: 'Select why the referral is withdrawn' }),
  note: optionalNote,
});
export type WithdrawOnwardInput = z.infer<typeof withdrawSchema>;

/** The link worker's withdrawal of an onward referral, as posted from the case. */
export const parseWithdrawOnward = (body: Record<string, unknown>): Parsed<WithdrawOnwardInput> => parsed(withdrawSchema.safeParse(body));

/** A directory service as an onward referral needs it: its provider, and the provider's ODS code when it has one. */
export interface OnwardService {
  id: string;
  name: string;
  provider: Reference;
  providerOds?: string;
  /** As the provider last reported it: false when it is not taking referrals. */
  acceptingReferrals?: boolean;
}

/**
 * The sub-Tasks for one referral Task: the person's name and contact routes from the referral's copy, with the
 * contact preference and accessibility needs the GP recorded; nothing clinical.
 */
export function onwardReferrals(parent: Task, services: readonly OnwardService[], input: ReferOnwardInput, ctx: { actor: Actor; requester: Reference; now: Date; today: string }): Task[] {
  const sr = referralCopy(parent);
  const person = patientCopy(parent, sr);
  const ext = (url: string) => sr?.extension?.filter((e) => e.url === url) ?? [];
  const base: Omit<OnwardReferralInput, 'service'> = {
    parent,
    requester: ctx.requester,
    consent: { date: ctx.today, recorder: { reference: ctx.actor.practitioner, display: ctx.actor.name } },
    person: {
      ...(person?.name ? { name: person.name } : {}),
      ...(person?.telecom ? { telecom: person.telecom.filter((t) => t.system === 'phone' || t.system === 'sms' || t.system === 'email') } : {}),
    },
    ...(ext(EXTENSION.contactPreference)[0] ? { contactPreference: ext(EXTENSION.contactPreference)[0] } : {}),
    accessibility: ext(EXTENSION.accessibilityNeed),
    ...(input.note ? { note: input.note } : {}),
    now: ctx.now,
  };
  return services.map((service) => buildOnwardReferral({ ...base, service }));
}

const who = (actor: Actor): Reference => ({ reference: actor.practitioner, display: actor.name });
const onBehalfOf = (actor: Actor, organization: string | undefined): Reference => ({
  ...(organization ? { reference: organization } : {}),
  identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: actor.orgOds },
});

/**
 * One transaction: each sub-Task created unless one for the same referral and service exists (conditional create on
 * its identifier, so a form sent twice never refers the person twice), with a Provenance naming the link worker.
 */
export function referOnwardBundle(tasks: readonly Task[], o: { actor: Actor; organization?: string; parent: Task; linkWorkerBase: string; now: Date }): Bundle {
  const entries: BundleEntry[] = tasks.map((t) => {
    const id = t.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.onwardReferral);
    return { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: t, request: { method: 'POST' as const, url: 'Task', ifNoneExist: `identifier=${encodeURIComponent(`${id!.system}|${id!.value}`)}` } };
  });
  const provenance = buildProvenance({
    targets: entries.map((e) => e.fullUrl!),
    recorded: o.now,
    activity: 'CREATE',
    activityText: tasks.length === 1 ? 'Onward referral made' : `${tasks.length} onward referrals made`,
    agents: [{ role: 'author', who: who(o.actor), onBehalfOf: onBehalfOf(o.actor, o.organization) }],
    sources: [joinUrl(o.linkWorkerBase, `Task/${o.parent.id}/_history/${o.parent.meta?.versionId ?? '1'}`)],
  });
  return { resourceType: 'Bundle', type: 'transaction', entry: [...entries, { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } }] };
}

/** One transaction: the sub-Task as the group answered it (or the link worker withdrew it), conditional on the version they saw, and its Provenance. */
export function onwardAnswerBundle(task: Task, o: { action: OnwardAction | 'withdraw'; ifMatchVersion: string; actor: Actor; organization?: string; linkWorkerBase: string; now: Date }): Bundle {
  const provenance = buildProvenance({
    targets: [`Task/${task.id}`],
    recorded: o.now,
    activity: 'UPDATE',
    activityText: `Onward referral: ${o.action === 'withdraw' ? 'withdrawn by the link worker' : ONWARD_ACTIONS[o.action].label.toLowerCase()}`,
    agents: [{ role: 'author', who: who(o.actor), onBehalfOf: onBehalfOf(o.actor, o.organization) }],
    sources: [joinUrl(o.linkWorkerBase, `Task/${task.id}/_history/${o.ifMatchVersion}`)],
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: task, request: { method: 'PUT', url: `Task/${task.id}`, ifMatch: `W/"${o.ifMatchVersion}"` } },
      { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: provenance, request: { method: 'POST', url: 'Provenance' } },
    ],
  };
}

const part = (e: Extension | undefined, url: string) => e?.extension?.filter((x) => x.url === url) ?? [];

/** What the group sees of the person on an onward referral: only what the sub-Task carries. */
export interface OnwardPerson {
  name?: string;
  phones: string[];
  emails: string[];
  contactBy: string[];
  safeTimes?: string;
  leaveMessage?: boolean;
  accessibility: string[];
  consent?: { date?: string; recorder?: string };
  /** The link worker's note to the group, and who referred. */
  note?: string;
  referredBy?: string;
}

export function onwardPerson(task: Task): OnwardPerson {
  const p = patientCopy(task);
  const ext = (url: string) => task.extension?.filter((e) => e.url === url) ?? [];
  const C = EXTENSION_PART.contactPreference;
  const A = EXTENSION_PART.accessibilityNeed;
  const contact = ext(EXTENSION.contactPreference)[0];
  const consent = ext(EXTENSION.consentGiven)[0];
  const first = task.note?.[0];
  return {
    ...(formatName(p?.name) ? { name: formatName(p?.name)! } : {}),
    phones: p?.telecom?.filter((t) => t.system === 'phone' || t.system === 'sms').flatMap((t) => (t.value ? [t.value] : [])) ?? [],
    emails: p?.telecom?.filter((t) => t.system === 'email').flatMap((t) => (t.value ? [t.value] : [])) ?? [],
    contactBy: part(contact, C.method).map((m) => displayOf('contactMethod', m.valueCode ?? '') ?? m.valueCode ?? '').filter(Boolean),
    ...(part(contact, C.safeTimes)[0]?.valueString ? { safeTimes: part(contact, C.safeTimes)[0]!.valueString! } : {}),
    ...(part(contact, C.leaveMessage)[0]?.valueBoolean !== undefined ? { leaveMessage: part(contact, C.leaveMessage)[0]!.valueBoolean! } : {}),
    accessibility: ext(EXTENSION.accessibilityNeed).map((e) => {
      const type = part(e, A.type)[0]?.valueCode ?? part(e, A.type)[0]?.valueCoding?.code ?? 'other';
      const detail = part(e, A.detail)[0]?.valueString;
      return `${displayOf('accessibilityNeed', type) ?? type}${detail ? `: ${detail}` : ''}`;
    }),
    ...(consent ? { consent: { date: part(consent, EXTENSION_PART.consentGiven.date)[0]?.valueDateTime, recorder: part(consent, EXTENSION_PART.consentGiven.recorder)[0]?.valueReference?.display } } : {}),
    // The first note is the link worker's, written with the referral (onward-referral.ts); later ones are the group's.
    ...(first && first.time === task.authoredOn ? { note: first.text } : {}),
    ...(task.requester?.display ? { referredBy: task.requester.display } : {}),
  };
}
