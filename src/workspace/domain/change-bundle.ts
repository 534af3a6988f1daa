import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../referral-model/codes.js';
import { buildProvenance } from '../../referral-model/provenance.js';
import type { Actor } from './actor.js';
import type { TaskChange } from './task-builders.js';
import { joinUrl } from '../../referral-model/references.js';

const ACTIVITY_TEXT: Record<TaskChange['activity'], string> = {
  accept: 'Referral accepted',
  decline: 'Referral declined',
  assign: 'Case assigned',
  contact: 'Contact attempt recorded',
  session: 'Session recorded',
  plan: 'Personalised plan recorded',
  outcome: 'Outcome measure recorded',
  'correct-outcome': 'Outcome measure corrected',
  'outcome-error': 'Outcome measure marked as recorded in error',
  safeguarding: 'Safeguarding concern raised',
  needs: 'Needs changed',
  complete: 'Support completed',
  signpost: 'Signposted to other support',
  close: 'Case closed',
  'identity-review': 'Identity checked by the service manager',
};

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
  // The member of staff is the author, on behalf of their organisation; the change was made from the Task version they saw.
  const { actor } = opts;
  const provenance = buildProvenance({
    targets: [taskUrl, ...change.observations.map((o) => o.fullUrl), ...(change.updates ?? []).map((u) => `Observation/${u.resource.id}`)],
    recorded: opts.now,
    activity: 'UPDATE',
    activityText: ACTIVITY_TEXT[change.activity],
    agents: [{
      role: 'author',
      who: { reference: actor.practitioner, display: actor.name },
      onBehalfOf: { ...(opts.organization ? { reference: opts.organization } : {}), identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: actor.orgOds } },
    }],
    sources: [joinUrl(opts.linkWorkerBase, `Task/${task.id}/_history/${opts.ifMatchVersion}`)],
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
