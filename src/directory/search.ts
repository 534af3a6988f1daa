import type { HealthcareService, Location } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART, NEEDS, SERVICE_TYPES, type NeedCode, type ServiceTypeCode } from '../referral-model/codes.js';
import { parseReference } from '../referral-model/references.js';
import { verificationOf, type Verification } from './verification.js';

/**
 * Directory search that fits the conversation in the consulting room (pure): by need, free text, place, distance from
 * the person's home where coordinates exist, open now or this week, and whether the service is taking referrals;
 * each result says in one line why it ranks where it does ("matches 2 needs, 1.2 miles, taking referrals").
 *
 * Fast because the work is done once per directory, not per search: `DirectoryIndex.build` reads every service once
 * (needs as a bit mask, lower-cased text, coordinates from its Locations, weekly opening as minutes per day, capacity,
 * verification), so a search is a scan of plain fields and a sort of what matched (`npm run bench directory`).
 */

export interface Position {
  readonly latitude: number;
  readonly longitude: number;
}

export interface DirectorySearch {
  /** Any of these needs (SP Link codes); the more matched, the higher. */
  readonly needs?: readonly string[];
  /**
   * Rank by `needs` without leaving out services that meet none of them: the link worker's search after the
   * conversation, where what matters to the person may not be what the GP referred for.
   */
  readonly keepUnmatched?: boolean;
  /** Every word must appear in the service's name, type, description, provider, eligibility or place. */
  readonly text?: string;
  /** Words of a place: the service's venue, address, postcode or area must contain them. */
  readonly locality?: string;
  /** The person's home: results get a distance, nearest first among equals. */
  readonly near?: Position;
  /** With `near`: leave out services with a venue further than this (services with no venue stay). */
  readonly withinMiles?: number;
  /** `now`: in a session at `now` (Europe/London); `this-week`: has a weekly session. */
  readonly open?: 'now' | 'this-week';
  /** Leave out services not taking referrals. */
  readonly acceptingOnly?: boolean;
  readonly limit?: number;
}

export interface SearchHit {
  readonly service: HealthcareService;
  readonly id: string;
  readonly needsMatched: number;
  readonly miles?: number;
  readonly openNow: boolean;
  readonly acceptingReferrals?: boolean;
  readonly waitDays?: number;
  readonly verification?: Verification;
  /** Not verified within the configured time. */
  readonly stale: boolean;
  /** Why it ranks here, in one line. */
  readonly reason: string;
}

interface Entry {
  readonly service: HealthcareService;
  readonly id: string;
  readonly name: string;
  readonly needMask: number;
  readonly text: string;
  readonly place: string;
  readonly positions: readonly Position[];
  /** Minutes from midnight per day, Monday = 0: [start, end) pairs. */
  readonly sessions: readonly (readonly [number, number])[][];
  readonly accepting?: boolean;
  readonly waitDays?: number;
  readonly verification?: Verification;
  readonly verifiedAt: number;
}

const NEED_BIT = new Map<string, number>(NEEDS.map((n, i) => [n.code, 1 << i]));
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const lower = (s: string | undefined) => (s ?? '').toLocaleLowerCase('en-GB');
const DAY_MS = 86_400_000;
const bits = (n: number) => {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
};

/** Great-circle distance in miles (haversine; the Earth's mean radius). */
export function milesBetween(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 3958.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const minutes = (t: string | undefined, fallback: number) => {
  const m = t?.match(/^(\d{2}):(\d{2})/);
  return m ? Number(m[1]) * 60 + Number(m[2]) : fallback;
};

/** Capacity as the provider last reported it (the `service-capacity` extension). */
export function capacityOf(hs: HealthcareService): { acceptingReferrals?: boolean; waitDays?: number; asOf?: string } {
  const parts = hs.extension?.find((e) => e.url === EXTENSION.serviceCapacity)?.extension ?? [];
  const P = EXTENSION_PART.serviceCapacity;
  const accepting = parts.find((p) => p.url === P.acceptingReferrals)?.valueBoolean;
  const wait = parts.find((p) => p.url === P.waitDays)?.valueInteger;
  const asOf = parts.find((p) => p.url === P.asOf)?.valueDateTime;
  return { ...(accepting !== undefined ? { acceptingReferrals: accepting } : {}), ...(wait !== undefined ? { waitDays: wait } : {}), ...(asOf ? { asOf } : {}) };
}

/** The SP Link service type of a directory service, when it has one. */
export function serviceTypeOf(hs: HealthcareService): ServiceTypeCode | undefined {
  const code = hs.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === CODE_SYSTEM.serviceType)?.code;
  return SERVICE_TYPES.find((t) => t.code === code)?.code;
}

