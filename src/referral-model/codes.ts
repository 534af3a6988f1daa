/**
 * SP Link's terminology and URL registry: the single source of truth in code for the canonical
 * base, profile / extension / CodeSystem / ValueSet URLs, identifier systems and code lists.
 * The FSH in `fhir-profiles/input/fsh/` declares the same codes; a test keeps both in step.
 * Names here are stable: add entries, never rename them.
 */

/** Canonical base of every SP Link conformance resource; equals `canonical` in sushi-config.yaml. */
export const CANONICAL_BASE = 'https://fhir.sp-link.example.org' as const;

const sd = <T extends string>(id: T) => `${CANONICAL_BASE}/StructureDefinition/${id}` as const;
const cs = <T extends string>(id: T) => `${CANONICAL_BASE}/CodeSystem/${id}` as const;
const vs = <T extends string>(id: T) => `${CANONICAL_BASE}/ValueSet/${id}` as const;

/** StructureDefinition URLs of the profiles for every resource type SP Link writes. */
export const PROFILE = {
  referral: sd('sp-link-referral'),
  referralTask: sd('sp-link-referral-task'),
  outcomeObservation: sd('sp-link-outcome-observation'),
  socialOutcomeObservation: sd('sp-link-social-outcome-observation'),
  gpCommunication: sd('sp-link-gp-communication'),
  provenance: sd('sp-link-provenance'),
  flag: sd('sp-link-flag'),
  subscription: sd('sp-link-subscription'),
  safeguardingAcknowledgement: sd('sp-link-safeguarding-acknowledgement'),
  /** Inbound: an agency's referral posted to the referral API (src/intake/api). */
  agencyReferral: sd('sp-link-agency-referral'),
} as const;
export type ProfileKey = keyof typeof PROFILE;
export type ProfileUrl = (typeof PROFILE)[ProfileKey];

/** Extension URLs. Complex extensions list their sub-extension `url`s in EXTENSION_PART. */
export const EXTENSION = {
  /** Patient consent to the referral: sub-extensions `date` (dateTime), `recorder` (Reference). */
  consentGiven: sd('consent-given'),
  /** How and when the person may be contacted: `method` (0..*, code), `safeTimes` (string), `leaveMessage` (boolean). */
  contactPreference: sd('contact-preference'),
  /** Accessibility or interpreter need: `type` (code), `language` (CodeableConcept), `detail` (string). */
  accessibilityNeed: sd('accessibility-need'),
  /** Safeguarding concern raised by the referrer or link worker: `flag` (boolean), `detail` (string). */
  safeguardingConcern: sd('safeguarding-concern'),
  /** Capacity and waiting time of a directory HealthcareService: `acceptingReferrals`, `waitDays`, `asOf`. */
  serviceCapacity: sd('service-capacity'),
  /** Urgency as the referrer chose it (SP Link code); ServiceRequest.priority carries the FHIR mapping. */
  referralUrgency: sd('referral-urgency'),
  /** Why a ServiceRequest was revoked (R4 ServiceRequest has no statusReason): valueCodeableConcept. */
  statusReason: sd('status-reason'),
  /** PRSB Social Prescribing Information Standard section a Communication.payload carries: valueCoding. */
  prsbSection: sd('prsb-section'),
  /** When a directory HealthcareService was last checked and by whom: `date`, `by` (feed | provider | link-worker | manager), `who`. */
  serviceVerification: sd('service-verification'),
  /** Who made a referral that did not come from the GP (Task, valueCode `self` | `agency`); see referral-source.ts. */
  referralSource: sd('referral-source'),
  /** Whether SP Link knows who sent an agency referral (Task, valueBoolean); see referral-source.ts. */
  referrerVerified: sd('referrer-verified'),
  /**
   * Equality monitoring answers the GP asked where the GP record lacks them (ServiceRequest in the GP record only):
   * `ethnicCategory` (Coding), `disability`, `firstLanguage`, `interpreterRequired`; see equality.ts.
   */
  equalityMonitoring: sd('equality-monitoring'),
} as const;

/** Core FHIR R4 extensions SP Link uses. */
export const CORE_EXTENSION = {
  /** Flag → the record behind it (SP Link: the referral ServiceRequest). */
  flagDetail: 'http://hl7.org/fhir/StructureDefinition/flag-detail',
} as const;

