import type { Extension, Task, TaskOutput } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { parseNote, type CaseEntry } from '../../referral-model/case-notes.js';
import { parseReferenceOf } from '../../referral-model/references.js';

export type { CaseEntry } from '../../referral-model/case-notes.js';

/** What the workspace reads from a referral Task: the case as the link worker sees it. */
export interface CaseState {
  id: string;
  versionId: string | undefined;
  status: Task['status'];
  businessStatus: string | undefined;
  statusReason: string | undefined;
  ownerOds: string | undefined;
  ownerRef: string | undefined;
  /** The link worker holding the case: Task.owner when it is a PractitionerRole (Gravity: owner may be a person). */
  assignee: { reference: string; display?: string } | undefined;
  nhsNumber: string | undefined;
  patientDisplay: string | undefined;
  focus: string | undefined;
  authoredOn: string | undefined;
  lastModified: string | undefined;
  entries: CaseEntry[];
  failedContacts: number;
  successfulContacts: number;
  sessions: CaseEntry[];
  outcomeRefs: string[];
  servicesConnected: { reference?: string; display?: string }[];
  safeguarding: { flag: boolean; detail?: string } | undefined;
  summary: string | undefined;
}

const sub = (ext: Extension | undefined, url: string) => ext?.extension?.find((e) => e.url === url);

export function outputType(o: TaskOutput): string | undefined {
  return o.type?.coding?.find((c) => c.system === CODE_SYSTEM.taskOutputType)?.code;
}

export function readCase(task: Task): CaseState {
  const entries = (task.note ?? []).map(parseNote).filter((e): e is CaseEntry => e !== undefined);
  const contacts = entries.filter((e) => e.kind === 'contact-attempt');
  const outputs = task.output ?? [];
  const ownerRef = task.owner?.reference;
  const assigned = parseReferenceOf(ownerRef, 'PractitionerRole') ? task.owner : undefined;
  const sg = task.extension?.find((e) => e.url === EXTENSION.safeguardingConcern);
  const ownerOds =
    task.owner?.identifier?.system === IDENTIFIER_SYSTEM.odsOrganisation ? task.owner.identifier.value : undefined;
  return {
    id: task.id ?? '',
    versionId: task.meta?.versionId,
    status: task.status,
    businessStatus: task.businessStatus?.coding?.find((c) => c.system === CODE_SYSTEM.businessStatus)?.code,
    statusReason: task.statusReason?.coding?.find((c) => c.system === CODE_SYSTEM.statusReason)?.code ?? task.statusReason?.text,
    ownerOds,
    ownerRef: task.owner?.reference,
    assignee: assigned?.reference ? { reference: assigned.reference, display: assigned.display } : undefined,
    nhsNumber: task.for?.identifier?.system === IDENTIFIER_SYSTEM.nhsNumber ? task.for.identifier.value : undefined,
    patientDisplay: task.for?.display,
    focus: task.focus?.reference,
    authoredOn: task.authoredOn,
    lastModified: task.lastModified,
    entries,
    failedContacts: contacts.filter((c) => c.outcome === 'unsuccessful').length,
    successfulContacts: contacts.filter((c) => c.outcome === 'successful').length,
    sessions: entries.filter((e) => e.kind === 'session'),
    outcomeRefs: outputs.filter((o) => outputType(o) === 'outcome-measure').flatMap((o) => (o.valueReference?.reference ? [o.valueReference.reference] : [])),
    servicesConnected: outputs
      .filter((o) => outputType(o) === 'activity-referred')
      .map((o) => ({ reference: o.valueReference?.reference, display: o.valueString ?? o.valueReference?.display ?? o.valueReference?.reference })),
    safeguarding: sg
      ? { flag: sub(sg, EXTENSION_PART.safeguardingConcern.flag)?.valueBoolean === true, detail: sub(sg, EXTENSION_PART.safeguardingConcern.detail)?.valueString }
      : undefined,
    summary: outputs.find((o) => outputType(o) === 'summary')?.valueString,
  };
}
