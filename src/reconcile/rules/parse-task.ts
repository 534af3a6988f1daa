import { createHash } from 'node:crypto';
import type { Extension, Reference, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, SYSTEM, TASK_OUTPUT_TYPES, displayOf } from '../../referral-model/codes.js';
import { nhsNumberIsValid, normaliseNhsNumber } from '../../fhir/nhs-number.js';
import { linkWorkerUrl, readableAtLinkWorker, relativeToEhr, resolveReference } from './references.js';
import { isTaskStatus } from '../../referral-model/task-status.js';
import { versionOrderKey } from './version-order.js';
import type { BadInput, BadInputKind, ParsedTask, TaskOutput, TaskSubject, Topology, UnusedOutput } from './types.js';
import { isFhirId } from '../../referral-model/references.js';
import { socialOutcomeCodeIn } from '../../referral-model/social-outcome.js';

/** FHIR R4 id (datatypes.html#id): resource ids and version ids alike. */

/** Larger Tasks are refused: a referral work item is a few KB; megabytes mean a broken or hostile sender. */
export const MAX_TASK_BYTES = 256 * 1024;
/** Free text copied into the GP record (summary, reasons) is capped so a message stays readable. */
export const MAX_TEXT_CHARS = 10_000;

class Bad extends Error {
  constructor(readonly bad: BadInput) {
    super(bad.reason);
  }
}
const fail = (kind: BadInputKind, reason: string): never => {
  throw new Bad({ kind, reason });
};

export type ParseResult = { readonly ok: true; readonly task: ParsedTask } | { readonly ok: false; readonly bad: BadInput };

/**
 * Checks one Task version from a link-worker endpoint and extracts what reconciliation needs. Pure.
 * Accepts Tasks from any system following the Gravity SDOH "Task for referral management" pattern.
 */
export function parseTask(input: unknown, t: Topology): ParseResult {
  try {
    return { ok: true, task: parse(input, t) };
  } catch (err) {
    if (err instanceof Bad) return { ok: false, bad: err.bad };
    throw err;
  }
}

function parse(input: unknown, t: Topology): ParsedTask {
  if (!input || typeof input !== 'object' || (input as { resourceType?: unknown }).resourceType !== 'Task') {
    fail('not-a-task', 'the resource is not a FHIR Task');
  }
  const task = input as Task;
  const size = Buffer.byteLength(JSON.stringify(task));
  if (size > MAX_TASK_BYTES) fail('oversized', `Task is ${size} bytes; the limit is ${MAX_TASK_BYTES}`);
  if (!isFhirId(task.id)) fail('missing-id', 'Task has no valid id (expected 1–64 of A–Z, a–z, 0–9, - and .)');
  const id = task.id as string;
  const version = task.meta?.versionId;
  if (!isFhirId(version)) fail('missing-version', `Task/${id} has no meta.versionId (expected a FHIR id: 1–64 of A–Z, a–z, 0–9, - and .)`);
  if (!isTaskStatus(task.status)) fail('invalid-status', `Task/${id} has status ${JSON.stringify(task.status ?? null)}, not an R4 Task status`);

  const focusRef = task.focus?.reference;
  if (!focusRef) fail('missing-focus', `Task/${id} has no focus reference`);
  const focus = resolveReference(focusRef, t);
  const ehrBases = t.tenants.map((x) => x.ehrBase).join(', ');
  if (!focus) fail('focus-unknown-server', `Task/${id} focus ${focusRef!.slice(0, 200)} is not under a configured EHR base (${ehrBases}); add that EHR as a tenant or correct the Task's focus`);
  if (focus!.kind !== 'ehr') {
    fail(focus!.kind === 'contained' ? 'focus-not-service-request' : 'focus-unknown-server', focus!.kind === 'contained'
      ? `Task/${id} focus must reference a ServiceRequest on a configured EHR, not a contained resource`
      : `Task/${id} focus ${focusRef!.slice(0, 200)} is relative, so it names a resource at the link-worker endpoint; the focus must be the absolute URL of the referral on its EHR (${ehrBases})`);
  }
  const ehrFocus = focus as Extract<typeof focus, { kind: 'ehr' }>;
  if (ehrFocus.resourceType !== 'ServiceRequest') fail('focus-not-service-request', `Task/${id} focus is a ${ehrFocus.resourceType}, not a ServiceRequest`);

  checkOwner(task, id, t);
  const subject = parseSubject(task, id, t, ehrFocus.tenantId);
  const outputs = (task.output ?? []).map((o, i) => parseOutput(o, i, task, id, t));
  const reason = task.statusReason;
  const reasonCoding = reason?.coding?.find((c) => c.system === CODE_SYSTEM.statusReason) ?? reason?.coding?.[0];
  const business = task.businessStatus?.coding?.find((c) => c.system === CODE_SYSTEM.businessStatus)?.code;
  const reasonText = reason?.text ?? reasonCoding?.display;
  if (reasonText && reasonText.length > MAX_TEXT_CHARS) fail('oversized', `Task/${id} statusReason text exceeds ${MAX_TEXT_CHARS} characters`);

  return {
    id,
    version: version as string,
    order: versionOrderKey(task.meta?.lastUpdated, version as string),
    status: task.status as ParsedTask['status'],
    tenantId: ehrFocus.tenantId,
    serviceRequestId: ehrFocus.id,
    subject,
    outputs,
    reasonCode: reasonCoding?.code,
    reasonText,
    businessStatus: business,
    ...progressOf(task.businessStatus, id),
    safeguarding: parseSafeguarding(task.extension, id),
    ownerDisplay: task.owner?.display,
    lastModified: task.lastModified ?? task.meta?.lastUpdated ?? new Date(0).toISOString(),
    task,
  };
}