export const EXTENSION_PART = {
  consentGiven: { date: 'date', recorder: 'recorder', shareWithGp: 'shareWithGp' },
  contactPreference: { method: 'method', safeTimes: 'safeTimes', leaveMessage: 'leaveMessage' },
  accessibilityNeed: { type: 'type', language: 'language', detail: 'detail' },
  safeguardingConcern: { flag: 'flag', detail: 'detail' },
  serviceCapacity: { acceptingReferrals: 'acceptingReferrals', waitDays: 'waitDays', asOf: 'asOf' },
  serviceVerification: { date: 'date', by: 'by', who: 'who' },
  equalityMonitoring: { ethnicCategory: 'ethnicCategory', disability: 'disability', firstLanguage: 'firstLanguage', interpreterRequired: 'interpreterRequired' },
} as const;

/** Identifier systems. `referral` is the default; a tenant may configure its own system. */
export const IDENTIFIER_SYSTEM = {
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  odsOrganisation: 'https://fhir.nhs.uk/Id/ods-organization-code',
  referral: `${CANONICAL_BASE}/Id/referral`,
  referralTask: `${CANONICAL_BASE}/Id/referral-task`,
  /** Deterministic write-back identifiers (conditional create keys), see writeBackIdentifierValue. */
  outcomeObservation: `${CANONICAL_BASE}/Id/outcome-observation`,
  gpCommunication: `${CANONICAL_BASE}/Id/gp-communication`,
  flag: `${CANONICAL_BASE}/Id/flag`,
  /** One acknowledgement per safeguarding concern (conditional create key). */
  safeguardingAcknowledgement: `${CANONICAL_BASE}/Id/safeguarding-acknowledgement`,
  provenance: `${CANONICAL_BASE}/Id/provenance`,
  /** An onward referral (sub-Task `partOf` the referral Task) to a community group: one per referral Task and service. */
  onwardReferral: `${CANONICAL_BASE}/Id/onward-referral`,
  /** Open Referral UK ids of directory records (HSDS ids are unique across publishers), one system per record kind. */
  orukService: `${CANONICAL_BASE}/Id/oruk-service`,
  orukOrganization: `${CANONICAL_BASE}/Id/oruk-organization`,
  orukLocation: `${CANONICAL_BASE}/Id/oruk-location`,
} as const;

/**
 * Value of a deterministic write-back identifier: the same source always yields the same value,
 * so a conditional create (`If-None-Exist: identifier=system|value`) never duplicates.
 * Parts are e.g. [taskId, taskVersion, sourceObservationId]; `|` would break token search, so it is refused.
 */
export function writeBackIdentifierValue(parts: readonly (string | number)[]): string {
  if (parts.length === 0) throw new TypeError('writeBackIdentifierValue needs at least one part');
  return parts
    .map((p) => {
      const s = String(p);
      if (s === '' || s.includes('|')) throw new TypeError(`invalid identifier part ${JSON.stringify(s)}`);
      return s;
    })
    .join(':');
}

/** External code systems. */
export const SYSTEM = {
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  bcp47: 'urn:ietf:bcp:47',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  taskCode: 'http://hl7.org/fhir/CodeSystem/task-code',
  provenanceParticipantType: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  dataOperation: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  /** HL7 Gravity SDOH Clinical Care temporary codes (Task.output.type `resulting-activity`, `additional-content`). */
  gravityTemporaryCodes: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes',
} as const;

/** SP Link CodeSystem URLs (each has a ValueSet of the same id containing all its codes). */
export const CODE_SYSTEM = {
  need: cs('need'),
  serviceType: cs('service-type'),
  businessStatus: cs('business-status'),
  statusReason: cs('status-reason'),
  contactMethod: cs('contact-method'),
  sessionMode: cs('session-mode'),
  urgency: cs('urgency'),
  accessibilityNeed: cs('accessibility-need'),
  outcomeInstrument: cs('outcome-instrument'),
  taskOutputType: cs('task-output-type'),
  communicationTopic: cs('communication-topic'),
  flagCode: cs('flag-code'),
  prsbSection: cs('prsb-section'),
  gpReplyTopic: cs('gp-reply-topic'),
  socialOutcome: cs('social-outcome'),
  equalityAnswer: cs('equality-answer'),
} as const;
export type CodeSystemKey = keyof typeof CODE_SYSTEM;

