import { z } from 'zod';
import type { FieldError } from '../errors.js';
import type { MessageBack } from '../message-back/index.js';
import type { NeedCode, ServiceTypeCode } from '../referral-model/codes.js';
import type { EqualityQuestion } from '../referral-model/equality.js';
import type { OutcomeSeries } from '../referral-model/outcome-series.js';
import { isRelativeReferenceTo } from '../referral-model/references.js';
import type { NeedsChange } from '../referral-model/needs-change.js';
import type { SafeguardingConcern } from '../referral-model/safeguarding.js';
import type { StatusLabel } from '../referral-model/status-labels.js';

/**
 * The GP app's HTTP contract: what `src/smart`'s API (`/app/api/…`) answers and accepts. The server and the
 * browser bundle (`smart-app/`) both import it, so neither reads the other's internals; types and zod schemas only.
 */

export type { FieldError, MessageBack, OutcomeSeries, SafeguardingConcern, StatusLabel };

/** Every error answer: `{ "error": { "code": "ERR_…", "message": "…", "fields": [...] } }` (docs/ARCHITECTURE.md, Errors). */
export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[] };
}

/** The patient banner (NHS patient banner fields) and who is signed in: all the app needs to start. */
export interface AppContext {
  patient: { id: string; name: string; nhsNumber?: string; birthDate?: string; gender?: string; address?: string; phone?: string };
  needPatientBanner: boolean;
  practitioner: { reference?: string; name?: string };
  practice: string;
  linkWorkerService: string;
  csrfToken: string;
  /** Local date at the practice, the default for "consent given on". */
  today: string;
  /** Launched from SP Link's decision-support card in the GP system: the app opens the referral form with these needs chosen. */
  referNeeds?: NeedCode[];
  /** Equality monitoring questions the GP record cannot answer for this patient: the form asks only these, all optional. */
  equalityToAsk: EqualityQuestion[];
}

/** One directory entry as the GP sees it: what it is, who it is for, whether it can take the person now. */
export interface DirectoryEntry {
  id: string;
  name: string;
  serviceType?: ServiceTypeCode;
  typeLabel: string;
  description?: string;
  needs: string[];
  provider?: string;
  locality?: string;
  eligibility?: string;
  acceptingReferrals?: boolean;
  waitDays?: number;
  capacityAsOf?: string;
  phone?: string;
  /** Miles from the person's home, where both have coordinates. */
  distanceMiles?: number;
  /** Why it ranks where it does, in one line ("matches 2 needs, 1.2 miles, taking referrals"). */
  rankReason?: string;
  /** Who last checked the details, and when. */
  verified?: { date: string; by: 'feed' | 'provider' | 'link-worker' | 'manager'; who?: string };
  /** The same in words, as every surface shows it ("Last checked 1 Dec 2026 by the provider (Gail Hughes)"). */
  verifiedLabel?: string;
  /** Not checked within the configured time: the details may be out of date. */
  stale?: boolean;
}

export interface CreatedReferral {
  referralId: string;
  serviceRequestId: string;
  /** Who will contact the person (the organisation that owns the Task), for the GP's confirmation. */
  contact?: string;
  /** `direct` to the provider, or `link-worker`: via the link-worker service (with the chosen service as a suggestion). */
  route?: 'direct' | 'link-worker';
  /** True when this submission had already created the referral: nothing new was written. */
  alreadySent?: true;
}

/** The GP's view of one referral: status, timeline and outcome scores (first vs latest). Pure. */
export interface ReferralSummary {
  /** ServiceRequest logical id at the EHR. */
  id: string;
  /** SP Link referral id (SPL-XXXX-XXXX), or undefined for referrals made outside SP Link. */
  referralId?: string;
  version?: string;
  authoredOn?: string;
  requester?: string;
  /**
   * Who made the referral when it was not the practice: "Self-referral" or "Agency: {name}" (referral-model/referral-source.ts).
   * Such a referral is in the record because the person agreed that their GP is told; the GP cannot cancel it.
   */
  source?: string;
  /** The service the GP chose (or, without one, whoever the referral went to). */
  service: string;
  /**
   * Who will contact the person: the Task's owner (the link-worker organisation, the provider, or the link worker
   * the case is assigned to), else the referral's performer.
   */
  contact?: string;
  /** True when the chosen service went to the link-worker service as the GP's suggestion (not direct to it). */
  suggested?: true;
  needs: string[];
  /** Need codes (CODE_SYSTEM.need), for the "open referral for the same need" warning. */
  needCodes: string[];
  urgency: string;
  status: StatusLabel;
  /** Still with the link-worker service (not completed, declined, cancelled or withdrawn). */
  open: boolean;
  /** Where the GP's list shows it: what needs the GP first, then what is in progress, then what has ended. */
  group: ReferralGroup;
  /** Why it needs the GP's attention (group `attention`). */
  attention?: string;
  /** Why a referral stopped, or where the link worker is (business status). */
  detail?: string;
  cancellable: boolean;
  /** Every status with its time, messages and scores, oldest first. `at` is a date-time or, for scores, a date. */
  timeline: { at: string; text: string }[];
  outcomes: OutcomeSeries[];
  /** The needs as the link worker found them and why, when they changed after referral (from the live Task). */
  needsChange?: NeedsChange;
  /** Safeguarding concerns on this referral (the referrer's and the link worker's), oldest first. */
  safeguarding: SafeguardingConcern[];
  /** Messages from the link-worker service (the message back and event messages), newest first, as the GP reads them. */
  messages: MessageBack[];
}

export type ReferralGroup = 'attention' | 'open' | 'closed';

/** `POST /app/api/referrals/:id/cancel`. */
export const cancelSchema = z.object({
  patientId: z.string({ error: 'The patient is missing; relaunch SP Link from the patient record' }),
  version: z.string().max(64).optional(),
  reason: z.enum(['gp-cancelled', 'duplicate-referral', 'entered-in-error'], { error: 'Choose why you are cancelling' }).default('gp-cancelled'),
});
export type CancelReason = z.infer<typeof cancelSchema>['reason'];

/** The answer to a cancel: the ServiceRequest is revoked; whether the link-worker service's Task was cancelled at once. */
export interface CancelResult {
  status: 'revoked';
  taskCancelled: boolean;
}

/** `POST /app/api/referrals/:id/safeguarding/acknowledge`. */
export const acknowledgeSchema = z.object({
  patientId: z.string({ error: 'The patient is missing; relaunch SP Link from the patient record' }),
  concern: z.string({ error: 'Say which safeguarding concern you are acknowledging' }).refine((v) => isRelativeReferenceTo(v, 'ServiceRequest', 'Communication'), 'Say which safeguarding concern you are acknowledging'),
});

/** The answer to an acknowledgement: who acknowledged the concern, and when (the first acknowledgement, if repeated). */
export interface AcknowledgementResult {
  acknowledged: { by: string; at: string };
}
