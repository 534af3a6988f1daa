import type { Extension, HealthcareService, Resource } from '@medplum/fhirtypes';
import { EXTENSION, EXTENSION_PART } from '../referral-model/codes.js';

/**
 * How a feed's version of a service meets what the directory holds (pure). The feed owns what it publishes; what
 * others said about the service stays: a provider's capacity and waits (unless the feed says the service is closed),
 * and a verification newer than the feed's (a provider, link worker or service manager checked it since), with a
 * manager's finding that the service no longer runs.
 */

const verificationDate = (hs: HealthcareService | undefined): string | undefined =>
  hs?.extension?.find((e) => e.url === EXTENSION.serviceVerification)?.extension?.find((p) => p.url === EXTENSION_PART.serviceVerification.date)?.valueDateTime;

export function mergeIntoDirectory(fromFeed: HealthcareService, existing: HealthcareService | undefined): HealthcareService {
  if (!existing) return fromFeed;
  const feedUrls = new Set((fromFeed.extension ?? []).map((e) => e.url));
  const kept: Extension[] = [];
  for (const e of existing.extension ?? []) {
    if (e.url === EXTENSION.serviceVerification) continue; // decided below
    if (!feedUrls.has(e.url)) kept.push(e); // capacity and anything else others maintain
  }
  const feedVerification = fromFeed.extension?.find((e) => e.url === EXTENSION.serviceVerification);
  const existingVerification = existing.extension?.find((e) => e.url === EXTENSION.serviceVerification);
  const existingDate = verificationDate(existing);
  const feedDate = verificationDate(fromFeed);
  const verification = existingVerification && existingDate && (!feedDate || Date.parse(existingDate) > Date.parse(feedDate)) ? existingVerification : feedVerification;
  const others = (fromFeed.extension ?? []).filter((e) => e.url !== EXTENSION.serviceVerification);
  const extension = [...(verification ? [verification] : []), ...others, ...kept];
  const { extension: _drop, ...rest } = fromFeed;
  // A service manager who found the service no longer running since the feed's record was assured keeps it inactive.
  const managerClosed = existing.active === false && verification === existingVerification && existingVerification !== feedVerification &&
    existingVerification?.extension?.some((p) => p.url === EXTENSION_PART.serviceVerification.by && p.valueCode === 'manager');
  return { ...rest, ...(managerClosed ? { active: false } : {}), ...(extension.length ? { extension } : {}) };
}

/** The service as the directory should now hold it, no longer listed by any feed: inactive, everything else kept. */
export function retired(existing: HealthcareService): HealthcareService {
  return { ...withoutMeta(existing), active: false };
}

export function withoutMeta<T extends Resource>(r: T): T {
  const { meta: _meta, ...rest } = r as T & { meta?: unknown };
  return rest as T;
}

/** Top-level fields whose values differ (ignoring `meta`), in the order of `after`: the change log's detail. */
export function changedFields(before: Resource | undefined, after: Resource): string[] {
  if (!before) return [];
  const a = withoutMeta(before) as unknown as Record<string, unknown>;
  const b = withoutMeta(after) as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.filter((k) => stableJson(a[k]) !== stableJson(b[k]));
}

/** JSON with object keys sorted: equal content, equal text. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => p.localeCompare(q))) : x,
  ) ?? 'undefined';
}