export const VALUE_SET = {
  need: vs('need'),
  serviceType: vs('service-type'),
  businessStatus: vs('business-status'),
  statusReason: vs('status-reason'),
  contactMethod: vs('contact-method'),
  sessionMode: vs('session-mode'),
  urgency: vs('urgency'),
  accessibilityNeed: vs('accessibility-need'),
  outcomeInstrument: vs('outcome-instrument'),
  outcomeItem: vs('outcome-item'),
  taskOutputType: vs('task-output-type'),
  communicationTopic: vs('communication-topic'),
  flagCode: vs('flag-code'),
  prsbSection: vs('prsb-section'),
  gpReplyTopic: vs('gp-reply-topic'),
  socialOutcome: vs('social-outcome'),
  equalityAnswer: vs('equality-answer'),
  /** NHS Data Dictionary ethnic categories, in the UK Core CodeSystem (src/referral-model/equality.ts). */
  ethnicCategory: vs('ethnic-category'),
  referralCategory: vs('referral-category'),
  provenanceActivity: vs('provenance-activity'),
  provenanceAgentType: vs('provenance-agent-type'),
} as const;

export interface CodeEntry {
  readonly code: string;
  readonly display: string;
}

/**
 * SNOMED CT UK concepts SP Link writes, each verified against two sources (fhir-profiles/README.md).
 * Concepts seen in a single source only are listed as candidates in the README's mapping table, not here.
 */
export const SNOMED = {
  referralToSocialPrescribing: { code: '871731000000106', display: 'Referral to social prescribing service' },
} as const satisfies Record<string, CodeEntry>;

/** Needs and concerns that bring a person to social prescribing (ServiceRequest.reasonCode). */
export const NEEDS = [
  { code: 'loneliness', display: 'Loneliness' },
  { code: 'social-isolation', display: 'Social isolation' },
  { code: 'debt-money', display: 'Debt or money worries' },
  { code: 'welfare-benefits', display: 'Welfare benefits advice' },
  { code: 'housing', display: 'Housing problem' },
  { code: 'food-insecurity', display: 'Food insecurity' },
  { code: 'mental-wellbeing', display: 'Mental wellbeing or low mood' },
  { code: 'physical-activity', display: 'Physical activity' },
  { code: 'healthy-lifestyle', display: 'Healthy lifestyle (diet, weight, smoking, alcohol)' },
  { code: 'carer-strain', display: 'Carer strain or carer support' },
  { code: 'employment', display: 'Employment, training or volunteering' },
  { code: 'bereavement', display: 'Bereavement' },
  { code: 'digital-exclusion', display: 'Digital exclusion' },
  { code: 'long-term-condition', display: 'Living with a long-term condition' },
  { code: 'relationships', display: 'Family or relationship difficulties' },
  { code: 'transport', display: 'Transport or access difficulties' },
  { code: 'legal-advice', display: 'Legal or immigration advice' },
  { code: 'other', display: 'Other need (see note)' },
] as const satisfies readonly CodeEntry[];
export type NeedCode = (typeof NEEDS)[number]['code'];

/** Service types a referral asks for (ServiceRequest.code); "activities referred to" in PRSB terms. */
export const SERVICE_TYPES = [
  { code: 'link-worker', display: 'Social prescribing link worker support' },
  { code: 'befriending', display: 'Befriending' },
  { code: 'community-group', display: 'Community group or social activity' },
  { code: 'arts-culture', display: 'Arts and culture activity' },
  { code: 'green-activity', display: 'Nature-based or gardening activity' },
  { code: 'physical-activity', display: 'Physical activity programme' },
  { code: 'debt-advice', display: 'Debt and money advice' },
  { code: 'benefits-advice', display: 'Welfare benefits advice' },
  { code: 'housing-advice', display: 'Housing advice' },
  { code: 'food-support', display: 'Food support' },
  { code: 'carer-support', display: 'Carer support service' },
  { code: 'employment-support', display: 'Employment, skills or volunteering support' },
  { code: 'bereavement-support', display: 'Bereavement support' },
  { code: 'digital-inclusion', display: 'Digital skills and inclusion' },
  { code: 'wellbeing-support', display: 'Mental wellbeing support (non-clinical)' },
] as const satisfies readonly CodeEntry[];
export type ServiceTypeCode = (typeof SERVICE_TYPES)[number]['code'];

