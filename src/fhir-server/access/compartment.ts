/**
 * The launch patient's compartment, as the sandbox enforces it for `patient/` scopes (SMART App Launch 2.x
 * §Scopes: patient-specific scopes are limited to the patient in context). Deliberately simple and strict:
 * a resource belongs to the patient when it is the Patient, or when its subject/patient/for/beneficiary
 * references them (relative `Patient/{id}` or absolute under this FHIR base); a search must name the patient.
 */

/** Reference-valued fields that place a resource in a patient compartment. */
export const PATIENT_FIELDS = ['subject', 'patient', 'for', 'beneficiary'] as const;
/** Search parameters that restrict a search to one patient. */
export const PATIENT_SEARCH_PARAMS = ['patient', 'subject', 'for', 'beneficiary', 'subject:Patient', 'patient:Patient'] as const;

export interface ResourceLike {
  readonly resourceType: string;
  readonly id?: string;
  readonly [field: string]: unknown;
}

export function isPatientReference(ref: string, patientId: string, fhirBase: string): boolean {
  return ref === `Patient/${patientId}` || ref === `${fhirBase}/Patient/${patientId}`;
}

/** References in `field` (single Reference or array of References). */
export function referencesIn(resource: ResourceLike, field: string): string[] {
  const v = resource[field];
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.map((r) => (r && typeof r === 'object' ? (r as { reference?: unknown }).reference : undefined)).filter((r): r is string => typeof r === 'string');
}

export function belongsToPatient(resource: ResourceLike, patientId: string, fhirBase: string): boolean {
  if (resource.resourceType === 'Patient') return resource.id === patientId;
  return PATIENT_FIELDS.some((f) => referencesIn(resource, f).some((r) => isPatientReference(r, patientId, fhirBase)));
}

/**
 * A search stays inside the compartment when it filters on the patient with every value naming them
 * (a comma is an OR, so `patient=a,b` would widen it). Patient searches must use `_id`.
 */
export function searchIsForPatient(
  resourceType: string,
  query: Readonly<Record<string, string | string[] | undefined>>,
  patientId: string,
  fhirBase: string,
): boolean {
  const names = resourceType === 'Patient' ? ['_id'] : PATIENT_SEARCH_PARAMS;
  const matches = (value: string): boolean =>
    value.split(',').every((v) => v === patientId || isPatientReference(v, patientId, fhirBase));
  return names.some((name) => {
    const v = query[name];
    const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
    return values.length > 0 && values.some(matches);
  });
}
