import { createHash } from 'node:crypto';
import { AREA_SERVICES, MALFORMED_SERVICE_ID, ORGS, VENUES, type AreaService, type OrgKey, type VenueKey } from './area.js';

/** A stable UUID-shaped id for a sandbox record (ORUK ids are UUIDs). */
export function sandboxUuid(kind: string, key: string): string {
  const h = createHash('sha1').update(`fernbridge:${kind}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const DAY_MS = 86_400_000;
/** 09:00 UTC `days` before `now`'s date: the same all day, so a restart the same day serves the same feed. */
const daysBefore = (now: Date, days: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 9) - days * DAY_MS);
const LANGUAGE_NAMES: Record<string, string> = { en: 'English', ar: 'Arabic', pl: 'Polish', uk: 'Ukrainian' };

function organization(key: OrgKey) {
  const o = ORGS[key];
  const slug = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return {
    id: sandboxUuid('organization', key),
    name: o.name,
    description: `${o.name} serves people in Fernbridge and the Vale.`,
    email: `hello@${slug}.example.org`,
    website: `https://${slug}.example.org`,
    organization_identifiers: o.charity
      ? [{ id: sandboxUuid('org-identifier', key), identifier_scheme: 'GB-CHC', identifier_type: 'Charity number', identifier: o.charity }]
      : [],
  };
}

function location(key: VenueKey) {
  const v = VENUES[key];
  return {
    id: sandboxUuid('location', key),
    name: v.name,
    description: key === 'online' ? 'Delivered by telephone and video; no venue.' : `${v.name}, Fernbridge.`,
    ...('lat' in v ? { latitude: v.lat, longitude: v.lon } : {}),
    addresses:
      key === 'online'
        ? []
        : [{ id: sandboxUuid('address', key), address_1: v.address, city: 'Fernbridge', state_province: 'Westshire', postal_code: v.postcode, country: 'GB', address_type: 'physical' }],
    accessibility: 'access' in v ? [{ id: sandboxUuid('accessibility', key), description: v.access }] : [],
  };
}

function schedule(s: AreaService) {
  const m = s.when.match(/^(monthly )?(\S+) (\d{2}:\d{2})-(\d{2}:\d{2})$/);
  if (!m) throw new Error(`bad schedule for ${s.slug}: ${s.when}`);
  const [, monthly, byday, opens, closes] = m;
  return {
    id: sandboxUuid('schedule', s.slug),
    freq: monthly ? 'MONTHLY' : 'WEEKLY',
    interval: 1,
    byday,
    opens_at: opens,
    closes_at: closes,
    ...(monthly ? { description: `Monthly (${byday}), ${opens} to ${closes}` } : {}),
  };
}

/** One area row as the fully nested record `/services/{id}` serves. */
export function orukRecord(s: AreaService, now: Date): Record<string, unknown> {
  const checked = daysBefore(now, s.checked);
  const phone = `01632 96${String(1000 + AREA_SERVICES.indexOf(s)).slice(-4)}`;
  return {
    id: sandboxUuid('service', s.slug),
    name: s.name,
    description: s.about,
    url: `https://directory.westshire.example.gov.uk/services/${s.slug}`,
    email: `${s.slug}@services.example.org`,
    status: s.status ?? 'active',
    ...(s.cost ? { fees_description: s.cost } : {}),
    ...(s.minAge !== undefined ? { minimum_age: s.minAge } : {}),
    ...(s.maxAge !== undefined ? { maximum_age: s.maxAge } : {}),
    assured_date: checked.toISOString().slice(0, 10),
    assurer_email: 'directory@westshire.example.gov.uk',
    last_modified: checked.toISOString(),
    organization: organization(s.org),
    phones: [{ id: sandboxUuid('phone', s.slug), number: phone }],
    schedules: [schedule(s)],
    service_areas: [{ id: sandboxUuid('area', s.slug), name: s.venue === 'valeHall' ? 'Lower Vale and the villages' : 'Fernbridge and the Vale' }],
    service_at_locations: s.venue ? [{ id: sandboxUuid('sal', s.slug), location: location(s.venue) }] : [],
    languages: (s.languages ?? ['en']).map((code) => ({ id: sandboxUuid('language', `${s.slug}:${code}`), name: LANGUAGE_NAMES[code] ?? code, code })),
    cost_options: [],
    contacts: [],
    attributes: s.terms.map((term) => ({
      id: sandboxUuid('attribute', `${s.slug}:${term}`),
      link_type: 'need',
      taxonomy_term: { id: sandboxUuid('term', term), term, taxonomy: 'Westshire needs' },
    })),
  };
}

const ONE_TO_ONE = ['id', 'name', 'description', 'url', 'email', 'status', 'fees_description', 'minimum_age', 'maximum_age', 'assured_date', 'assurer_email', 'alert', 'last_modified'];

/**
 * The sandbox's Open Referral UK feed: the area's services in memory, served by `orukRouter`. Tests change it through
 * `put` and `remove` to see re-imports pick changes up and mark vanished services inactive.
 */
export class OrukFeed {
  readonly #records = new Map<string, Record<string, unknown>>();

  constructor(now = new Date()) {
    for (const s of AREA_SERVICES) {
      const r = orukRecord(s, now);
      this.#records.set(r.id as string, r);
    }
    // A publisher's mistake, listed like any other record: the importer must report it and carry on.
    this.#records.set(MALFORMED_SERVICE_ID, {
      id: MALFORMED_SERVICE_ID,
      name: '',
      status: 'open',
      description: 'Record with no name and a status outside the profile',
      last_modified: daysBefore(now, 3).toISOString(),
    });
  }

  get size(): number {
    return this.#records.size;
  }

  /** Records modified on or after `modifiedAfter` (all when absent), in id order: the `/services` listing. */
  list(modifiedAfter?: Date): Record<string, unknown>[] {
    const all = [...this.#records.values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const listed = modifiedAfter
      ? all.filter((r) => typeof r.last_modified === 'string' && Date.parse(r.last_modified) >= modifiedAfter.getTime())
      : all;
    return listed.map((r) => Object.fromEntries(ONE_TO_ONE.filter((k) => k in r).map((k) => [k, r[k]])));
  }

  get(id: string): Record<string, unknown> | undefined {
    return this.#records.get(id);
  }

  /** Adds or replaces a record; its `last_modified` becomes now, as a publisher's system would set it. */
  put(record: Record<string, unknown>, at = new Date()): void {
    this.#records.set(String(record.id), { ...record, last_modified: at.toISOString() });
  }

  remove(id: string): boolean {
    return this.#records.delete(id);
  }
}