function checkOwner(task: Task, id: string, t: Topology): void {
  if (!t.ownerOdsCode) return;
  const ident = task.owner?.identifier;
  if (!task.owner) fail('wrong-owner', `Task/${id} has no owner; expected the organisation with ODS code ${t.ownerOdsCode}`);
  // Providers that take referrals direct in the workspace own their Tasks at this endpoint too (directReferrals).
  const allowed = [t.ownerOdsCode, ...(t.directOwnerOdsCodes ?? [])];
  if (ident?.system === IDENTIFIER_SYSTEM.odsOrganisation && !allowed.includes(ident.value ?? '')) {
    fail('wrong-owner', `Task/${id} is owned by ODS ${ident.value ?? '(none)'}, not ${allowed.join(' or ')}`);
  }
}

function nhsNumberOf(ref: Reference | undefined): string | undefined {
  const ident = ref?.identifier;
  return ident?.system === IDENTIFIER_SYSTEM.nhsNumber && ident.value ? ident.value : undefined;
}

function parseSubject(task: Task, id: string, t: Topology, tenantId: string): TaskSubject {
  const fix = `name the patient by NHS number (for.identifier, system ${IDENTIFIER_SYSTEM.nhsNumber}) or by a reference to the Patient on the EHR that holds the referral (tenant ${tenantId})`;
  if (!task.for) fail('missing-for', `Task/${id} has no "for" (patient); ${fix}`);
  const nhs = nhsNumberOf(task.for);
  if (nhs !== undefined) {
    if (!nhsNumberIsValid(nhs)) fail('invalid-nhs-number', `Task/${id} for.identifier is not a valid NHS number (check digit); correct the Task's NHS number`);
    return { kind: 'nhs-number', nhsNumber: normaliseNhsNumber(nhs) };
  }
  const reference = task.for!.reference;
  // A relative "for" (as the Gravity IG's examples write it) is read against the EHR the absolute focus names;
  // it is accepted only if it is that referral's own subject (checked when planning), so it cannot point elsewhere.
  const ref = resolveReference(reference, t)?.kind === 'link-worker' ? relativeToEhr(reference, tenantId) : resolveReference(reference, t);
  if (ref?.kind === 'ehr' && ref.resourceType === 'Patient') {
    if (ref.tenantId !== tenantId) fail('patient-mismatch', `Task/${id} "for" names a patient at EHR ${ref.tenantId}, but its focus is a referral at EHR ${tenantId}; the Task must be for the referral's patient`);
    return { kind: 'ehr-reference', id: ref.id, ...(reference && !/^https?:/.test(reference) ? { relative: true } : {}) };
  }
  const what = ref ? `a ${ref.kind === 'contained' ? 'contained resource' : ref.resourceType}` : reference ? 'a reference on a server that is not a configured EHR' : 'neither an identifier nor a reference';
  return fail('patient-unresolvable', `Task/${id} "for" is ${what}; ${fix}`);
}

