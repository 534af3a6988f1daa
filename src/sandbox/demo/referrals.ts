import type { Extension, Observation, Patient, Reference, ServiceRequest, Task, TaskOutput } from '@medplum/fhirtypes';
import {
  CODE_SYSTEM,
  displayOf,
  findInstrument,
  EXTENSION,
  EXTENSION_PART,
  IDENTIFIER_SYSTEM,
  PROFILE,
  SNOMED,
  SYSTEM,
  type BusinessStatusCode,
  type StatusReasonCode,
  type UrgencyCode,
  urgencyToPriority,
} from '../../referral-model/codes.js';
import { outcomeObservation } from '../../referral-model/outcome-observation.js';
import { daysAgo, DEMO_IDS, FHIR_SYSTEM, LOCAL_SYSTEM, ODS, STATUS_REASON_EXTENSION, type SandboxBaseUrls } from './constants.js';
import { linkWorkerRoleId } from './link-workers.js';
import { patientId, patientNeeds, patientNhsNumber } from './patients.js';
import { gpId } from './practice.js';

type OutcomeSpec = { instrument: 'swemwbs' | 'ucla3'; value: number; daysAgo: number } | { instrument: 'ons4'; items: readonly [number, number, number, number]; daysAgo: number };

interface ReferralRow {
  readonly n: number;
  readonly patient: number;
  readonly gp: 1 | 2 | 3;
  readonly worker: 1 | 2 | 3 | 4;
  readonly authoredDaysAgo: number;
  readonly urgency: UrgencyCode;
  readonly note: string;
  readonly task: Task['status'];
  readonly serviceRequest: ServiceRequest['status'];
  readonly businessStatus?: BusinessStatusCode;
  readonly statusReason?: StatusReasonCode;
  readonly modifiedDaysAgo: number;
  readonly outcomes?: readonly OutcomeSpec[];
  readonly summary?: string;
  readonly sessions?: number;
  readonly connectedTo?: string;
}

/**
 * A handful of referrals across the lifecycle, so the GP view and the caseload are not empty.
 * ServiceRequest statuses already follow the Task (the status table in src/referral-model/README.md), as if the reconciler had run.
 */
const ROWS: readonly ReferralRow[] = [
  { n: 1, patient: 3, gp: 3, worker: 1, authoredDaysAgo: 2, urgency: 'routine', note: 'Lives alone since her sister moved away; says the weekends are the hardest.', task: 'requested', serviceRequest: 'active', businessStatus: 'awaiting-contact', modifiedDaysAgo: 2 },
  { n: 2, patient: 7, gp: 1, worker: 2, authoredDaysAgo: 6, urgency: 'soon', note: 'Council tax and energy arrears, worried about bailiffs. Low mood but no risk identified.', task: 'accepted', serviceRequest: 'active', businessStatus: 'contact-attempted', modifiedDaysAgo: 4 },
  { n: 3, patient: 11, gp: 2, worker: 3, authoredDaysAgo: 20, urgency: 'routine', note: 'Type 2 diabetes; keen to be more active. Prefers Urdu-speaking contact if possible.', task: 'in-progress', serviceRequest: 'active', businessStatus: 'sessions-ongoing', modifiedDaysAgo: 3, outcomes: [{ instrument: 'swemwbs', value: 19, daysAgo: 14 }] },
  { n: 4, patient: 15, gp: 3, worker: 1, authoredDaysAgo: 70, urgency: 'routine', note: 'Full-time carer for his wife (dementia). Exhausted, has not had a break in a year.', task: 'completed', serviceRequest: 'completed', businessStatus: 'support-completed', modifiedDaysAgo: 5, outcomes: [{ instrument: 'swemwbs', value: 17, daysAgo: 62 }, { instrument: 'ucla3', value: 7, daysAgo: 62 }, { instrument: 'swemwbs', value: 24, daysAgo: 6 }, { instrument: 'ucla3', value: 5, daysAgo: 6 }, { instrument: 'ons4', items: [6, 7, 6, 4], daysAgo: 6 }], summary: 'Five sessions. Registered with Westshire Carers Centre, carers assessment done and a monthly respite sitter arranged; joined the Tuesday Men\u2019s Shed.', sessions: 5, connectedTo: 'svc-carers' },
  { n: 5, patient: 20, gp: 2, worker: 4, authoredDaysAgo: 12, urgency: 'routine', note: 'Damp flat affecting her son\u2019s asthma; landlord not responding.', task: 'rejected', serviceRequest: 'revoked', businessStatus: 'first-contact-made', statusReason: 'patient-declined', modifiedDaysAgo: 9 },
  { n: 6, patient: 24, gp: 3, worker: 2, authoredDaysAgo: 1, urgency: 'urgent', note: 'No food in the house this week, two children at home. Universal Credit sanction.', task: 'requested', serviceRequest: 'active', businessStatus: 'awaiting-contact', modifiedDaysAgo: 1 },
  { n: 7, patient: 9, gp: 3, worker: 3, authoredDaysAgo: 30, urgency: 'routine', note: 'Wife died four months ago. Stopped going to bowls club.', task: 'in-progress', serviceRequest: 'active', businessStatus: 'plan-agreed', modifiedDaysAgo: 8 },
  { n: 8, patient: 26, gp: 2, worker: 4, authoredDaysAgo: 40, urgency: 'routine', note: 'Made redundant last year; wants help getting online to look for work.', task: 'on-hold', serviceRequest: 'on-hold', businessStatus: 'paused', modifiedDaysAgo: 10 },
];

