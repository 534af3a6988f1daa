import type { HealthcareService } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, SERVICE_TYPES, type NeedCode } from '../referral-model/codes.js';
import type { DirectoryEntry } from '../gp-app-contract/index.js';

export type { DirectoryEntry };

export interface DirectoryQuery {
  needs?: readonly string[];
  locality?: string;
  text?: string;
}

const lower = (s: string | undefined) => (s ?? '').toLocaleLowerCase('en-GB');

export function toDirectoryEntry(hs: HealthcareService): DirectoryEntry | undefined {
  if (!hs.id || !hs.name) return undefined;
  const typeCoding = hs.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === CODE_SYSTEM.serviceType);
  const serviceType = SERVICE_TYPES.find((t) => t.code === typeCoding?.code)?.code;
  const cap = hs.extension?.find((e) => e.url === EXTENSION.serviceCapacity)?.extension ?? [];
  const P = EXTENSION_PART.serviceCapacity;
  const part = (url: string) => cap.find((e) => e.url === url);
  const needs = (hs.category ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === CODE_SYSTEM.need && c.code).map((c) => c.code!);
  return {
    id: hs.id,
    name: hs.name,
    ...(serviceType ? { serviceType } : {}),
    typeLabel: hs.type?.[0]?.text ?? typeCoding?.display ?? 'Community service',
    ...(hs.comment ? { description: hs.comment } : {}),
    needs,
    ...(hs.providedBy?.display ? { provider: hs.providedBy.display } : {}),
    ...((hs.location?.[0]?.display ?? hs.coverageArea?.[0]?.display) ? { locality: hs.location?.[0]?.display ?? hs.coverageArea?.[0]?.display } : {}),
    ...((hs.eligibility?.[0]?.comment ?? hs.eligibility?.[0]?.code?.text) ? { eligibility: hs.eligibility?.[0]?.comment ?? hs.eligibility?.[0]?.code?.text } : {}),
    ...(part(P.acceptingReferrals)?.valueBoolean !== undefined ? { acceptingReferrals: part(P.acceptingReferrals)!.valueBoolean } : {}),
    ...(part(P.waitDays)?.valueInteger !== undefined ? { waitDays: part(P.waitDays)!.valueInteger } : {}),
    ...(part(P.asOf)?.valueDateTime ? { capacityAsOf: part(P.asOf)!.valueDateTime } : {}),
    ...(hs.telecom?.find((t) => t.system === 'phone')?.value ? { phone: hs.telecom.find((t) => t.system === 'phone')!.value } : {}),
  };
}

/**
 * Filters by need (any of the chosen needs), locality and free text, then orders for a quick choice:
 * services matching more of the needs first, those accepting referrals before those that are not,
 * then the shortest wait.
 */
export function searchDirectory(services: readonly HealthcareService[], q: DirectoryQuery): DirectoryEntry[] {
  const wanted = new Set((q.needs ?? []).filter((n) => n !== 'other'));
  const loc = lower(q.locality).trim();
  const words = lower(q.text).split(/\s+/).filter(Boolean);
  const scored: { e: DirectoryEntry; hits: number }[] = [];
  for (const hs of services) {
    if (hs.active === false) continue;
    const e = toDirectoryEntry(hs);
    if (!e) continue;
    const hits = e.needs.filter((n) => wanted.has(n as NeedCode)).length;
    if (wanted.size && hits === 0) continue;
    if (loc && !lower(`${e.locality ?? ''} ${hs.coverageArea?.map((c) => c.display).join(' ') ?? ''}`).includes(loc)) continue;
    const hay = lower([e.name, e.typeLabel, e.description, e.provider, e.eligibility, e.locality].join(' '));
    if (words.some((w) => !hay.includes(w))) continue;
    scored.push({ e, hits });
  }
  return scored
    .sort(
      (a, b) =>
        b.hits - a.hits ||
        Number(b.e.acceptingReferrals !== false) - Number(a.e.acceptingReferrals !== false) ||
        (a.e.waitDays ?? 999) - (b.e.waitDays ?? 999) ||
        a.e.name.localeCompare(b.e.name),
    )
    .map((s) => s.e);
}