const OUTPUT_CODES = new Set<string>(TASK_OUTPUT_TYPES.map((x) => x.code));
type Output = NonNullable<Task['output']>[number];

const textOf = (o: Output): string | undefined =>
  o.valueString ?? o.valueMarkdown ?? o.valueCodeableConcept?.text ?? o.valueCodeableConcept?.coding?.find((c) => c.display)?.display ?? o.valueCodeableConcept?.coding?.[0]?.code;

/** Free text longer than the cap is shortened (with a pointer back) rather than refused: the GP still learns the gist. */
function capped(text: string): string {
  return text.length <= MAX_TEXT_CHARS ? text : `${text.slice(0, MAX_TEXT_CHARS)}… (shortened; the full text is held by the link-worker service)`;
}

/**
 * One Task.output → what SP Link can do with it. Liberal: the referenced resource decides (an Observation is
 * an outcome candidate, a Procedure an activity, whatever `type` says); SP Link's own types and Gravity's
 * `resulting-activity` are understood; everything else becomes `unused` (recorded, never blocking).
 */
function parseOutput(o: Output, i: number, task: Task, id: string, t: Topology): TaskOutput {
  const own = o.type?.coding?.find((c) => c.system === CODE_SYSTEM.taskOutputType && OUTPUT_CODES.has(c.code ?? ''))?.code as
    | (typeof TASK_OUTPUT_TYPES)[number]['code'] | undefined;
  const gravity = o.type?.coding?.find((c) => c.system === SYSTEM.gravityTemporaryCodes)?.code;
  const label = own ?? gravity ?? o.type?.coding?.find((c) => c.code)?.code ?? o.type?.text ?? 'untyped';
  const where = `Task/${id} output[${i}] (${label})`;
  const unused = (why: UnusedOutput['why'], reason: string, extra: { source?: string; text?: string } = {}): UnusedOutput => ({
    type: 'unused', index: i, label, why, reason: `${where} ${reason}`,
    ...(extra.source ? { source: extra.source } : {}),
    ...(extra.text?.trim() ? { text: capped(extra.text) } : {}),
  });

  const reference = o.valueReference?.reference;
  if (reference) {
    const ref = resolveReference(reference, t);
    const absolute = /^https?:\/\//.test(reference) ? reference : undefined;
    if (!ref) return unused('output-other-server', 'references a server that is neither the link-worker endpoint nor a configured EHR', { source: absolute, text: o.valueReference?.display });
    if (ref.kind === 'ehr' && !readableAtLinkWorker(ref, t)) {
      return unused('output-other-server', `references ${ref.resourceType}/${ref.id} on the EHR, not at the link-worker endpoint`, { source: absolute, text: o.valueReference?.display });
    }
    const type = ref.kind === 'contained' ? (task.contained ?? []).find((r) => r.id === ref.id)?.resourceType : ref.resourceType;
    if (type === 'Observation') return { type: 'outcome-measure', ref, index: i };
    if (type === 'Procedure') return { type: 'resulting-activity', ref, index: i, ...(o.valueReference?.display ? { text: o.valueReference.display } : {}) };
    if (own === 'activity-referred') {
      // An activity may name the service it connected to (valueReference, e.g. a HealthcareService) instead of text:
      // its display, else the service's name as read from the link-worker endpoint. Never the reference itself.
      const display = o.valueReference?.display?.trim();
      return display ? { type: 'activity-referred', index: i, text: capped(display) } : { type: 'activity-referred', index: i, ref };
    }
    return unused(ref.kind === 'contained' && !type ? 'output-not-found' : 'unknown-output-type',
      ref.kind === 'contained' && !type ? `references #${ref.id}, which the Task does not contain` : `references a ${type}, which SP Link does not carry into the GP record`,
      { source: ref.kind === 'contained' ? undefined : absolute ?? linkWorkerUrl(t, ref.resourceType, ref.id), text: o.valueReference?.display });
  }

  switch (own) {
    case 'summary':
    case 'activity-referred': {
      const text = textOf(o);
      if (typeof text !== 'string' || text.trim() === '') return unused('invalid-output', 'carries no text');
      return own === 'summary' ? { type: 'summary', text: capped(text) } : { type: 'activity-referred', index: i, text: capped(text) };
    }
    case 'sessions-held': {
      const n = o.valueInteger ?? o.valueUnsignedInt ?? o.valuePositiveInt;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000) return unused('invalid-output', 'is not a whole number of sessions (0–1000)', { text: textOf(o) });
      return { type: 'sessions-held', count: n };
    }
    case 'outcome-measure':
      return unused('invalid-output', 'has no valueReference to an Observation', { text: textOf(o) });
    case 'needs-identified': {
      const text = textOf(o);
      if (typeof text !== 'string' || text.trim() === '') return unused('invalid-output', 'names no need');
      return { type: 'needs-identified', index: i, text: capped(text) };
    }
    case 'social-outcome': {
      // Coded, or it is not a social outcome SP Link can copy: words alone still reach the GP as an "also reported" line.
      const code = socialOutcomeCodeIn(o.valueCodeableConcept);
      return code ? { type: 'social-outcome', index: i, code } : unused('invalid-output', 'names no SP Link social outcome code', { text: textOf(o) });
    }
    case undefined:
      break;
    default:
      own satisfies never;
  }
  if (o.valueCodeableConcept && (gravity === 'resulting-activity' || label === 'resulting-activity')) {
    const text = textOf(o);
    if (text) return { type: 'resulting-activity', index: i, text: capped(text) };
  }
  const seen = o.type?.coding?.map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ') || (o.type?.text ? `text "${o.type.text.slice(0, 100)}"` : 'none');
  return unused('unknown-output-type', `has a type SP Link does not use (${seen})`, { text: textOf(o) });
}

