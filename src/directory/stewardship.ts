import type { ContactPoint, Extension, HealthcareService } from '@medplum/fhirtypes';
import { EXTENSION, EXTENSION_PART } from '../referral-model/codes.js';
import { capacityOf } from './search.js';
import { isStale, verificationLabel, verificationOf, withVerification, type Verification, type Verifier } from './verification.js';

/**
 * Keeping the directory true between feed imports (pure): what a service manager does with a service (checked, no
 * longer running, a change recorded), what a provider says about its own capacity and waits, and the manager's "to
 * check" list of services nobody has vouched for lately and link workers' reports that one has closed or changed.
 * Every change here also says who checked the service and when (verification.ts); the caller writes it with If-Match.
 */

/** What the manager did about a service. */
export const STEWARD_ACTIONS = {
  checked: { label: 'Mark checked', done: 'marked as checked' },
  inactive: { label: 'Mark inactive', done: 'marked as no longer running' },
  change: { label: 'Record the change', done: 'changed' },
} as const;
export type StewardAction = keyof typeof STEWARD_ACTIONS;
export const isStewardAction = (s: unknown): s is StewardAction => typeof s === 'string' && Object.hasOwn(STEWARD_ACTIONS, s);

/** What a link worker reports about a service. */
export const REPORT_KINDS = {
  closed: { label: 'This service has closed', short: 'Closed' },
  changed: { label: 'Its details have changed', short: 'Changed' },
} as const;
export type ReportKind = keyof typeof REPORT_KINDS;
export const isReportKind = (s: unknown): s is ReportKind => typeof s === 'string' && Object.hasOwn(REPORT_KINDS, s);

/** Who vouches for a change: the kind of verifier and the person's name. */
export interface Steward {
  readonly by: Exclude<Verifier, 'feed'>;
  readonly name: string;
}

/** Capacity as a provider or manager says it is now. */
export interface CapacityUpdate {
  readonly acceptingReferrals: boolean;
  /** Typical wait to first contact, in days. */
  readonly waitDays?: number;
}

/** A manager's correction of the details a link worker reported changed. Absent fields stay; '' removes a contact route. */
export interface ServiceChange extends Partial<CapacityUpdate> {
  readonly phone?: string;
  readonly email?: string;
  readonly website?: string;
  readonly description?: string;
}

const verified = (s: Steward, now: Date): Verification => ({ date: now.toISOString(), by: s.by, who: s.name });

function capacityExtension(u: CapacityUpdate, now: Date): Extension {
  const P = EXTENSION_PART.serviceCapacity;
  return {
    url: EXTENSION.serviceCapacity,
    extension: [
      { url: P.acceptingReferrals, valueBoolean: u.acceptingReferrals },
      ...(u.waitDays !== undefined ? [{ url: P.waitDays, valueInteger: u.waitDays }] : []),
      { url: P.asOf, valueDateTime: now.toISOString() },
    ],
  };
}

function withCapacity(hs: HealthcareService, u: CapacityUpdate, now: Date): HealthcareService {
  const others = (hs.extension ?? []).filter((e) => e.url !== EXTENSION.serviceCapacity);
  return { ...hs, extension: [...others, capacityExtension(u, now)] };
}

/** The manager checked the service's details: nothing changes but who vouches for them, and when. */
export function markChecked(hs: HealthcareService, s: Steward, now: Date): HealthcareService {
  return withVerification(structuredClone(hs), verified(s, now));
}

/** The service no longer runs: inactive, never deleted (open referrals may point at it), everything else kept. */
export function markInactive(hs: HealthcareService, s: Steward, now: Date): HealthcareService {
  return withVerification({ ...structuredClone(hs), active: false }, verified(s, now));
}

/** The first contact route of `system` set to `value` ('' removes it); others kept in order. */
function setTelecom(telecom: readonly ContactPoint[], system: ContactPoint['system'], value: string | undefined): ContactPoint[] {
  if (value === undefined) return [...telecom];
  const at = telecom.findIndex((t) => t.system === system);
  if (value === '') return telecom.filter((_, i) => i !== at);
  if (at < 0) return [...telecom, { system, value, use: 'work' }];
  return telecom.map((t, i) => (i === at ? { ...t, value } : t));
}

/** The details as the manager found them: contact routes, description and capacity; checked by the manager now. */
export function recordChange(hs: HealthcareService, c: ServiceChange, s: Steward, now: Date): HealthcareService {
  let out = structuredClone(hs);
  let telecom = setTelecom(out.telecom ?? [], 'phone', c.phone);
  telecom = setTelecom(telecom, 'email', c.email);
  telecom = setTelecom(telecom, 'url', c.website);
  if (telecom.length) out.telecom = telecom;
  else delete out.telecom;
  if (c.description === '') delete out.comment;
  else if (c.description !== undefined) out.comment = c.description;
  if (c.acceptingReferrals !== undefined) out = withCapacity(out, { acceptingReferrals: c.acceptingReferrals, ...(c.waitDays !== undefined ? { waitDays: c.waitDays } : {}) }, now);
  return withVerification(out, verified(s, now));
}