/** Task.businessStatus: where the link worker is, finer than Task.status. */
export const BUSINESS_STATUSES = [
  { code: 'awaiting-contact', display: 'Awaiting first contact' },
  { code: 'contact-attempted', display: 'Contact attempted' },
  { code: 'could-not-contact', display: 'Could not contact' },
  { code: 'first-contact-made', display: 'First contact made' },
  { code: 'what-matters-conversation', display: '"What matters to me" conversation held' },
  { code: 'plan-agreed', display: 'Personalised support plan agreed' },
  { code: 'sessions-ongoing', display: 'Sessions ongoing' },
  { code: 'connected-to-service', display: 'Connected to community service' },
  { code: 'follow-up', display: 'Follow-up after connection' },
  { code: 'support-completed', display: 'Support completed' },
  // Triage answered with information about other support only: the referral ends completed, never taken on as a case.
  { code: 'signposted', display: 'Signposted to other support' },
  { code: 'paused', display: 'Support paused' },
] as const satisfies readonly CodeEntry[];
export type BusinessStatusCode = (typeof BUSINESS_STATUSES)[number]['code'];

/** Task.statusReason and ServiceRequest cancellation reasons: who ends a referral, and why. */
export const STATUS_REASONS = [
  { code: 'patient-declined', display: 'Person declined social prescribing', by: 'patient' },
  { code: 'could-not-contact', display: 'Could not contact the person', by: 'link-worker' },
  { code: 'not-eligible', display: 'Does not meet service criteria', by: 'link-worker' },
  { code: 'needs-beyond-scope', display: 'Needs beyond the scope of social prescribing', by: 'link-worker' },
  { code: 'service-at-capacity', display: 'Service at capacity', by: 'link-worker' },
  { code: 'referred-elsewhere', display: 'Referred to a more suitable service', by: 'link-worker' },
  { code: 'safeguarding-escalated', display: 'Escalated under safeguarding procedures', by: 'link-worker' },
  { code: 'patient-withdrew', display: 'Person withdrew from support', by: 'patient' },
  { code: 'patient-moved', display: 'Person moved out of area', by: 'patient' },
  { code: 'patient-died', display: 'Person died', by: 'patient' },
  { code: 'gp-cancelled', display: 'Cancelled by the referrer', by: 'gp' },
  { code: 'duplicate-referral', display: 'Duplicate referral', by: 'gp' },
  { code: 'entered-in-error', display: 'Referral made in error', by: 'gp' },
  // What SP Link records when a link-worker system ends a referral without a reason in SP Link's terms (its own
  // coding and words travel alongside): never offered to people choosing a reason.
  { code: 'declined-by-service', display: 'Declined by the link-worker service', by: 'service' },
  { code: 'cancelled-by-service', display: 'Cancelled by the link-worker service', by: 'service' },
  { code: 'not-completed', display: 'Support could not be completed', by: 'service' },
  // What a community group records on an onward referral (src/referral-model/onward-referral.ts).
  { code: 'did-not-attend', display: 'Person did not attend', by: 'provider' },
  // Why a link worker withdraws an onward referral the group can no longer take up.
  { code: 'service-closed', display: 'The service closed or stopped running', by: 'link-worker' },
] as const satisfies readonly (CodeEntry & { by: 'patient' | 'link-worker' | 'gp' | 'service' | 'provider' })[];
export type StatusReasonCode = (typeof STATUS_REASONS)[number]['code'];

export const CONTACT_METHODS = [
  { code: 'phone', display: 'Telephone call' },
  { code: 'sms', display: 'Text message (SMS)' },
  { code: 'letter', display: 'Letter' },
  { code: 'email', display: 'Email' },
  { code: 'video', display: 'Video call' },
  { code: 'in-person', display: 'In person' },
] as const satisfies readonly CodeEntry[];
export type ContactMethodCode = (typeof CONTACT_METHODS)[number]['code'];

export const SESSION_MODES = [
  { code: 'face-to-face', display: 'Face to face' },
  { code: 'telephone', display: 'Telephone' },
  { code: 'video', display: 'Video' },
  { code: 'home-visit', display: 'Home visit' },
  { code: 'accompanied', display: 'Accompanied to an activity' },
] as const satisfies readonly CodeEntry[];
export type SessionModeCode = (typeof SESSION_MODES)[number]['code'];

