import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { Actor } from './actor.js';
import type { TaskChange } from './task-builders.js';
import { buildProvenance } from './provenance.js';

/**
 * The FHIR transaction that applies one change: new or corrected Observations, the Task update conditional on the
 * version the user saw (If-Match; a concurrent edit fails the whole transaction with 412) and its
 * Provenance. All or nothing, so a conflict leaves no orphan Observation behind.
 */
export function buildChangeBundle(
  change: TaskChange,
  opts: { ifMatchVersion: string; actor: Actor; organization?: string; linkWorkerBase: string; now: Date },
): Bundle {
  const { task } = change;
  if (!task.id) throw new TypeError('Task without id');
  const taskUrl = `Task/${task.id}`;
  const provenance = buildProvenance({
    task,
    fromVersion: opts.ifMatchVersion,
    targets: [taskUrl, ...change.observations.map((o) => o.fullUrl), ...(change.updates ?? []).map((u) => `Observation/${u.resource.id}`)],
    actor: opts.actor,
    organization: opts.organization,
    linkWorkerBase: opts.linkWorkerBase,
    now: opts.now,
    activity: change.activity,
  });
  const entries: BundleEntry[] = [
    ...change.observations.map((o) => ({ fullUrl: o.fullUrl, resource: o.resource, request: { method: 'POST' as const, url: 'Observation' } })),
    // A correction: the Observation as the user saw it, or nothing (412 fails the whole transaction).
    ...(change.updates ?? []).map((u) => ({ resource: u.resource, request: { method: 'PUT' as const, url: `Observation/${u.resource.id}`, ifMatch: `W/"${u.ifMatch}"` } })),
    { resource: task, request: { method: 'PUT' as const, url: taskUrl, ifMatch: `W/"${opts.ifMatchVersion}"` } },
    { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: provenance, request: { method: 'POST' as const, url: 'Provenance' } },
  ];
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** Every resource in a change bundle, for validation before it is sent. */
export const bundleResources = (b: Bundle): Resource[] => (b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