export const referralId = (n: number): string => `ref-${String(n).padStart(2, '0')}`;
export const taskId = (n: number): string => `task-${referralId(n)}`;
const referralValue = (n: number): string => `SPL-DEMO-${String(n).padStart(4, '0')}`;

function patientRef(urls: SandboxBaseUrls | undefined, n: number): Reference<Patient> {
  const reference = `${urls ? `${urls.ehr}/` : ''}Patient/${patientId(n)}`;
  return { reference, identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: patientNhsNumber(n) } };
}

const coding = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });

/** The referrals as the GP's EHR holds them. */
export function referralServiceRequests(urls: SandboxBaseUrls, now: Date): ServiceRequest[] {
  return ROWS.map((row): ServiceRequest => {
    const authoredOn = daysAgo(now, row.authoredDaysAgo, 9, 30);
    const consent = EXTENSION_PART.consentGiven;
    const contact = EXTENSION_PART.contactPreference;
    const extension: Extension[] = [
      { url: EXTENSION.consentGiven, extension: [{ url: consent.date, valueDateTime: authoredOn }, { url: consent.recorder, valueReference: { reference: `Practitioner/${gpId(row.gp)}` } }] },
      { url: EXTENSION.contactPreference, extension: [{ url: contact.method, valueCode: 'phone' }, { url: contact.safeTimes, valueString: 'Weekdays 10:00–16:00' }, { url: contact.leaveMessage, valueBoolean: true }] },
      { url: EXTENSION.referralUrgency, valueCode: row.urgency },
      ...(row.statusReason ? [{ url: STATUS_REASON_EXTENSION, valueCodeableConcept: coding(CODE_SYSTEM.statusReason, row.statusReason, displayOf('statusReason', row.statusReason)) }] : []),
    ];
    return {
      resourceType: 'ServiceRequest',
      id: referralId(row.n),
      meta: { profile: [PROFILE.referral] },
      extension,
      identifier: [{ system: IDENTIFIER_SYSTEM.referral, value: referralValue(row.n) }],
      status: row.serviceRequest,
      intent: 'order',
      category: [coding(SYSTEM.snomed, SNOMED.referralToSocialPrescribing.code, SNOMED.referralToSocialPrescribing.display)],
      code: coding(CODE_SYSTEM.serviceType, 'link-worker', displayOf('serviceType', 'link-worker')),
      subject: patientRef(undefined, row.patient),
      authoredOn,
      requester: { reference: `Practitioner/${gpId(row.gp)}` },
      performer: [{ reference: `${urls.lw}/HealthcareService/${DEMO_IDS.linkWorkerService}`, display: 'Fernbridge Community Connect link workers' }],
      reasonCode: patientNeeds(row.patient).map((need) => coding(CODE_SYSTEM.need, need, displayOf('need', need))),
      priority: urgencyToPriority(row.urgency),
      note: [{ text: row.note }],
    };
  });
}