/** Referrer's urgency and the FHIR ServiceRequest.priority it maps to (request-priority, R4). */
export const URGENCIES = [
  { code: 'routine', display: 'Routine', priority: 'routine' },
  { code: 'soon', display: 'Soon (within two weeks)', priority: 'urgent' },
  { code: 'urgent', display: 'Urgent (within two working days)', priority: 'asap' },
] as const satisfies readonly (CodeEntry & { priority: 'routine' | 'urgent' | 'asap' | 'stat' })[];
export type UrgencyCode = (typeof URGENCIES)[number]['code'];
export type RequestPriority = (typeof URGENCIES)[number]['priority'];

/**
 * The referrer's urgency and safeguarding questions, in the same words on every referral form (the GP app's, the
 * agency form); the answers are URGENCIES codes and the `safeguarding-concern` flag and detail the API carries too.
 */
export const REFERRER_QUESTIONS = {
  urgency: 'How soon should the link worker make contact?',
  safeguarding: 'Is there a safeguarding concern?',
  safeguardingHint: 'Answering yes makes the referral urgent.',
  safeguardingDetail: 'Describe the concern and any action taken',
} as const;

export function urgencyToPriority(urgency: UrgencyCode): RequestPriority {
  const entry = URGENCIES.find((u) => u.code === urgency);
  if (!entry) throw new TypeError(`unknown urgency ${String(urgency)}`);
  return entry.priority;
}

export function priorityToUrgency(priority: string | undefined): UrgencyCode {
  return URGENCIES.find((u) => u.priority === priority)?.code ?? 'routine';
}

export const ACCESSIBILITY_NEEDS = [
  { code: 'interpreter', display: 'Spoken language interpreter' },
  { code: 'bsl-interpreter', display: 'British Sign Language interpreter' },
  { code: 'large-print', display: 'Large print' },
  { code: 'easy-read', display: 'Easy read' },
  { code: 'braille', display: 'Braille' },
  { code: 'hearing-loop', display: 'Hearing loop' },
  { code: 'step-free-access', display: 'Step-free access' },
  { code: 'advocate', display: 'Needs an advocate or carer present' },
  { code: 'other', display: 'Other (see detail)' },
] as const satisfies readonly CodeEntry[];
export type AccessibilityNeedCode = (typeof ACCESSIBILITY_NEEDS)[number]['code'];

/** Task.output.type: what a link worker attaches to the referral Task. */
export const TASK_OUTPUT_TYPES = [
  { code: 'outcome-measure', display: 'Outcome measure (Observation)' },
  { code: 'summary', display: 'Summary of support' },
  { code: 'sessions-held', display: 'Number of sessions held' },
  { code: 'activity-referred', display: 'Activity or service the person was connected to' },
  { code: 'needs-identified', display: 'Need or concern as the link worker found it' },
  { code: 'social-outcome', display: 'Social outcome at closing' },
] as const satisfies readonly CodeEntry[];
export type TaskOutputTypeCode = (typeof TASK_OUTPUT_TYPES)[number]['code'];

/**
 * What changed in the person's life by the time support ended, beyond the scores (recorded at completion, one
 * Task.output `social-outcome` each; copied into the GP record as SPLinkSocialOutcomeObservations; counted in the reports).
 */
export const SOCIAL_OUTCOMES = [
  { code: 'housing-secured', display: 'Housing secured or improved' },
  { code: 'debt-advice', display: 'Debt advice received' },
  { code: 'benefits-claimed', display: 'Benefits claimed or increased' },
  { code: 'food-support', display: 'Food support received' },
  { code: 'fuel-support', display: 'Energy or fuel support received' },
  { code: 'employment', display: 'Started work, training or education' },
  { code: 'volunteering', display: 'Started volunteering' },
  { code: 'group-attending', display: 'Connected to a community group and still attending' },
  { code: 'physically-active', display: 'More physically active' },
  { code: 'carer-support', display: 'Carer support in place' },
  { code: 'digital-skills', display: 'Got online or gained digital skills' },
  { code: 'legal-advice', display: 'Legal or immigration advice received' },
] as const satisfies readonly CodeEntry[];
export type SocialOutcomeCode = (typeof SOCIAL_OUTCOMES)[number]['code'];
export const isSocialOutcomeCode = (c: string | undefined): c is SocialOutcomeCode => SOCIAL_OUTCOMES.some((o) => o.code === c);