/** The Task's stage for the GP: SP Link's business status, or another system's code or words (kept as sent). */
function progressOf(cc: Task['businessStatus'], id: string): Pick<ParsedTask, 'progress'> {
  if (!cc) return {};
  const own = cc.coding?.find((c) => c.system === CODE_SYSTEM.businessStatus && c.code);
  const ownText = own ? displayOf('businessStatus', own.code!) : undefined;
  if (own && ownText) return { progress: { key: own.code!, text: ownText } };
  const other = cc.coding?.find((c) => c.code);
  const text = cc.text ?? other?.display ?? other?.code;
  if (!text?.trim()) return {};
  if (text.length > MAX_TEXT_CHARS) fail('oversized', `Task/${id} businessStatus text exceeds ${MAX_TEXT_CHARS} characters`);
  // A stage named only in words (or by a code that cannot be part of an identifier) is keyed by a digest of them.
  const key = other?.code && isFhirId(other.code) ? `${other.system ? createHash('sha256').update(other.system).digest('hex').slice(0, 8) : 'none'}.${other.code}` : createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { progress: { key, text } };
}

function parseSafeguarding(ext: Extension[] | undefined, id: string): ParsedTask['safeguarding'] {
  const e = ext?.find((x) => x.url === EXTENSION.safeguardingConcern);
  if (!e) return undefined;
  const parts = e.extension ?? [];
  const flag = parts.find((p) => p.url === EXTENSION_PART.safeguardingConcern.flag)?.valueBoolean;
  const detail = parts.find((p) => p.url === EXTENSION_PART.safeguardingConcern.detail)?.valueString;
  if (detail && detail.length > MAX_TEXT_CHARS) fail('oversized', `Task/${id} safeguarding detail exceeds ${MAX_TEXT_CHARS} characters`);
  // A concern extension without an explicit flag=false counts as raised: err on the side of telling the GP.
  return flag === false ? undefined : { detail };
}
