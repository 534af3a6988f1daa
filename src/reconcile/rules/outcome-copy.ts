import type { Observation } from '@medplum/fhirtypes';
import { copyNotes } from './outcome-observation.js';
import type { Effect, OutcomeCopy } from './types.js';

type CopyEffect = Extract<Effect, { kind: 'create-observation' | 'update-observation' }>;

/** The parts of an outcome copy a clinician reads: what changes here is what a correction changes. */
function clinicalContent(o: Observation): string {
  return JSON.stringify({
    status: o.status,
    code: (o.code?.coding ?? []).map((c) => `${c.system ?? ''}|${c.code ?? ''}`).sort(),
    effective: o.effectiveDateTime ?? null,
    value: o.valueInteger ?? o.valueQuantity?.value ?? null,
    component: (o.component ?? [])
      .map((c) => `${c.code?.coding?.[0]?.system ?? ''}|${c.code?.coding?.[0]?.code ?? ''}=${String(c.valueInteger ?? c.valueQuantity?.value)}`)
      .sort(),
    note: (o.note ?? []).map((n) => n.text),
  });
}

/** What the EHR copy's PUT carries: the copy's id, SP Link's profile and source pointer, no server meta. */
function asUpdate(copy: OutcomeCopy, resource: Observation, identifier: string): CopyEffect {
  const meta = { ...(resource.meta?.profile ? { profile: resource.meta.profile } : {}), ...(resource.meta?.source ? { source: resource.meta.source } : {}) };
  return { kind: 'update-observation', identifier, observationId: copy.id, version: copy.versionId, resource: { ...resource, meta, id: copy.id } };
}

/**
 * The write that brings the EHR copy of one outcome measure in line with its source (already mapped by
 * mapOutcome). Pure. No copy yet → conditional create. A copy with the same clinical content → nothing,
 * so applying a Task version twice writes once. Otherwise an If-Match update of that copy (never a second
 * copy). An entered-in-error copy stays so: FHIR R4 treats entered-in-error as final for the record.
 */
export function outcomeCopyEffect(identifier: string, mapped: Observation, copy: OutcomeCopy | undefined): CopyEffect | undefined {
  if (!copy) return { kind: 'create-observation', identifier, resource: mapped };
  if (copy.resource.status === 'entered-in-error') return undefined;
  if (clinicalContent(copy.resource) === clinicalContent(mapped)) return undefined;
  return asUpdate(copy, mapped, identifier);
}

/**
 * A source recorded in error (FHIR R4 observation-status entered-in-error): the EHR copy, if there is one,
 * becomes entered-in-error too, keeping its scores and taking the source's notes (the reason). Never a
 * delete, and nothing is created when no copy was ever made.
 */
export function retractCopyEffect(
  identifier: string, source: Observation, copy: OutcomeCopy | undefined, sourceUrl?: string,
): CopyEffect | { bad: string } | undefined {
  if (!copy || copy.resource.status === 'entered-in-error') return undefined;
  const notes = copyNotes(source);
  if (notes && 'bad' in notes) return notes;
  const meta = { ...copy.resource.meta, ...(sourceUrl ? { source: sourceUrl } : {}) };
  const resource: Observation = { ...copy.resource, meta, status: 'entered-in-error', ...(notes ? { note: notes } : {}) };
  return asUpdate(copy, resource, identifier);
}