/** A UK postcode's outward code ("FB1 2AB" → "FB1"). */
const outward = (postcode: string | undefined) => {
  const p = (postcode ?? '').toUpperCase().replace(/\s+/g, '');
  return p.length > 3 ? p.slice(0, -3) : p;
};

/**
 * Where a person lives, near enough to rank services by distance, when their address carries no coordinates: the
 * directory's own venue at that postcode, else the middle of its venues in the same postcode district. No lookup
 * service, no guess beyond the district.
 */
export function approximatePosition(postcode: string | undefined, locations: readonly Location[]): Position | undefined {
  if (!postcode?.trim()) return undefined;
  const full = postcode.toUpperCase().replace(/\s+/g, '');
  const placed = locations.filter((l) => l.position && l.address?.postalCode);
  const exact = placed.find((l) => l.address!.postalCode!.toUpperCase().replace(/\s+/g, '') === full);
  if (exact) return { latitude: exact.position!.latitude, longitude: exact.position!.longitude };
  const district = placed.filter((l) => outward(l.address!.postalCode) === outward(postcode));
  if (district.length === 0) return undefined;
  return {
    latitude: district.reduce((s, l) => s + l.position!.latitude, 0) / district.length,
    longitude: district.reduce((s, l) => s + l.position!.longitude, 0) / district.length,
  };
}

