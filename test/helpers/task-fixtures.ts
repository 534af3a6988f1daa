import type { Observation, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM } from '../../src/referral-model/codes.js';
import { versionOrderKey, type Topology } from '../../src/reconcile/rules/index.js';
import type { TaskStatus } from '../../src/referral-model/task-status.js';

export const EHR = 'http://ehr.test/fhir';
export const LW = 'http://lw.test/fhir';
export const NHS = '9434765919';

export const topology: Topology = {
  endpointId: 'lw1',
  endpointName: 'Test Links',
  linkWorkerBase: LW,
  tenants: [{ id: 'practice', ehrBase: EHR }],
  failedTaskRevokesReferral: true,
};

export const serviceRequest = (status: ServiceRequest['status'] = 'active'): ServiceRequest & { id: string } => ({
  resourceType: 'ServiceRequest',
  id: 'sr1',
  meta: { versionId: '1' },
  status,
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  requester: { reference: 'Practitioner/gp1', display: 'Dr Test' },
});

export const patient: Patient & { id: string } = {
  resourceType: 'Patient',
  id: 'p1',
  identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS }],
};

export interface TaskSpec {
  /** Position among the Task's versions (sets meta.lastUpdated). */
  version: number;
  /** meta.versionId; default String(version). Servers may use any id, e.g. UUIDs. */
  versionId?: string;
  status: TaskStatus;
  summary?: string;
  sessions?: number;
  observations?: string[];
  reason?: string;
  businessStatus?: string;
  safeguarding?: boolean;
}

const lastUpdatedOf = (version: number) => `2026-01-01T00:${String(Math.floor(version / 60) % 60).padStart(2, '0')}:${String(version % 60).padStart(2, '0')}Z`;

/** The order key of version `version` as makeTask writes it (what TaskTrack records). */
export function orderOf(version: number, versionId = String(version)): string {
  return versionOrderKey(lastUpdatedOf(version), versionId);
}

/** A UUID-shaped version id that does not sort like `version` (as Medplum's do not). */
export function uuidVersionId(version: number): string {
  const h = ((version * 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${h}-${h.slice(0, 4)}-4${h.slice(1, 4)}-a${h.slice(5, 8)}-${h}${h.slice(0, 4)}`;
}

export function makeTask(s: TaskSpec, over: Partial<Task> = {}): Task {
  const output: NonNullable<Task['output']> = [];
  const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });
  for (const id of s.observations ?? []) output.push({ type: out('outcome-measure'), valueReference: { reference: `Observation/${id}` } });
  if (s.summary) output.push({ type: out('summary'), valueString: s.summary });
  if (s.sessions !== undefined) output.push({ type: out('sessions-held'), valueInteger: s.sessions });
  return {
    resourceType: 'Task',
    id: 't1',
    meta: { versionId: s.versionId ?? String(s.version), lastUpdated: lastUpdatedOf(s.version) },
    status: s.status,
    intent: 'order',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    focus: { reference: `${EHR}/ServiceRequest/sr1` },
    for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS } },
    ...(s.reason ? { statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: s.reason }] } } : {}),
    ...(s.businessStatus ? { businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: s.businessStatus }] } } : {}),
    ...(s.safeguarding ? { extension: [{ url: EXTENSION.safeguardingConcern, extension: [{ url: 'flag', valueBoolean: true }, { url: 'detail', valueString: 'Concern raised' }] }] } : {}),
    ...(output.length ? { output } : {}),
    ...over,
  };
}

export function swemwbs(id: string, score: number): Observation {
  return {
    resourceType: 'Observation',
    id,
    meta: { versionId: '1' },
    status: 'final',
    code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
    effectiveDateTime: '2026-01-01',
    valueInteger: score,
  };
}
