import type { Request, Response } from 'express';
import type { AuthorizeFn, FhirAccess, FhirInteraction } from '../authorize.js';
import { parseReference, sameBase } from '../../referral-model/references.js';
import { AccessError, forbidden } from './access-error.js';
import { belongsToPatient, referencesIn, searchIsForPatient, type ResourceLike } from './compartment.js';
import { grantingScopes, type Permission } from './smart-scopes.js';
import type { AccessClaims, TokenVerifier } from './verify-token.js';

/** Reads the current version of a resource, or undefined when it does not exist. */
export type ResourceReader = (resourceType: string, id: string) => Promise<ResourceLike | undefined>;

export interface FhirAuthorizeOptions {
  fhirBase: string;
  verify: TokenVerifier;
  /** Needed for `patient/` scopes on reads, updates and deletes by id; absent → those are denied. */
  readResource?: () => ResourceReader | undefined;
}

/** SMART v2 permission needed for each interaction (SMART App Launch 2.x §Scopes: c r u d s). */
function permissionFor(access: FhirAccess): Permission | undefined {
  const interaction: FhirInteraction = access.interaction;
  switch (interaction) {
    case 'read':
      return 'r';
    case 'search':
      return 's';
    case 'create':
      return 'c';
    case 'update':
      return 'u';
    case 'delete':
      return 'd';
    case 'history':
      return access.id ? 'r' : 's';
    case 'transaction':
    case 'batch':
    case 'metadata':
      return undefined;
    default:
      return interaction satisfies never;
  }
}

/**
 * The `authorize` hook for a sandbox FHIR server: bearer token required (401), scopes must grant the
 * interaction on the type (403), and with only `patient/` scopes the launch patient's compartment applies (403).
 * `/metadata` stays public; a Bundle (batch/transaction) passes here and each entry is authorised on its own.
 */
export function createFhirAuthorize(opts: FhirAuthorizeOptions): AuthorizeFn {
  const realm = opts.fhirBase;
  return async (req: Request, access: FhirAccess): Promise<void> => {
    if (access.interaction === 'metadata') return;
    try {
      const claims = await opts.verify(req);
      const permission = permissionFor(access);
      if (!permission) return;
      const scopes = grantingScopes(claims.scopes, access.type, permission);
      if (scopes.length === 0) throw forbidden(realm, `no granted scope allows ${access.interaction} on ${access.type || 'this type'}`);
      if (scopes.some((s) => s.context !== 'patient')) return; // user/ and system/: the whole type
      await checkCompartment(access, claims, opts);
    } catch (err) {
      if (err instanceof AccessError) (req.res as Response | undefined)?.setHeader('WWW-Authenticate', err.challenge);
      throw err;
    }
  };
}

async function checkCompartment(access: FhirAccess, claims: AccessClaims, opts: FhirAuthorizeOptions): Promise<void> {
  const realm = opts.fhirBase;
  const patient = claims.patient;
  if (!patient) throw forbidden(realm, 'patient/ scopes need a launch patient');
  const denied = () => forbidden(realm, `${access.type} is outside the launch patient's record`);
  const read = opts.readResource?.();
  const inCompartment = async (r: ResourceLike): Promise<boolean> =>
    belongsToPatient(r, patient, opts.fhirBase) || (read !== undefined && (await provenanceForPatient(r, patient, opts.fhirBase, read)));

  if (access.interaction === 'search' || (access.interaction === 'history' && !access.id)) {
    if (access.interaction === 'history' || !searchIsForPatient(access.type, access.query ?? {}, patient, opts.fhirBase)) throw denied();
    return;
  }
  if (access.interaction === 'create') {
    if (!access.resource || !(await inCompartment(access.resource as ResourceLike))) throw denied();
    return;
  }
  // read, history of one resource, update, delete: the stored resource must be the patient's.
  if (!access.id || !read) throw denied();
  const current = await read(access.type, access.id);
  if (current && !(await inCompartment(current))) throw denied();
  if (!current && access.interaction !== 'update') return; // the server answers 404/410 itself
  if (access.interaction === 'update' && (!access.resource || !(await inCompartment(access.resource as ResourceLike)))) throw denied();
}

/**
 * A Provenance is the patient's when one of its targets is the patient or a resource of theirs
 * (the referral's Provenance targets the ServiceRequest, FHIR R4 Provenance compartment = target).
 */
async function provenanceForPatient(r: ResourceLike, patient: string, fhirBase: string, read: ResourceReader): Promise<boolean> {
  if (r.resourceType !== 'Provenance') return false;
  for (const ref of referencesIn(r, 'target')) {
    const p = parseReference(ref);
    if (!p || (p.base !== undefined && !sameBase(p.base, fhirBase))) continue;
    const { resourceType: type, id } = p;
    if (type === 'Patient' && id === patient) return true;
    const target = await read(type, id);
    if (target && belongsToPatient(target, patient, fhirBase)) return true;
  }
  return false;
}
