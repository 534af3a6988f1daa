import type { Device, Provenance, Reference } from '@medplum/fhirtypes';
import { PROFILE } from '../fhir/codes.js';

const PARTICIPANT = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
const DATA_OPERATION = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';

/** SP Link itself as a Provenance agent (it assembled and sent what the GP authored). */
export const SP_LINK_AGENT: Reference<Device> = { display: 'SP Link' };

/**
 * Provenance of a GP-authored write (SPLinkProvenance, DESIGN §4): the GP is the author, SP Link the
 * assembler. `targets` are full URLs within the same transaction (urn:uuid) or resource references.
 */
export function buildProvenance(opts: {
  targets: string[];
  author: { reference: string; display?: string };
  now: Date;
  activity: 'CREATE' | 'UPDATE';
}): Provenance {
  return {
    resourceType: 'Provenance',
    meta: { profile: [PROFILE.provenance] },
    target: opts.targets.map((reference) => ({ reference })),
    recorded: opts.now.toISOString(),
    activity: { coding: [{ system: DATA_OPERATION, code: opts.activity }] },
    agent: [
      { type: { coding: [{ system: PARTICIPANT, code: 'author', display: 'Author' }] }, who: opts.author },
      { type: { coding: [{ system: PARTICIPANT, code: 'assembler', display: 'Assembler' }] }, who: SP_LINK_AGENT },
    ],
  };
}