/** The provider's own word on capacity and waits, which also vouches for the service's details. */
export function updateCapacity(hs: HealthcareService, u: CapacityUpdate, s: Steward, now: Date): HealthcareService {
  return withVerification(withCapacity(structuredClone(hs), u, now), verified(s, now));
}

/** The contact routes and description the change form starts from. */
export function currentDetails(hs: HealthcareService): { phone: string; email: string; website: string; description: string; accepting?: boolean; waitDays?: number } {
  const first = (system: ContactPoint['system']) => hs.telecom?.find((t) => t.system === system)?.value ?? '';
  const cap = capacityOf(hs);
  return {
    phone: first('phone'), email: first('email'), website: first('url'), description: hs.comment ?? '',
    ...(cap.acceptingReferrals !== undefined ? { accepting: cap.acceptingReferrals } : {}),
    ...(cap.waitDays !== undefined ? { waitDays: cap.waitDays } : {}),
  };
}

/** A link worker's report, as the manager's list shows it. */
export interface ServiceReport {
  readonly id: number;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly kind: ReportKind;
  readonly note?: string;
  readonly reporterName: string;
  readonly reportedAt: string;
}

export interface ToCheckItem {
  readonly serviceId: string;
  readonly name: string;
  readonly provider?: string;
  /** False: already marked inactive (a report about it still waits for a manager). */
  readonly active: boolean;
  /** Not in the directory any more: only the report knows it. */
  readonly missing: boolean;
  readonly verifiedLabel: string;
  readonly stale: boolean;
  readonly reports: readonly (ServiceReport & { readonly overdue: boolean })[];
  /** Some report has waited longer than the response time: the list shows it first. */
  readonly overdue: boolean;
  /** Waiting since: its oldest report, else when its details were last checked (undefined: never). */
  readonly since?: string;
  /** The version the manager acts on (If-Match). */
  readonly version?: string;
}

const DAY_MS = 86_400_000;

/**
 * The manager's "to check" list: every active service not checked within `staleAfterDays`, and every service a link
 * worker reported closed or changed that no manager has acted on since. Overdue reports (waiting more than
 * `reportResponseDays`) first, then oldest first; never-checked services count as the oldest.
 */
export function toCheckList(
  services: readonly HealthcareService[],
  reports: readonly ServiceReport[],
  opts: { now: Date; staleAfterDays: number; reportResponseDays: number },
): ToCheckItem[] {
  const byService = new Map<string, ServiceReport[]>();
  for (const r of reports) byService.set(r.serviceId, [...(byService.get(r.serviceId) ?? []), r]);
  const overdueBefore = opts.now.getTime() - opts.reportResponseDays * DAY_MS;
  const items: ToCheckItem[] = [];
  const seen = new Set<string>();
  const item = (id: string, hs: HealthcareService | undefined, waiting: readonly ServiceReport[]): ToCheckItem => {
    const v = hs ? verificationOf(hs) : undefined;
    const stale = hs ? hs.active !== false && isStale(v, opts.now, opts.staleAfterDays) : false;
    const marked = [...waiting].sort((a, b) => Date.parse(a.reportedAt) - Date.parse(b.reportedAt)).map((r) => ({ ...r, overdue: Date.parse(r.reportedAt) < overdueBefore }));
    const since = marked[0]?.reportedAt ?? v?.date;
    return {
      serviceId: id,
      name: hs?.name ?? waiting[0]?.serviceName ?? id,
      ...(hs?.providedBy?.display ? { provider: hs.providedBy.display } : {}),
      active: hs?.active !== false,
      missing: !hs,
      verifiedLabel: verificationLabel(v),
      stale,
      reports: marked,
      overdue: marked.some((r) => r.overdue),
      ...(since ? { since } : {}),
      ...(hs?.meta?.versionId ? { version: hs.meta.versionId } : {}),
    };
  };
  for (const hs of services) {
    if (!hs.id) continue;
    seen.add(hs.id);
    const it = item(hs.id, hs, byService.get(hs.id) ?? []);
    if (it.stale || it.reports.length) items.push(it);
  }
  for (const [id, waiting] of byService) if (!seen.has(id)) items.push(item(id, undefined, waiting));
  const t = (s: string | undefined) => (s ? Date.parse(s) : Number.NEGATIVE_INFINITY);
  return items.sort((a, b) => Number(b.overdue) - Number(a.overdue) || t(a.since) - t(b.since) || a.name.localeCompare(b.name));
}
