import type { Extension, Reference, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, TASK_OUTPUT_TYPES } from '../../fhir/codes.js';
import { nhsNumberIsValid, normaliseNhsNumber } from '../../fhir/nhs-number.js';
import { resolveReference } from './references.js';
import { isTaskStatus } from './task-status.js';
import { versionOrderKey } from './version-order.js';
import type { BadInput, BadInputKind, ParsedTask, TaskOutput, TaskSubject, Topology } from './types.js';

/** FHIR R4 id (datatypes.html#id): resource ids and version ids alike. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

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
  if (typeof task.id !== 'string' || !FHIR_ID.test(task.id)) fail('missing-id', 'Task has no valid id (expected 1–64 of A–Z, a–z, 0–9, - and .)');
  const id = task.id as string;
  const version = task.meta?.versionId;
  if (typeof version !== 'string' || !FHIR_ID.test(version)) fail('missing-version', `Task/${id} has no meta.versionId (expected a FHIR id: 1–64 of A–Z, a–z, 0–9, - and .)`);
  if (!isTaskStatus(task.status)) fail('invalid-status', `Task/${id} has status ${JSON.stringify(task.status ?? null)}, not an R4 Task status`);

  const focusRef = task.focus?.reference;
  if (!focusRef) fail('missing-focus', `Task/${id} has no focus reference`);
  const focus = resolveReference(focusRef, t);
  if (!focus) fail('focus-unknown-server', `Task/${id} focus is not on a configured EHR server`);
  if (focus!.kind !== 'ehr') {
    fail(focus!.kind === 'contained' ? 'focus-not-service-request' : 'focus-unknown-server',
      `Task/${id} focus must reference a ServiceRequest on a configured EHR, not a ${focus!.kind} resource`);
  }
  const ehrFocus = focus as Extract<typeof focus, { kind: 'ehr' }>;
  if (ehrFocus.resourceType !== 'ServiceRequest') fail('focus-not-service-request', `Task/${id} focus is a ${ehrFocus.resourceType}, not a ServiceRequest`);

  checkOwner(task, id, t);
  const subject = parseSubject(task, id, t, ehrFocus.tenantId);
  const outputs = (task.output ?? []).map((o, i) => parseOutput(o, i, id, t));
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
  if (ident?.system === IDENTIFIER_SYSTEM.odsOrganisation && ident.value !== t.ownerOdsCode) {
    fail('wrong-owner', `Task/${id} is owned by ODS ${ident.value ?? '(none)'}, not ${t.ownerOdsCode}`);
  }
}

function nhsNumberOf(ref: Reference | undefined): string | undefined {
  const ident = ref?.identifier;
  return ident?.system === IDENTIFIER_SYSTEM.nhsNumber && ident.value ? ident.value : undefined;
}

function parseSubject(task: Task, id: string, t: Topology, tenantId: string): TaskSubject {
  if (!task.for) fail('missing-for', `Task/${id} has no "for" (patient)`);
  const nhs = nhsNumberOf(task.for);
  if (nhs !== undefined) {
    if (!nhsNumberIsValid(nhs)) fail('invalid-nhs-number', `Task/${id} for.identifier is not a valid NHS number`);
    return { kind: 'nhs-number', nhsNumber: normaliseNhsNumber(nhs) };
  }
  const ref = resolveReference(task.for!.reference, t);
  if (ref?.kind === 'ehr' && ref.resourceType === 'Patient') {
    if (ref.tenantId !== tenantId) fail('patient-mismatch', `Task/${id} "for" names a patient at a different EHR than its focus`);
    return { kind: 'ehr-reference', id: ref.id };
  }
  return fail('patient-unresolvable', `Task/${id} "for" has neither an NHS number identifier nor a reference to an EHR Patient`);
}

const OUTPUT_CODES = new Set<string>(TASK_OUTPUT_TYPES.map((x) => x.code));

function parseOutput(o: NonNullable<Task['output']>[number], i: number, id: string, t: Topology): TaskOutput {
  const coding = o.type?.coding?.find((c) => c.system === CODE_SYSTEM.taskOutputType);
  const code = coding?.code;
  if (!code || !OUTPUT_CODES.has(code)) {
    const seen = o.type?.coding?.map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ') || o.type?.text || 'none';
    fail('unknown-output-type', `Task/${id} output[${i}] has unknown type (${seen})`);
  }
  const where = `Task/${id} output[${i}] (${code})`;
  switch (code as (typeof TASK_OUTPUT_TYPES)[number]['code']) {
    case 'outcome-measure': {
      const reference = o.valueReference?.reference;
      if (!reference) return fail('invalid-output', `${where} must carry valueReference to an Observation`);
      const ref = resolveReference(reference, t);
      if (!ref) return fail('output-other-server', `${where} references a server that is neither the link-worker endpoint nor a configured EHR`);
      if (ref.kind !== 'contained' && ref.resourceType !== 'Observation') return fail('invalid-output', `${where} references a ${ref.resourceType}, not an Observation`);
      if (ref.kind === 'ehr' && !t.tenants.some((x) => x.id === ref.tenantId && x.ehrBase.replace(/\/+$/, '') === t.linkWorkerBase.replace(/\/+$/, ''))) {
        return fail('output-other-server', `${where} references an Observation on the EHR, not at the link-worker endpoint`);
      }
      return { type: 'outcome-measure', ref };
    }
    case 'summary':
    case 'activity-referred': {
      // An activity may name the service it connected to (valueReference, e.g. a HealthcareService) instead of text.
      const text = o.valueString ?? o.valueMarkdown ?? o.valueCodeableConcept?.text ?? o.valueCodeableConcept?.coding?.[0]?.display
        ?? (code === 'activity-referred' ? o.valueReference?.display ?? o.valueReference?.reference : undefined);
      if (typeof text !== 'string' || text.trim() === '') return fail('invalid-output', `${where} must carry text (valueString${code === 'activity-referred' ? ' or a valueReference with display' : ''})`);
      if (text.length > MAX_TEXT_CHARS) return fail('oversized', `${where} text exceeds ${MAX_TEXT_CHARS} characters`);
      return code === 'summary' ? { type: 'summary', text } : { type: 'activity-referred', text };
    }
    case 'sessions-held': {
      const n = o.valueInteger ?? o.valueUnsignedInt ?? o.valuePositiveInt;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000) return fail('invalid-output', `${where} must carry a whole number of sessions (0–1000)`);
      return { type: 'sessions-held', count: n };
    }
    default:
      return fail('unknown-output-type', `${where} is not handled`);
  }
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
