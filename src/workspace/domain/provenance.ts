import type { Provenance, Task } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM, PROFILE } from '../../fhir/codes.js';
import type { Actor } from './actor.js';
import type { ActionKind } from './schemas.js';

const ACTIVITY_TEXT: Record<ActionKind, string> = {
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
  complete: 'Support completed',
  close: 'Case closed',
};

/**
 * Provenance of one workspace change (SPLinkProvenance): the member of staff as author, on behalf of
 * their organisation; the Task and any new Observations as targets; the Task version the change was
 * made from as source entity (versioned absolute URL). FHIR R4 Provenance: target, recorded, agent.
 */
export function buildProvenance(opts: {
  task: Task;
  fromVersion: string;
  targets: string[];
  actor: Actor;
  /** `Organization/{id}` of the user's organisation at the link-worker endpoint, when known. */
  organization?: string;
  linkWorkerBase: string;
  now: Date;
  activity: ActionKind;
}): Provenance {
  const { task, actor } = opts;
  return {
    resourceType: 'Provenance',
    meta: { profile: [PROFILE.provenance] },
    target: opts.targets.map((reference) => ({ reference })),
    recorded: opts.now.toISOString(),
    activity: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE', display: 'revise' }],
      text: ACTIVITY_TEXT[opts.activity],
    },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
        who: { reference: actor.practitioner, display: actor.name } as Provenance['agent'][number]['who'],
        onBehalfOf: {
          ...(opts.organization ? { reference: opts.organization } : {}),
          identifier: { system: IDENTIFIER_SYSTEM.odsOrganisation, value: actor.orgOds },
        } as Provenance['agent'][number]['onBehalfOf'],
      },
    ],
    entity: [{ role: 'source', what: { reference: `${opts.linkWorkerBase.replace(/\/+$/, '')}/Task/${task.id}/_history/${opts.fromVersion}` } }],
  };
}