/** London's day of the week (Monday = 0) and minutes past midnight at `at`. */
function londonWeekMinute(at: Date): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return { day: Math.max(0, day), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function waitText(days: number): string {
  if (days === 0) return 'no wait';
  if (days < 14) return `wait about ${plural(days, 'day')}`;
  return `wait about ${plural(Math.round(days / 7), 'week')}`;
}

/** The directory prepared for searching. Build once per directory read; search as often as people type. */
export class DirectoryIndex {
  readonly #entries: Entry[];
  readonly locations: readonly Location[];

  private constructor(entries: Entry[], locations: readonly Location[]) {
    this.#entries = entries;
    this.locations = locations;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Active services only; `locations` are the Locations they reference (for coordinates and addresses). */
  static build(services: readonly HealthcareService[], locations: readonly Location[] = []): DirectoryIndex {
    const byId = new Map(locations.filter((l) => l.id).map((l) => [l.id!, l]));
    const entries: Entry[] = [];
    for (const hs of services) {
      if (hs.active === false || !hs.id || !hs.name) continue;
      let needMask = 0;
      for (const c of hs.category ?? []) for (const cd of c.coding ?? []) if (cd.system === CODE_SYSTEM.need && cd.code) needMask |= NEED_BIT.get(cd.code) ?? 0;
      const venues = (hs.location ?? []).flatMap((r) => {
        const id = r.reference ? parseReference(r.reference)?.id : undefined;
        const l = id ? byId.get(id) : undefined;
        return l ? [l] : [];
      });
      const place = lower(
        [
          ...(hs.location ?? []).map((r) => r.display),
          ...(hs.coverageArea ?? []).map((c) => c.display),
          ...venues.flatMap((l) => [l.name, ...(l.address?.line ?? []), l.address?.city, l.address?.district, l.address?.postalCode]),
        ].filter(Boolean).join(' \u2022 '),
      );
      const sessions: [number, number][][] = DAYS.map(() => []);
      for (const t of hs.availableTime ?? []) {
        const span: [number, number] = t.allDay ? [0, 1440] : [minutes(t.availableStartTime, 0), minutes(t.availableEndTime, 1440)];
        for (const d of t.daysOfWeek ?? []) sessions[DAYS.indexOf(d)]?.push(span);
      }
      const capacity = capacityOf(hs);
      const verification = verificationOf(hs);
      entries.push({
        service: hs,
        id: hs.id,
        name: hs.name,
        needMask,
        text: lower([hs.name, ...(hs.type ?? []).flatMap((t) => [t.text, ...(t.coding ?? []).map((c) => c.display)]), hs.comment, hs.extraDetails, hs.providedBy?.display, ...(hs.eligibility ?? []).map((e) => e.comment ?? e.code?.text), ...(hs.characteristic ?? []).map((c) => c.text)].filter(Boolean).join(' \u2022 ')) + ' \u2022 ' + place,
        place,
        positions: venues.flatMap((l) => (l.position ? [{ latitude: l.position.latitude, longitude: l.position.longitude }] : [])),
        sessions,
        ...(capacity.acceptingReferrals !== undefined ? { accepting: capacity.acceptingReferrals } : {}),
        ...(capacity.waitDays !== undefined ? { waitDays: capacity.waitDays } : {}),
        ...(verification ? { verification } : {}),
        verifiedAt: verification ? Date.parse(verification.date) : Number.NaN,
      });
    }
    return new DirectoryIndex(entries, locations);
  }

  /**
   * Matching services, best first: more of the person's needs, then taking referrals, then checked recently (not
   * stale), then nearer, then the shorter wait, then by name.
   */
  search(q: DirectorySearch, opts: { now: Date; staleAfterDays: number }): SearchHit[] {
    let wanted = 0;
    for (const n of q.needs ?? []) wanted |= NEED_BIT.get(n as NeedCode) ?? 0;
    const words = lower(q.text).split(/\s+/).filter(Boolean);
    const placeWords = lower(q.locality).split(/\s+/).filter(Boolean);
    const staleBefore = opts.now.getTime() - opts.staleAfterDays * DAY_MS;
    const clock = q.open === 'now' ? londonWeekMinute(opts.now) : undefined;
    const scored: { e: Entry; needs: number; miles?: number; openNow: boolean; stale: boolean }[] = [];
    for (const e of this.#entries) {
      const needs = wanted ? bits(e.needMask & wanted) : 0;
      if (wanted && needs === 0 && !q.keepUnmatched) continue;
      if (q.acceptingOnly && e.accepting === false) continue;
      if (words.length && !words.every((w) => e.text.includes(w))) continue;
      if (placeWords.length && !placeWords.every((w) => e.place.includes(w))) continue;
      if (q.open === 'this-week' && !e.sessions.some((d) => d.length > 0)) continue;
      const openNow = clock ? (e.sessions[clock.day] ?? []).some(([s, t]) => clock.minute >= s && clock.minute < t) : false;
      if (q.open === 'now' && !openNow) continue;
      let miles: number | undefined;
      if (q.near && e.positions.length) {
        miles = Math.min(...e.positions.map((p) => milesBetween(q.near!, p)));
        if (q.withinMiles !== undefined && miles > q.withinMiles) continue;
      }
      // isStale (verification.ts), on the date read once at build.
      const stale = !(e.verifiedAt >= staleBefore);
      scored.push({ e, needs, ...(miles !== undefined ? { miles } : {}), openNow, stale });
    }
    scored.sort(
      (a, b) =>
        b.needs - a.needs ||
        Number(b.e.accepting !== false) - Number(a.e.accepting !== false) ||
        Number(a.stale) - Number(b.stale) ||
        (a.miles ?? Number.POSITIVE_INFINITY) - (b.miles ?? Number.POSITIVE_INFINITY) ||
        (a.e.waitDays ?? 999) - (b.e.waitDays ?? 999) ||
        a.e.name.localeCompare(b.e.name),
    );
    const top = q.limit !== undefined ? scored.slice(0, q.limit) : scored;
    return top.map(({ e, needs, miles, openNow, stale }) => ({
      service: e.service,
      id: e.id,
      needsMatched: needs,
      ...(miles !== undefined ? { miles } : {}),
      openNow,
      ...(e.accepting !== undefined ? { acceptingReferrals: e.accepting } : {}),
      ...(e.waitDays !== undefined ? { waitDays: e.waitDays } : {}),
      ...(e.verification ? { verification: e.verification } : {}),
      stale,
      reason: explain({ wanted: Boolean(wanted) && needs > 0, needs, miles, openNow: q.open === 'now' && openNow, accepting: e.accepting, waitDays: e.waitDays, stale, hasVenue: e.positions.length > 0, near: Boolean(q.near) }),
    }));
  }
}

/** One line a GP or link worker reads at a glance: "matches 2 needs, 1.2 miles, taking referrals". */
export function explain(x: { wanted: boolean; needs: number; miles?: number | undefined; openNow: boolean; accepting?: boolean | undefined; waitDays?: number | undefined; stale: boolean; hasVenue: boolean; near: boolean }): string {
  const parts: string[] = [];
  if (x.wanted) parts.push(`matches ${plural(x.needs, 'need')}`);
  if (x.miles !== undefined) parts.push(x.miles < 0.1 ? 'under 0.1 miles' : `${x.miles.toFixed(1)} miles`);
  else if (x.near && !x.hasVenue) parts.push('no venue to travel to');
  if (x.openNow) parts.push('open now');
  if (x.accepting === false) parts.push('not taking referrals');
  else parts.push(x.waitDays !== undefined && x.waitDays > 0 ? `taking referrals, ${waitText(x.waitDays)}` : 'taking referrals');
  if (x.stale) parts.push('details not checked recently');
  return parts.join(', ');
}
