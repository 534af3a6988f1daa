/**
 * What a person must never have to read in a message to the GP: resource ids or references
 * (`Patient/pat-05`, `ServiceRequest/54100545-…`) and machine timestamps (`2026-11-30T10:00:00Z`, `2026-11-30`).
 */
export const RAW_ID = /\b(Patient|ServiceRequest|HealthcareService|Task|Observation|Procedure|Practitioner|PractitionerRole|Organization)\/[A-Za-z0-9\-.]+/;
export const ISO_DATE = /\b\d{4}-\d{2}-\d{2}/;