/**
 * An equality monitoring question's answer where it is not a value of its own (a disability or an interpreter need is
 * yes or no; a first language is a BCP 47 code): the person said, preferred not to say, or was not asked.
 */
export const EQUALITY_ANSWERS = [
  { code: 'yes', display: 'Yes' },
  { code: 'no', display: 'No' },
  { code: 'prefer-not-to-say', display: 'Prefer not to say' },
  { code: 'not-asked', display: 'Not asked' },
] as const satisfies readonly CodeEntry[];
export type EqualityAnswerCode = (typeof EQUALITY_ANSWERS)[number]['code'];

/** Communication.topic to the GP: the events that need the GP's eyes, and the final message back. */
export const COMMUNICATION_TOPICS = [
  { code: 'referral-completed', display: 'Social prescribing completed: message back to GP' },
  { code: 'referral-declined', display: 'Referral declined' },
  { code: 'referral-cancelled', display: 'Referral cancelled' },
  { code: 'referral-not-completed', display: 'Support could not be completed' },
  { code: 'could-not-contact', display: 'Could not contact the person' },
  { code: 'referral-progress', display: 'Progress update from the link-worker service' },
  { code: 'safeguarding-concern', display: 'Safeguarding concern raised' },
  { code: 'referral-overdue', display: 'Referral not accepted in time: escalated to the service manager' },
  { code: 'referral-received', display: 'Social prescribing referral made by someone other than the GP' },
] as const satisfies readonly CodeEntry[];
export type CommunicationTopicCode = (typeof COMMUNICATION_TOPICS)[number]['code'];

/** Communication.topic of what the GP practice sends back about a referral (SP Link's replies from the GP). */
export const GP_REPLY_TOPICS = [
  { code: 'safeguarding-acknowledged', display: 'Safeguarding concern acknowledged' },
] as const satisfies readonly CodeEntry[];
export type GpReplyTopicCode = (typeof GP_REPLY_TOPICS)[number]['code'];

export const FLAG_CODES = [
  { code: 'safeguarding-concern', display: 'Safeguarding concern raised by social prescribing' },
  { code: 'could-not-contact', display: 'Social prescribing could not contact the person' },
  { code: 'referral-declined', display: 'Social prescribing referral declined' },
] as const satisfies readonly CodeEntry[];
export type FlagCode = (typeof FLAG_CODES)[number]['code'];

/** PRSB Social Prescribing Information Standard sections carried in referral and message back. */
export const PRSB_SECTIONS = [
  { code: 'person-demographics', display: 'Person demographics' },
  { code: 'referral-details', display: 'Referral details' },
  { code: 'needs-and-concerns', display: 'Needs and concerns' },
  { code: 'support-offered', display: 'Support offered (including activities referred to)' },
  { code: 'outcomes', display: 'Outcomes' },
  { code: 'safety-alerts', display: 'Safety alerts and risks' },
  { code: 'contact-preferences', display: 'Contact preferences and accessibility' },
  { code: 'plan-and-requested-actions', display: 'Plan and requested actions' },
] as const satisfies readonly CodeEntry[];
export type PrsbSectionCode = (typeof PRSB_SECTIONS)[number]['code'];

/** Which way a score moves when the person is doing better: the one definition every chart, message and report reads. */
export type BetterDirection = 'higher' | 'lower';

/** A scored part of an outcome instrument: an item (Observation.component) or the instrument total. */
export interface InstrumentItem {
  readonly code: string;
  readonly display: string;
  readonly min: number;
  readonly max: number;
  readonly better: BetterDirection;
  /**
   * The item is scored against something the person names in their own words (MYCaW's concerns): the label of that
   * text. It travels as the component's `code.text`, so the score never loses what it is a score of.
   */
  readonly worded?: string;
}

export interface Instrument {
  readonly code: string;
  readonly display: string;
  /** Range and direction of the total score (Observation.valueInteger); absent when only items are recorded. */
  readonly total?: { readonly min: number; readonly max: number; readonly better: BetterDirection };
  /** Items recorded as Observation.component, each with its own range. */
  readonly items: readonly InstrumentItem[];
  /** Verified national code for the total score, when one exists (sources in fhir-profiles/README.md). */
  readonly standardCode?: { readonly system: string; readonly code: string; readonly display: string };
}

