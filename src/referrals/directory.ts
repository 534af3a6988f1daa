import type { HealthcareService, Location, Patient } from '@medplum/fhirtypes';
import { approximatePosition, capacityOf, DirectoryIndex, serviceTypeOf, type DirectorySearch, type Position } from '../directory/search.js';
import type { FhirClient } from '../fhir/client.js';
import { verificationLabel } from '../directory/verification.js';
import { CODE_SYSTEM, NEEDS } from '../referral-model/codes.js';
import type { DirectoryEntry } from '../gp-app-contract/index.js';

export type { DirectoryEntry };

/** What the GP (or link worker) asks of the directory; see src/directory/search.ts. */
export type DirectoryQuery = DirectorySearch;

/** The search's query parameters, as the GP app's picker and the workspace's onward-referral picker send them. */
export interface DirectoryQueryParams {
  /** Need codes (repeated, or comma-separated). */
  need?: unknown;
  /** Free text: name, activity, provider, place. */
  q?: unknown;
  /** Words of a place. */
  locality?: unknown;
  /** `now` or `this-week`. */
  open?: unknown;
  /** `true`: only services taking referrals. */
  accepting?: unknown;
  /** `home`: distance from the person's home. */
  near?: unknown;
}

const MAX_QUERY_TEXT = 100;

/**
 * One reading of a directory query for both pickers (GP app, workspace): unknown values are dropped, text is cut to
 * 100 characters, needs not in SP Link's list are ignored. `nearHome` says the caller should place the person's home.
 */
export function parseDirectoryQuery(p: DirectoryQueryParams): { search: Omit<DirectorySearch, 'near'>; nearHome: boolean } {
  const arr = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((x) => (typeof x === 'string' ? x.split(',') : [])) : typeof v === 'string' && v ? v.split(',') : []);
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, MAX_QUERY_TEXT) : undefined);
  const needs = [...new Set(arr(p.need).filter((n) => NEEDS.some((x) => x.code === n)))];
  const text = str(p.q);
  const locality = str(p.locality);
  const open = p.open === 'now' || p.open === 'this-week' ? p.open : undefined;
  return {
    search: { needs, ...(text ? { text } : {}), ...(locality ? { locality } : {}), ...(open ? { open } : {}), ...(p.accepting === 'true' ? { acceptingOnly: true } : {}) },
    nearHome: p.near === 'home',
  };
}

export function toDirectoryEntry(hs: HealthcareService): DirectoryEntry | undefined {
  if (!hs.id || !hs.name) return undefined;
  const typeCoding = hs.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === CODE_SYSTEM.serviceType);
  const serviceType = serviceTypeOf(hs);
  const cap = capacityOf(hs);
  const needs = (hs.category ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === CODE_SYSTEM.need && c.code).map((c) => c.code!);
  const locality = hs.location?.[0]?.display ?? hs.coverageArea?.[0]?.display;
  const eligibility = hs.eligibility?.[0]?.comment ?? hs.eligibility?.[0]?.code?.text;
  const phone = hs.telecom?.find((t) => t.system === 'phone')?.value;
  return {
    id: hs.id,
    name: hs.name,
    ...(serviceType ? { serviceType } : {}),
    typeLabel: hs.type?.[0]?.text ?? typeCoding?.display ?? 'Community service',
    ...(hs.comment ? { description: hs.comment } : {}),
    needs,
    ...(hs.providedBy?.display ? { provider: hs.providedBy.display } : {}),
    ...(locality ? { locality } : {}),
    ...(eligibility ? { eligibility } : {}),
    ...(cap.acceptingReferrals !== undefined ? { acceptingReferrals: cap.acceptingReferrals } : {}),
    ...(cap.waitDays !== undefined ? { waitDays: cap.waitDays } : {}),
    ...(cap.asOf ? { capacityAsOf: cap.asOf } : {}),
    ...(phone ? { phone } : {}),
  };
}

/**
 * Searches the directory (src/directory/search.ts: by need, text, place, distance, opening, capacity; best first, each
 * with its one-line reason) and gives each hit as the GP app shows it.
 */
export function searchDirectory(
  directory: readonly HealthcareService[] | DirectoryIndex,
  q: DirectoryQuery,
  opts: { now?: Date; staleAfterDays?: number } = {},
): DirectoryEntry[] {
  const index = directory instanceof DirectoryIndex ? directory : DirectoryIndex.build(directory);
  return index.search({ ...q, needs: (q.needs ?? []).filter((n) => n !== 'other') }, { now: opts.now ?? new Date(), staleAfterDays: opts.staleAfterDays ?? 365 }).flatMap((hit) => {
    const e = toDirectoryEntry(hit.service);
    if (!e) return [];
    return [{
      ...e,
      ...(hit.miles !== undefined ? { distanceMiles: Math.round(hit.miles * 10) / 10 } : {}),
      rankReason: hit.reason,
      ...(hit.verification ? { verified: hit.verification } : {}),
      verifiedLabel: verificationLabel(hit.verification),
      stale: hit.stale,
    }];
  });
}

const GEOLOCATION = 'http://hl7.org/fhir/StructureDefinition/geolocation';

/**
 * Where the person lives, to rank services by distance: their home address's coordinates (the core `geolocation`
 * extension) where the GP system records them, else its postcode placed by the directory's own venues. Read with the
 * GP's token; never logged.
 */
export async function homePosition(ehr: FhirClient, patientId: string, locations: readonly Location[]): Promise<Position | undefined> {
  return positionOfHome(await ehr.read<Patient>('Patient', patientId), locations);
}

/** Where a person lives (pure): their home address's coordinates, else its postcode placed by the directory's venues. */
export function positionOfHome(patient: Pick<Patient, 'address'> | undefined, locations: readonly Location[]): Position | undefined {
  const address = patient?.address?.find((a) => a.use === 'home') ?? patient?.address?.[0];
  const geo = address?.extension?.find((e) => e.url === GEOLOCATION)?.extension;
  const latitude = geo?.find((e) => e.url === 'latitude')?.valueDecimal;
  const longitude = geo?.find((e) => e.url === 'longitude')?.valueDecimal;
  if (latitude !== undefined && longitude !== undefined) return { latitude, longitude };
  return approximatePosition(address?.postalCode, locations);
}
