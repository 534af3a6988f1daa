import type { Device, Provenance, ProvenanceAgent, Reference } from '@medplum/fhirtypes';
import { PROFILE, SYSTEM } from './codes.js';

/** SP Link itself as a Provenance agent. */
export const SP_LINK_AGENT: Reference<Device> = { display: 'SP Link' };

/** provenance-participant-type codes SP Link uses: the GP or link worker is the author, SP Link assembles or performs. */
const ROLE_DISPLAY = { author: 'Author', assembler: 'Assembler', performer: 'Performer' } as const;
export type ProvenanceRole = keyof typeof ROLE_DISPLAY;

/** v3-DataOperation codes SP Link uses (display as the code system gives it). */
const ACTIVITY_DISPLAY = { CREATE: 'create', UPDATE: 'revise' } as const;
export type ProvenanceActivity = keyof typeof ACTIVITY_DISPLAY;

export interface ProvenanceAgentInput {
  readonly role: ProvenanceRole;
  readonly who: Reference;
  readonly onBehalfOf?: Reference;
}

/**
 * The one SPLinkProvenance builder (FHIR R4 Provenance: target, recorded, activity, agent, entity), for every write
 * SP Link makes: the GP's referral and cancellation, a link worker's change in the workspace, the reconciler's write-back.
 * `targets` are references or full URLs within the same transaction (urn:uuid); `sources` are the versioned absolute
 * URLs of what the change was made from (entity role `source`).
 */
export function buildProvenance(opts: {
  targets: readonly string[];
  recorded: Date;
  activity: ProvenanceActivity;
  /** Human wording of the activity, e.g. "Referral accepted". */
  activityText?: string;
  agents: readonly ProvenanceAgentInput[];
  /** Versioned absolute URLs, or references with a display saying what about that source matters. */
  sources?: readonly (string | { reference: string; display?: string })[];
}): Provenance {
  const agent: ProvenanceAgent[] = opts.agents.map((a) => ({
    type: { coding: [{ system: SYSTEM.provenanceParticipantType, code: a.role, display: ROLE_DISPLAY[a.role] }] },
    who: a.who as ProvenanceAgent['who'],
    ...(a.onBehalfOf ? { onBehalfOf: a.onBehalfOf as ProvenanceAgent['onBehalfOf'] } : {}),
  }));
  return {
    resourceType: 'Provenance',
    meta: { profile: [PROFILE.provenance] },
    target: opts.targets.map((reference) => ({ reference })),
    recorded: opts.recorded.toISOString(),
    activity: {
      coding: [{ system: SYSTEM.dataOperation, code: opts.activity, display: ACTIVITY_DISPLAY[opts.activity] }],
      ...(opts.activityText ? { text: opts.activityText } : {}),
    },
    agent,
    ...(opts.sources?.length
      ? { entity: opts.sources.map((s) => ({ role: 'source' as const, what: typeof s === 'string' ? { reference: s } : { ...s } })) }
      : {}),
  };
}

/** Provenance of a GP-authored write: the GP is the author, SP Link the assembler. */
export function gpProvenance(opts: {
  targets: readonly string[];
  author: Reference;
  recorded: Date;
  activity: ProvenanceActivity;
}): Provenance {
  return buildProvenance({
    targets: opts.targets,
    recorded: opts.recorded,
    activity: opts.activity,
    agents: [
      { role: 'author', who: opts.author },
      { role: 'assembler', who: SP_LINK_AGENT },
    ],
  });
}
