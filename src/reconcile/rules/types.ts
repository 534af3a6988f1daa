import type { CodeableConcept, Communication, Flag, HealthcareService, Observation, Patient, Procedure, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { SocialOutcomeCode } from '../../referral-model/codes.js';
import type { SrStatus, TaskStatus } from '../../referral-model/task-status.js';

/** Why a Task version cannot be reconciled as it stands; each becomes a dead letter with a clear reason. */
export type BadInputKind =
  | 'not-a-task'
  | 'missing-id'
  | 'missing-version'
  | 'invalid-status'
  | 'missing-focus'
  | 'focus-not-service-request'
  | 'focus-unknown-server'
  | 'focus-not-found'
  | 'missing-for'
  | 'patient-unresolvable'
  | 'patient-mismatch'
  | 'invalid-nhs-number'
  | 'wrong-owner'
  | 'unknown-output-type'
  | 'invalid-output'
  | 'output-other-server'
  | 'output-not-found'
  | 'unknown-instrument'
  | 'score-out-of-range'
  | 'oversized'
  | 'invalid-service-request'
  | 'profile-violation'
  /** SP Link itself failed on this version (a defect): parked so the rest goes on; replay after the fix. */
  | 'internal-error';

export interface BadInput {
  readonly kind: BadInputKind;
  /** Operator-facing reason; ids and codes only, never patient data. */
  readonly reason: string;
}

/** A FHIR reference split into where it lives. */
export type ResolvedRef =
  | { readonly kind: 'ehr'; readonly tenantId: string; readonly resourceType: string; readonly id: string }
  | { readonly kind: 'link-worker'; readonly resourceType: string; readonly id: string }
  | { readonly kind: 'contained'; readonly id: string };

/** What the rules need to know about the configured servers; a plain value, no config object. */
export interface Topology {
  readonly endpointId: string;
  readonly endpointName: string;
  readonly linkWorkerBase: string;
  /** ODS code of the organisation that must own the Tasks, when configured. */
  readonly ownerOdsCode?: string;
  /** ODS codes of providers that take referrals direct at this endpoint (`directReferrals` via the workspace). */
  readonly directOwnerOdsCodes?: readonly string[];
  /** Each practice's EHR; its name and ODS code address messages about referrals the GP did not make. */
  readonly tenants: readonly { readonly id: string; readonly ehrBase: string; readonly name?: string; readonly odsCode?: string }[];
  /** Task.status failed: revoke the referral (true) or leave its status alone (false). */
  readonly failedTaskRevokesReferral: boolean;
}

/**
 * One Task.output as SP Link understands it. What an output is comes from what it carries (the referenced
 * resource and its code), not only from `output.type`: an Observation is an outcome candidate whatever the
 * type says, a Procedure is an activity. Anything else that cannot be used is `unused`: recorded (Provenance,
 * a line in the GP's message), never a reason to hold back the Task's status.
 */
export type TaskOutput =
  | { readonly type: 'outcome-measure'; readonly ref: ResolvedRef; readonly index: number }
  | { readonly type: 'summary'; readonly text: string }
  | { readonly type: 'sessions-held'; readonly count: number }
  /** A service or activity the person was connected to: its name, or a HealthcareService at the link-worker endpoint to name it. */
  | { readonly type: 'activity-referred'; readonly index: number; readonly text?: string; readonly ref?: ResolvedRef }
  /** Gravity `resulting-activity`: a Procedure at the link-worker endpoint (described once read) or a code. */
  | { readonly type: 'resulting-activity'; readonly index: number; readonly ref?: ResolvedRef; readonly text?: string }
  /** A need or concern as the link worker found it (SP Link `needs-identified`), by name. */
  | { readonly type: 'needs-identified'; readonly index: number; readonly text: string }
  /** A social outcome at closing (SP Link `social-outcome`, coded; referral-model/social-outcome.ts). */
  | { readonly type: 'social-outcome'; readonly index: number; readonly code: SocialOutcomeCode }
  | UnusedOutput;

/** An output SP Link cannot carry into the GP record, and why (ids and codes only in `reason`). */
export interface UnusedOutput {
  readonly type: 'unused';
  readonly index: number;
  /** The output's type as sent (code or text), for the GP message and Provenance. */
  readonly label: string;
  readonly why: BadInputKind;
  readonly reason: string;
  /** Absolute URL of what it points at, when it points at something. */
  readonly source?: string;
  /** Free text the output carried (a value SP Link has no place for), shown to the GP as sent. */
  readonly text?: string;
}

/** The patient a Task is for, as the Task states it. */
export type TaskSubject =
  | { readonly kind: 'nhs-number'; readonly nhsNumber: string }
  /** `relative`: the Task wrote `Patient/x`, read against the EHR its focus names. */
  | { readonly kind: 'ehr-reference'; readonly id: string; readonly relative?: boolean };

/** A Task version the rules accept: everything later stages need, checked and typed. */
export interface ParsedTask {
  readonly id: string;
  /** `meta.versionId`: an opaque id (integers on some servers, UUIDs on others). */
  readonly version: string;
  /** Where this version sits among the Task's versions (rules/version-order.ts): lastUpdated, then version id. */
  readonly order: string;
  readonly status: TaskStatus;
  readonly tenantId: string;
  readonly serviceRequestId: string;
  readonly subject: TaskSubject;
  readonly outputs: readonly TaskOutput[];
  readonly reasonCode?: string;
  readonly reasonText?: string;
  readonly businessStatus?: string;
  /**
   * Where the link worker is (Task.businessStatus in SP Link's or any system's terms): `key` names the stage in
   * write-back identifiers (one progress message per stage), `text` is what the GP reads.
   */
  readonly progress?: { readonly key: string; readonly text: string };
  readonly safeguarding?: { readonly detail?: string };
  readonly ownerDisplay?: string;
  readonly lastModified: string;
  readonly task: Task;
}

/** What SP Link remembers per Task between versions (table reconcile_task_state). */
export interface TaskTrack {
  /** Order key of the latest Task version processed so far; older versions may still add resources but never move status. */
  readonly maxVersion: string;
  /** Order key of the Task version whose terminal status SP Link wrote to the ServiceRequest, if any. */
  readonly terminalVersion?: string;
}

export interface PlanInput {
  readonly task: ParsedTask;
  readonly topology: Topology;
  readonly serviceRequest: ServiceRequest & { id: string };
  readonly patient?: Patient & { id: string };
  /** Source Observations named by outcome-measure outputs, keyed by `ref key` (see refKey). */
  readonly observations: ReadonlyMap<string, Observation>;
  /** Procedures named by `resulting-activity` outputs, keyed by refKey (absent: none were read). */
  readonly procedures?: ReadonlyMap<string, Procedure>;
  /** HealthcareServices named (without a display) by `activity-referred` outputs, keyed by refKey. */
  readonly services?: ReadonlyMap<string, HealthcareService>;
  /** The Task's onward referrals (sub-Tasks `partOf` it) as they stand, for the message back at completion. */
  readonly onward?: readonly Task[];
  readonly track: TaskTrack | undefined;
  /**
   * EHR copies of outcome measures already written, by write-back identifier (outcomeIdentifier). Absent:
   * nothing is known of copies, and every outcome is a conditional create (which never duplicates).
   */
  readonly copies?: ReadonlyMap<string, OutcomeCopy>;
}

/** An outcome Observation SP Link copied into the EHR, as read back: its id and version for If-Match. */
export interface OutcomeCopy {
  readonly id: string;
  readonly versionId: string;
  readonly resource: Observation;
}

/** One write the reconciler makes. A discriminated union: every consumer switches exhaustively. */
export type Effect =
  /**
   * `reason`: why the link-worker service ended the referral (the status-reason extension a revoked referral carries),
   * `note`: the same for people reading the record, with who ended it.
   */
  | {
    readonly kind: 'set-referral-status'; readonly serviceRequestId: string; readonly from: SrStatus; readonly to: SrStatus;
    readonly reason?: CodeableConcept; readonly note?: { readonly author: string; readonly time: string; readonly text: string };
  }
  | { readonly kind: 'create-observation'; readonly identifier: string; readonly resource: Observation }
  | { readonly kind: 'update-observation'; readonly identifier: string; readonly observationId: string; readonly version: string; readonly resource: Observation }
  | { readonly kind: 'create-communication'; readonly identifier: string; readonly resource: Communication }
  | { readonly kind: 'create-flag'; readonly identifier: string; readonly resource: Flag }
  | { readonly kind: 'cancel-task'; readonly taskId: string; readonly taskVersion: string; readonly reason: string };

export type Plan =
  /** `notCarried`: outputs this version carried that SP Link could not use (recorded in Provenance and the GP message). */
  | { readonly kind: 'apply'; readonly effects: readonly Effect[]; readonly track: TaskTrack; readonly notCarried: readonly UnusedOutput[] }
  | { readonly kind: 'bad-input'; readonly bad: BadInput };