/**
 * Outcome instruments used in social prescribing, with score ranges SP Link enforces.
 * Observation.code carries the instrument (SP Link code, plus the standard code where verified);
 * instruments with `total` put the score in valueInteger, instruments with items use components.
 */
export const INSTRUMENTS = [
  { code: 'swemwbs', display: 'Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) total', total: { min: 7, max: 35, better: 'higher' }, items: [] },
  { code: 'wemwbs', display: 'Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS) total', total: { min: 14, max: 70, better: 'higher' }, items: [] },
  {
    code: 'ons4', display: 'ONS personal wellbeing (ONS4)',
    items: [
      { code: 'ons4-life-satisfaction', display: 'ONS4: life satisfaction', min: 0, max: 10, better: 'higher' },
      { code: 'ons4-worthwhile', display: 'ONS4: things done in life are worthwhile', min: 0, max: 10, better: 'higher' },
      { code: 'ons4-happiness', display: 'ONS4: happiness yesterday', min: 0, max: 10, better: 'higher' },
      // 0 "not at all anxious" … 10 "completely anxious".
      { code: 'ons4-anxiety', display: 'ONS4: anxiety yesterday', min: 0, max: 10, better: 'lower' },
    ],
  },
  // 3 "hardly ever" lonely … 9 "often".
  { code: 'ucla3', display: 'UCLA 3-item Loneliness Scale total', total: { min: 3, max: 9, better: 'lower' }, items: [] },
  {
    // Every MYCaW score runs the same way: a concern 0 "not bothering me at all" … 6 "bothers me greatly", and
    // wellbeing 0 "as good as it could be" … 6 "as bad as it could be".
    code: 'mycaw', display: 'Measure Yourself Concerns and Wellbeing (MYCaW)',
    items: [
      { code: 'mycaw-concern-1', display: 'MYCaW: concern 1 severity', min: 0, max: 6, better: 'lower', worded: 'Concern 1, in the person’s words' },
      { code: 'mycaw-concern-2', display: 'MYCaW: concern 2 severity', min: 0, max: 6, better: 'lower', worded: 'Concern 2, in the person’s words' },
      { code: 'mycaw-wellbeing', display: 'MYCaW: general feeling of wellbeing', min: 0, max: 6, better: 'lower' },
    ],
  },
  {
    code: 'phq9', display: 'Patient Health Questionnaire (PHQ-9) total', total: { min: 0, max: 27, better: 'lower' }, items: [],
    standardCode: { system: 'http://loinc.org', code: '44261-6', display: 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]' },
  },
  {
    code: 'gad7', display: 'Generalised Anxiety Disorder (GAD-7) total', total: { min: 0, max: 21, better: 'lower' }, items: [],
    standardCode: { system: 'http://loinc.org', code: '70274-6', display: 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]' },
  },
] as const satisfies readonly Instrument[];
export type InstrumentCode = (typeof INSTRUMENTS)[number]['code'];
type InstrumentOf<I extends InstrumentCode> = Extract<(typeof INSTRUMENTS)[number], { code: I }>;
/** Item codes of one instrument, e.g. InstrumentItemCode<'ons4'> = 'ons4-life-satisfaction' | …. */
export type InstrumentItemCode<I extends InstrumentCode = InstrumentCode> = InstrumentOf<I>['items'][number]['code'];
/** 'total' for instruments scored as a total, otherwise one of the instrument's item codes. */
export type InstrumentPart<I extends InstrumentCode = InstrumentCode> =
  | (InstrumentOf<I> extends { total: object } ? 'total' : never)
  | InstrumentItemCode<I>;

export function findInstrument(code: string): Instrument | undefined {
  return (INSTRUMENTS as readonly Instrument[]).find((i) => i.code === code);
}

/** Allowed range of an instrument part ('total' or an item code), or undefined if there is no such part. */
export function scoreRange(instrument: string, part: string): { min: number; max: number } | undefined {
  const inst = findInstrument(instrument);
  if (!inst) return undefined;
  if (part === 'total') return inst.total ? { min: inst.total.min, max: inst.total.max } : undefined;
  const item = inst.items.find((i) => i.code === part);
  return item ? { min: item.min, max: item.max } : undefined;
}

