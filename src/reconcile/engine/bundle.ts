import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { EXTENSION, IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { buildProvenance, SP_LINK_AGENT } from '../../referral-model/provenance.js';
import { linkWorkerUrl, type Effect, type Topology } from '../rules/index.js';
import type { ValidateFn } from '../runtime.js';
import type { WriteUnit } from './unit.js';

const SYSTEM_OF: Record<'create-observation' | 'create-communication' | 'create-flag', string> = {
  'create-observation': IDENTIFIER_SYSTEM.outcomeObservation,
  'create-communication': IDENTIFIER_SYSTEM.gpCommunication,
  'create-flag': IDENTIFIER_SYSTEM.flag,
};

/** R4 Provenance has no identifier; its `entity` search parameter (the source Task version) is the conditional-create key. */
export function provenanceKey(t: Topology, unit: WriteUnit): string {
  const last = unit.versions[unit.versions.length - 1]!;
  return linkWorkerUrl(t, 'Task', last.id, last.version);
}

/**
 * The transaction entries for one unit (FHIR R4 http.html#transaction): the ServiceRequest status as a
 * versioned update (If-Match), corrected outcome copies as versioned updates too, every create conditional on its deterministic identifier (If-None-Exist),
 * and a Provenance (itself conditional) whose targets are the entries written and whose entity is the
 * source Task version(s). Every resource is validated first; a failure throws before anything is sent.
 */
export function unitEntries(t: Topology, unit: WriteUnit, validate: ValidateFn, now: Date): BundleEntry[] {
  if (unit.ehrEffects.length === 0) return [];
  const entries: BundleEntry[] = [];
  const targets: string[] = [];
  let updated = false;
  for (const e of unit.ehrEffects) {
    switch (e.kind) {
      case 'set-referral-status': {
        const { meta, ...rest } = unit.serviceRequest;
        const resource = {
          ...rest,
          ...(meta?.profile ? { meta: { profile: meta.profile } } : {}),
          status: e.to,
          // R4 ServiceRequest has no statusReason: SP Link's status-reason extension says why it ended.
          ...(e.reason ? { extension: [...(rest.extension ?? []).filter((x) => x.url !== EXTENSION.statusReason), { url: EXTENSION.statusReason, valueCodeableConcept: e.reason }] } : {}),
          ...(e.note ? { note: [...(rest.note ?? []), { authorString: e.note.author, time: e.note.time, text: e.note.text }] } : {}),
        } as Resource;
        validate(resource);
        entries.push({
          resource,
          request: { method: 'PUT', url: `ServiceRequest/${unit.serviceRequest.id}`, ifMatch: `W/"${meta?.versionId ?? ''}"` },
        });
        targets.push(`ServiceRequest/${unit.serviceRequest.id}`);
        updated = true;
        break;
      }
      case 'create-observation':
      case 'create-communication':
      case 'create-flag': {
        validate(e.resource);
        const fullUrl = `urn:uuid:${randomUUID()}`;
        entries.push({
          fullUrl,
          resource: e.resource,
          request: { method: 'POST', url: e.resource.resourceType, ifNoneExist: `identifier=${SYSTEM_OF[e.kind]}|${e.identifier}` },
        });
        targets.push(fullUrl);
        break;
      }
      case 'update-observation': {
        validate(e.resource);
        // If-Match on the copy version that was compared: a concurrent change answers 412 and the unit is re-planned.
        entries.push({ resource: e.resource, request: { method: 'PUT', url: `Observation/${e.observationId}`, ifMatch: `W/"${e.version}"` } });
        targets.push(`Observation/${e.observationId}`);
        updated = true;
        break;
      }
      case 'cancel-task':
        break;
      default:
        e satisfies never;
    }
  }
  const key = provenanceKey(t, unit);
  const last = unit.versions[unit.versions.length - 1]!;
  const provenance = buildProvenance({
    targets,
    recorded: now,
    activity: updated ? 'UPDATE' : 'CREATE',
    agents: [{ role: 'performer', who: SP_LINK_AGENT }],
    sources: [
      ...unit.versions.map((v) => linkWorkerUrl(t, 'Task', v.id, v.version)),
      // What was not carried into the record, and why: the source it points at (or the Task version), with the reason.
      ...unit.notCarried.map((u) => ({
        reference: u.source ?? `${linkWorkerUrl(t, 'Task', last.id, last.version)}#output-${u.index}`,
        display: `Not carried into the record: ${u.reason}`.slice(0, 1000),
      })),
    ],
  });
  validate(provenance);
  entries.push({ resource: provenance, request: { method: 'POST', url: 'Provenance', ifNoneExist: `entity=${encodeURIComponent(key)}` } });
  return entries;
}

export function transactionOf(entries: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

export type { Effect };
