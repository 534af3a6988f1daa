import type { Bundle, Resource } from '@medplum/fhirtypes';
import { SNOMED, SOCIAL_NEED_FINDINGS, SYSTEM } from '../referral-model/codes.js';
import { parseReference } from '../referral-model/references.js';

/**
 * The prefetch templates SP Link's `patient-view` service asks for (CDS Hooks 2.0 §Prefetch), the substitution of
 * their tokens, and reading what a client sent back. Pure. The same templates drive the fallback: when a key is
 * absent or null, the service runs its query against `fhirServer` with `fhirAuthorization`.
 */
export const PREFETCH = {
  patient: 'Patient/{{context.patientId}}',
  conditions: 'Condition?patient={{context.patientId}}',
  needObservations: `Observation?patient={{context.patientId}}&code=${SOCIAL_NEED_FINDINGS.map((f) => `${SYSTEM.snomed}|${f.code}`).join(',')}`,
  encounters: 'Encounter?patient={{context.patientId}}&_sort=-date&_count=100',
  referrals: `ServiceRequest?patient={{context.patientId}}&category=${SYSTEM.snomed}|${SNOMED.referralToSocialPrescribing.code}`,
} as const;
export type PrefetchKey = keyof typeof PREFETCH;
export const PREFETCH_KEYS = Object.keys(PREFETCH) as PrefetchKey[];

/** The hook context fields SP Link reads (patient-view: userId, patientId, encounterId). */
export interface HookContext {
  readonly userId?: string;
  readonly patientId?: string;
  readonly encounterId?: string;
  readonly [k: string]: unknown;
}

const TOKEN = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/**
 * A template with its tokens filled in from the context, or undefined when a token has no value (the query cannot
 * be run). `{{context.x}}` takes `context.x`; the user tokens (`{{userPractitionerId}}`, `{{userPractitionerRoleId}}`,
 * `{{userPatientId}}`, `{{userRelatedPersonId}}`) take the id of `context.userId` when it is of that type.
 */
export function substituteTokens(template: string, context: HookContext): string | undefined {
  let missing = false;
  const out = template.replace(TOKEN, (_m, name: string) => {
    const value = tokenValue(name, context);
    if (value === undefined) missing = true;
    return encodeURIComponent(value ?? '');
  });
  return missing ? undefined : out;
}

const USER_TOKENS: Record<string, string> = {
  userPractitionerId: 'Practitioner',
  userPractitionerRoleId: 'PractitionerRole',
  userPatientId: 'Patient',
  userRelatedPersonId: 'RelatedPerson',
};

function tokenValue(name: string, context: HookContext): string | undefined {
  if (name.startsWith('context.')) {
    const v = context[name.slice('context.'.length)];
    return typeof v === 'string' && v !== '' ? v : undefined;
  }
  const type = USER_TOKENS[name];
  if (type === undefined || typeof context.userId !== 'string') return undefined;
  const ref = parseReference(context.userId);
  return ref?.resourceType === type ? ref.id : undefined;
}

/** A prefetch value as resources: a resource, a Bundle's entries, or nothing (absent, null, an OperationOutcome). */
export function resourcesOf(value: unknown): Resource[] {
  if (value === null || typeof value !== 'object') return [];
  const r = value as Resource;
  if (r.resourceType === 'Bundle') {
    return ((r as Bundle).entry ?? []).flatMap((e) => (e.resource && e.resource.resourceType !== 'OperationOutcome' ? [e.resource] : []));
  }
  if (typeof r.resourceType !== 'string' || r.resourceType === 'OperationOutcome') return [];
  return [r];
}

const SUBJECT_FIELDS = ['subject', 'patient', 'for'] as const;

/**
 * Whether a resource is about the patient (its subject, patient or for reference names `Patient/{id}`), or is the
 * Patient itself. Resources about anyone else are dropped: a client's mistake never prompts about the wrong person.
 */
export function isAboutPatient(r: Resource, patientId: string): boolean {
  if (r.resourceType === 'Patient') return r.id === patientId;
  const record = r as unknown as Record<string, { reference?: string } | undefined>;
  for (const f of SUBJECT_FIELDS) {
    const ref = record[f]?.reference;
    if (ref === undefined) continue;
    const parsed = parseReference(ref);
    return parsed?.resourceType === 'Patient' && parsed.id === patientId;
  }
  return false;
}