/** The link-worker side: one Task per referral, and the outcome Observations its outputs point at. */
export function referralTasks(urls: SandboxBaseUrls, now: Date): (Task | Observation)[] {
  return ROWS.flatMap((row) => {
    const observations = (row.outcomes ?? []).map((o, i) => demoOutcome(urls, now, row, o, i + 1));
    const output: TaskOutput[] = observations.map((obs) => ({
      type: coding(CODE_SYSTEM.taskOutputType, 'outcome-measure'),
      valueReference: { reference: `Observation/${obs.id}` },
    }));
    if (row.summary) output.push({ type: coding(CODE_SYSTEM.taskOutputType, 'summary'), valueString: row.summary });
    if (row.sessions !== undefined) output.push({ type: coding(CODE_SYSTEM.taskOutputType, 'sessions-held'), valueInteger: row.sessions });
    if (row.connectedTo) output.push({ type: coding(CODE_SYSTEM.taskOutputType, 'activity-referred'), valueReference: { reference: `HealthcareService/${row.connectedTo}` } });
    const task: Task = {
      resourceType: 'Task',
      id: taskId(row.n),
      meta: { profile: [PROFILE.referralTask] },
      identifier: [{ system: IDENTIFIER_SYSTEM.referralTask, value: referralValue(row.n) }],
      status: row.task,
      ...(row.businessStatus ? { businessStatus: coding(CODE_SYSTEM.businessStatus, row.businessStatus, displayOf('businessStatus', row.businessStatus)) } : {}),
      ...(row.statusReason ? { statusReason: coding(CODE_SYSTEM.statusReason, row.statusReason, displayOf('statusReason', row.statusReason)) } : {}),
      intent: 'order',
      priority: urgencyToPriority(row.urgency),
      code: coding(FHIR_SYSTEM.taskCode, 'fulfill', 'Fulfill the focal request'),
      focus: { reference: `${urls.ehr}/ServiceRequest/${referralId(row.n)}` },
      for: patientRef(urls, row.patient),
      authoredOn: daysAgo(now, row.authoredDaysAgo, 9, 31),
      lastModified: daysAgo(now, row.modifiedDaysAgo, 15),
      requester: { reference: `${urls.ehr}/Practitioner/${gpId(row.gp)}` },
      owner: { reference: `Organization/${DEMO_IDS.linkWorkerOrg}`, identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: ODS.linkWorkerService } },
      ...(row.task === 'requested' ? {} : { note: [{ authorReference: { reference: `PractitionerRole/${linkWorkerRoleId(row.worker)}` }, time: daysAgo(now, row.modifiedDaysAgo, 15), text: 'Link worker assigned.' }] }),
      ...(output.length ? { output } : {}),
    };
    return [task, ...observations];
  });
}

function demoOutcome(urls: SandboxBaseUrls, now: Date, row: ReferralRow, o: OutcomeSpec, i: number): Observation {
  const id = `${taskId(row.n)}-outcome-${i}`;
  const instrument = findInstrument(o.instrument);
  if (!instrument) throw new TypeError(`demo data names unknown instrument ${o.instrument}`);
  const ons4 = ['ons4-life-satisfaction', 'ons4-worthwhile', 'ons4-happiness', 'ons4-anxiety'] as const;
  return outcomeObservation({
    id,
    instrument,
    scores: o.instrument === 'ons4' ? Object.fromEntries(ons4.map((item, k) => [item, o.items[k] ?? 0])) : { total: o.value },
    status: 'final',
    identifier: { system: LOCAL_SYSTEM.lwOutcome, value: id },
    basedOn: { reference: `${urls.ehr}/ServiceRequest/${referralId(row.n)}` },
    subject: patientRef(urls, row.patient),
    effectiveDateTime: daysAgo(now, o.daysAgo, 11),
    performer: { reference: `PractitionerRole/${linkWorkerRoleId(row.worker)}` },
  });
}
