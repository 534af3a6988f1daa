import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { z } from 'zod';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { FHIR_ID_PATTERN } from '../../referral-model/references.js';
import { reviewCandidates, type IdentityCheck, type IdentityReview } from './identity-check.js';
import { formatName, patientCopy, referralCopy } from './referral-details.js';
import { clone, entry, touch, type BuildResult, type ChangeContext } from './task-builders.js';

/**
 * The service manager's review of an ambiguous or unchecked identity match (pure): link the referral to one of the
 * patient records SP Link compared, or confirm that none of them is the person. Only a record the evidence names can
 * be linked; a decision needs a reason; the Task records it for the link worker.
 */

/** What the manager sees of a candidate's GP record beside the evidence. */
export interface RecordSummary { name?: string; birthDate?: string; nhsNumber?: string; postcode?: string; address?: string; gender?: string }

export function recordSummary(p: Patient | undefined): RecordSummary {
  if (!p) return {};
  const addr = p.address?.find((a) => a.use === 'home') ?? p.address?.[0];
  return {
    name: formatName(p.name),
    birthDate: p.birthDate,
    nhsNumber: p.identifier?.find((i) => i.system === IDENTIFIER_SYSTEM.nhsNumber && i.value)?.value?.replace(/\s/g, ''),
    postcode: addr?.postalCode,
    address: addr ? (addr.text ?? [...(addr.line ?? []), addr.city].filter(Boolean).join(', ')) || undefined : undefined,
    gender: p.gender,
  };
}

/** The radio value naming a candidate: `link:{tenant}:{patient}`. */
export const candidateChoice = (tenantId: string, patientId: string) => `link:${tenantId}:${patientId}`;

export type ReviewDecision = { decision: 'linked'; tenantId: string; patientId: string; note: string } | { decision: 'no-match'; note: string };

const schema = z.object({
  decision: z.string({ error: 'Select the patient record that is this person, or that none of them is' }).trim().min(1, 'Select the patient record that is this person, or that none of them is'),
  note: z.string({ error: 'Enter why you decided this' }).trim().min(1, 'Enter why you decided this').max(1000, 'Must be 1000 characters or fewer'),
});

export function parseReview(body: Record<string, unknown>, check: IdentityCheck): { ok: true; value: ReviewDecision } | { ok: false; errors: Record<string, string> } {
  const r = schema.safeParse(body);
  const errors: Record<string, string> = {};
  if (!r.success) for (const i of r.error.issues) errors[String(i.path[0] ?? 'form')] ??= i.message;
  const decision = typeof body.decision === 'string' ? body.decision.trim() : '';
  let value: ReviewDecision | undefined;
  if (decision === 'no-match') value = { decision: 'no-match', note: r.data?.note ?? '' };
  else if (decision) {
    const [, tenantId = '', patientId = ''] = /^link:([^:]+):(.+)$/.exec(decision) ?? [];
    const named = FHIR_ID_PATTERN.test(patientId) && reviewCandidates(check).some((c) => c.tenantId === tenantId && c.patientId === patientId);
    if (named) value = { decision: 'linked', tenantId, patientId, note: r.data?.note ?? '' };
    else errors.decision ??= 'Select one of the patient records shown';
  }
  if (!r.success || Object.keys(errors).length || !value) return { ok: false, errors };
  return { ok: true, value };
}

/** The review as kept in `community_referrals.review`: who decided, when, what, why. */
export function reviewRecord(d: ReviewDecision, ctx: Pick<ChangeContext, 'actor' | 'now'>): IdentityReview {
  return {
    decision: d.decision,
    ...(d.decision === 'linked' ? { tenantId: d.tenantId, patientId: d.patientId } : {}),
    by: ctx.actor.sub,
    byName: ctx.actor.name,
    at: ctx.now.toISOString(),
    note: d.note,
  };
}

/**
 * The Task after the review. Linked: `for` the registered patient by NHS number (as a confident match would have
 * been), and the contained person and referral copy carry it; either way a case-record entry says what the manager
 * decided and why.
 */
export function applyReview(task: Task, d: ReviewDecision, record: { nhsNumber?: string }, ctx: ChangeContext): BuildResult {
  const t = clone(task);
  if (d.decision === 'linked') {
    const nhs = record.nhsNumber;
    if (!nhs) return { ok: false, message: 'This patient record has no NHS number, so the referral cannot be linked to it.' };
    const id = { system: IDENTIFIER_SYSTEM.nhsNumber, value: nhs };
    t.for = { identifier: id, ...(task.for?.display ? { display: task.for.display } : {}) };
    const sr = referralCopy(t) as ServiceRequest | undefined;
    const person = patientCopy(t, sr);
    if (person) person.identifier = [...(person.identifier ?? []).filter((i) => i.system !== IDENTIFIER_SYSTEM.nhsNumber), id];
    if (sr?.subject) sr.subject = { ...sr.subject, identifier: id };
  }
  const heading = d.decision === 'linked' ? 'Identity checked: linked to the GP record' : 'Identity checked: no GP record is this person';
  t.note = [...(t.note ?? []), entry(ctx, heading, d.note)];
  return { ok: true, change: { task: touch(t, ctx), observations: [], activity: 'identity-review' } };
}