/** Which way that instrument part ('total' or an item code) moves when the person is doing better. */
export function betterDirection(instrument: string, part: string): BetterDirection | undefined {
  const inst = findInstrument(instrument);
  if (!inst) return undefined;
  return part === 'total' ? inst.total?.better : inst.items.find((i) => i.code === part)?.better;
}

/** True when `value` is a whole number inside the range of that instrument part. */
export function scoreInRange<I extends InstrumentCode>(instrument: I, part: InstrumentPart<I>, value: number): boolean {
  const range = scoreRange(instrument, part);
  return range !== undefined && Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** Every code list by SP Link CodeSystem, for generators and tests. */
export const CODE_LISTS = {
  need: NEEDS,
  serviceType: SERVICE_TYPES,
  businessStatus: BUSINESS_STATUSES,
  statusReason: STATUS_REASONS,
  contactMethod: CONTACT_METHODS,
  sessionMode: SESSION_MODES,
  urgency: URGENCIES,
  accessibilityNeed: ACCESSIBILITY_NEEDS,
  outcomeInstrument: INSTRUMENTS,
  taskOutputType: TASK_OUTPUT_TYPES,
  communicationTopic: COMMUNICATION_TOPICS,
  flagCode: FLAG_CODES,
  prsbSection: PRSB_SECTIONS,
  gpReplyTopic: GP_REPLY_TOPICS,
  socialOutcome: SOCIAL_OUTCOMES,
  equalityAnswer: EQUALITY_ANSWERS,
} as const satisfies Record<CodeSystemKey, readonly CodeEntry[]>;

/** Display text of a code in an SP Link CodeSystem (undefined if the code is not in it). */
export function displayOf(system: CodeSystemKey, code: string): string | undefined {
  if (system === 'outcomeInstrument') {
    for (const inst of INSTRUMENTS as readonly Instrument[]) {
      if (inst.code === code) return inst.display;
      const item = inst.items.find((i) => i.code === code);
      if (item) return item.display;
    }
    return undefined;
  }
  return (CODE_LISTS[system] as readonly CodeEntry[]).find((c) => c.code === code)?.display;
}

/**
 * SNOMED CT findings that code a social need in a GP record, mapped to SP Link's need codes. The decision-support
 * prompt (`src/cds`) reads them from Conditions and Observations; SP Link never writes them. Each is verified against
 * two sources (fhir-profiles/README.md, "Social needs in the GP record"); needs with no verified finding (carer
 * strain, bereavement and the rest) are recognised by SP Link's own need code, or by codes a practice adds in its
 * configuration (`cds.rules.extraNeedCodes`).
 */
export const SOCIAL_NEED_FINDINGS = [
  { code: '267076002', display: 'Feeling lonely', need: 'loneliness' },
  { code: '422650009', display: 'Social isolation', need: 'social-isolation' },
  { code: '160932005', display: 'Financial problem', need: 'debt-money' },
  { code: '105531004', display: 'Housing unsatisfactory', need: 'housing' },
  { code: '733423003', display: 'Food insecurity', need: 'food-insecurity' },
  { code: '366979004', display: 'Depressed mood', need: 'mental-wellbeing' },
] as const satisfies readonly (CodeEntry & { need: NeedCode })[];

/** Why a GP dismissed the prompt (CDS Hooks `overrideReasons`); the feedback endpoint stores the code. */
export const CDS_OVERRIDE_REASON_SYSTEM = cs('cds-override-reason');
export const CDS_OVERRIDE_REASONS = [
  { code: 'not-appropriate', display: 'Not appropriate for this person' },
  { code: 'already-discussed', display: 'Already discussed with the person' },
  { code: 'person-declined', display: 'The person does not want a referral' },
] as const satisfies readonly CodeEntry[];
export type CdsOverrideReasonCode = (typeof CDS_OVERRIDE_REASONS)[number]['code'];

/** Which rule raised a prompt (the card's `source.topic`). */
export const CDS_PROMPT_RULE_SYSTEM = cs('cds-prompt-rule');
export const CDS_PROMPT_RULES = [
  { code: 'social-need', display: 'Social need coded, no social prescribing referral' },
  { code: 'follow-up-due', display: 'Follow-up after completed social prescribing due' },
  { code: 'frequent-attender', display: 'Frequent attender, no social prescribing referral' },
] as const satisfies readonly CodeEntry[];
