/**
 * What the reconciler wrote into the EHR, counted the way an integration lead asks: every effect once.
 * SP Link's write-backs carry deterministic identifiers (outcome copies, messages, flags) and a Provenance per
 * source Task version (its `entity`), so two resources with the same key are a duplicate, whatever caused it.
 */
import type { Communication, Flag, Observation, Provenance, ServiceRequest } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../src/referral-model/codes.js';
import { all } from '../../test/integration/reconcile/harness.js';
import { wrongStatus, type Referral } from './histories.js';

export interface EhrEffects {
  /** Write-back keys (system|value, or Provenance entity) → how many resources carry them. */
  readonly keys: ReadonlyMap<string, number>;
  /** Resources beyond the first for each key. */
  readonly duplicates: number;
  readonly statusBySr: ReadonlyMap<string, string>;
}

const OWN = new Set<string>([IDENTIFIER_SYSTEM.outcomeObservation, IDENTIFIER_SYSTEM.gpCommunication, IDENTIFIER_SYSTEM.flag]);

export async function ehrEffects(ehrBase: string): Promise<EhrEffects> {
  const keys = new Map<string, number>();
  const add = (k: string) => keys.set(k, (keys.get(k) ?? 0) + 1);
  const written = [
    ...(await all<Observation>(ehrBase, 'Observation')),
    ...(await all<Communication>(ehrBase, 'Communication')),
    ...(await all<Flag>(ehrBase, 'Flag')),
  ];
  for (const r of written) {
    const id = r.identifier?.find((i) => i.system && OWN.has(i.system));
    if (id) add(`${r.resourceType}|${id.system}|${id.value}`);
  }
  for (const p of await all<Provenance>(ehrBase, 'Provenance')) {
    const what = (p.entity ?? []).map((e) => e.what?.reference ?? e.what?.identifier?.value ?? '').sort().join(' ');
    add(`Provenance|${what}`);
  }
  let duplicates = 0;
  for (const n of keys.values()) duplicates += n - 1;
  const statusBySr = new Map<string, string>();
  for (const sr of await all<ServiceRequest>(ehrBase, 'ServiceRequest')) if (sr.id) statusBySr.set(sr.id, sr.status ?? '');
  return { keys, duplicates, statusBySr };
}

/** Keys of `k` (by prefix, e.g. `Communication|`) found in the EHR. */
export function countKeys(e: EhrEffects, prefix: string): number {
  let n = 0;
  for (const k of e.keys.keys()) if (k.startsWith(prefix)) n++;
  return n;
}

/**
 * Referrals the EHR does not show as they must end: a wrong status, or a completed one without its outcome
 * Observation and its message back (both carry `basedOn` the ServiceRequest).
 */
export async function lostReferrals(ehrBase: string, made: readonly Referral[], e: EhrEffects): Promise<number> {
  const obs = await all<Observation>(ehrBase, 'Observation');
  const comms = await all<Communication>(ehrBase, 'Communication');
  const has = (rs: { basedOn?: { reference?: string }[] }[], sr: string) => rs.some((r) => r.basedOn?.some((b) => b.reference === `ServiceRequest/${sr}`));
  const missing = made.filter((r) => r.finalSrStatus === 'completed' && (!has(obs, r.srId) || !has(comms, r.srId))).length;
  return wrongStatus(made, e.statusBySr).length + missing;
}
