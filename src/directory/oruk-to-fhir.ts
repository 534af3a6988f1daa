import { createHash } from 'node:crypto';
import type {
  Address,
  CodeableConcept,
  Coding,
  ContactPoint,
  Extension,
  HealthcareService,
  HealthcareServiceAvailableTime,
  Identifier,
  Location,
  Organization,
} from '@medplum/fhirtypes';
import { CANONICAL_BASE, CODE_SYSTEM, displayOf, EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM, SYSTEM } from '../referral-model/codes.js';
import { needsFor, serviceTypeFor } from './need-mapping.js';
import type { OrukLocation, OrukOrganization, OrukService, OrukTaxonomyTerm } from './oruk-schema.js';

/** The directory records one Open Referral UK service becomes. */
export interface MappedService {
  readonly healthcareService: HealthcareService;
  readonly organization?: Organization;
  readonly locations: readonly Location[];
}

export interface FeedContext {
  /** The configured feed's id and name (who vouches for the record when it carries no assurer). */
  readonly feedId: string;
  readonly feedName: string;
}

type Kind = 'HealthcareService' | 'Organization' | 'Location';
const ID_SYSTEM: Record<Kind, string> = {
  HealthcareService: IDENTIFIER_SYSTEM.orukService,
  Organization: IDENTIFIER_SYSTEM.orukOrganization,
  Location: IDENTIFIER_SYSTEM.orukLocation,
};

/**
 * The FHIR id a directory record is stored under: derived from its ORUK id, so the same record from any feed, on any
 * import, lands on the same resource (an upsert by identifier that needs no search first), and references between
 * the service, its organisation and its locations are known before anything is written.
 */
export function directoryResourceId(kind: Kind, orukId: string): string {
  const prefix = { HealthcareService: 'oruk-', Organization: 'oruk-org-', Location: 'oruk-loc-' }[kind];
  const plain = prefix + orukId.toLowerCase();
  if (/^[a-z0-9\-.]{1,64}$/.test(plain)) return plain;
  return prefix + createHash('sha256').update(orukId).digest('hex').slice(0, 40);
}

const identifier = (kind: Kind, orukId: string): Identifier => ({ system: ID_SYSTEM[kind], value: orukId });

/** ORUK taxonomy terms as codings: the taxonomy's URI where it gives one, else a system under SP Link's base naming it. */
export function taxonomyCoding(t: OrukTaxonomyTerm): Coding {
  const taxonomy = t.taxonomy?.trim();
  const system = taxonomy && /^https?:\/\//.test(taxonomy)
    ? taxonomy
    : `${CANONICAL_BASE}/oruk-taxonomy/${encodeURIComponent((taxonomy || 'unnamed').toLowerCase().replace(/\s+/g, '-'))}`;
  return { system, code: t.code?.trim() || t.id, ...(t.term ? { display: t.term } : {}) };
}

const nonEmpty = (s: string | undefined): s is string => typeof s === 'string' && s.trim() !== '';
const DAY: Record<string, 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'> = {
  MO: 'mon', TU: 'tue', WE: 'wed', TH: 'thu', FR: 'fri', SA: 'sat', SU: 'sun',
};
/** HH:MM or HH:MM:SS, with or without a zone (UK feeds give local time): FHIR's time type is HH:MM:SS. */
const fhirTime = (t: string | undefined) => {
  const m = t?.match(/^(\d{2}):(\d{2})(?::(\d{2}))?/);
  return m ? `${m[1]}:${m[2]}:${m[3] ?? '00'}` : undefined;
};

function availableTimes(s: OrukService): { times: HealthcareServiceAvailableTime[]; notes: string[] } {
  const times: HealthcareServiceAvailableTime[] = [];
  const notes: string[] = [];
  const schedules = [...(s.schedules ?? []), ...(s.service_at_locations ?? []).flatMap((sal) => sal.schedules ?? [])];
  for (const sch of schedules) {
    const days = (sch.byday ?? '').split(',').map((d) => d.trim().toUpperCase());
    // Weekly rules with plain days map to FHIR; anything else (monthly, "2MO", intervals) is told in words.
    const weekly = sch.freq === 'WEEKLY' && (sch.interval ?? 1) === 1 && days.length > 0 && days.every((d) => d in DAY);
    if (weekly) {
      const start = fhirTime(sch.opens_at);
      const end = fhirTime(sch.closes_at);
      times.push({
        daysOfWeek: days.map((d) => DAY[d]!),
        ...(start && end ? { availableStartTime: start, availableEndTime: end } : { allDay: true }),
      });
    }
    const words = [sch.description, sch.notes, sch.attending_type].filter(nonEmpty);
    if (!weekly && words.length === 0 && sch.freq) words.push(`${sch.freq.toLowerCase()} (${[sch.byday, sch.bymonthday].filter(nonEmpty).join('; ')})`);
    notes.push(...words);
  }
  return { times, notes: [...new Set(notes)] };
}

function orukTerms(s: OrukService): OrukTaxonomyTerm[] {
  return (s.attributes ?? []).flatMap((a) => (a.taxonomy_term ? [a.taxonomy_term] : []));
}

function ageText(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined) return `Ages ${min} to ${max}`;
  if (min !== undefined) return `Ages ${min} and over`;
  if (max !== undefined) return `Ages up to ${max}`;
  return undefined;
}

function costText(s: OrukService): string | undefined {
  const options = (s.cost_options ?? []).map((c) =>
    [c.option, c.amount !== undefined ? `£${c.amount.toFixed(2).replace(/\.00$/, '')}` : undefined, c.amount_description].filter(nonEmpty).join(' '),
  ).filter(nonEmpty);
  const parts = [s.fees_description ?? s.fees, ...options].filter(nonEmpty);
  return parts.length ? parts.join('; ') : undefined;
}

function mapOrganization(o: OrukOrganization): Organization {
  const telecom: ContactPoint[] = [
    ...(o.phones ?? []).map((p): ContactPoint => ({ system: 'phone', value: p.number, use: 'work' })),
    ...(nonEmpty(o.email) ? [{ system: 'email' as const, value: o.email, use: 'work' as const }] : []),
    ...(nonEmpty(o.website) ? [{ system: 'url' as const, value: o.website, use: 'work' as const }] : []),
  ];
  return {
    resourceType: 'Organization',
    id: directoryResourceId('Organization', o.id),
    identifier: [
      identifier('Organization', o.id),
      // Charity and company numbers under their org-id.guide scheme (e.g. GB-CHC, GB-COH).
      ...(o.organization_identifiers ?? []).map((i): Identifier => ({
        ...(nonEmpty(i.identifier_scheme) ? { system: `https://org-id.guide/list/${i.identifier_scheme}` } : {}),
        type: { text: i.identifier_type },
        value: i.identifier,
      })),
    ],
    active: true,
    name: o.name,
    ...(nonEmpty(o.alternate_name) ? { alias: [o.alternate_name] } : {}),
    ...(telecom.length ? { telecom } : {}),
  };
}

function mapAddress(l: OrukLocation): Address | undefined {
  const a = (l.addresses ?? []).find((x) => x.address_type === 'physical') ?? l.addresses?.[0];
  if (!a) return undefined;
  return {
    use: 'work',
    type: a.address_type === 'postal' ? 'postal' : 'physical',
    line: [a.address_1, a.address_2].filter(nonEmpty),
    ...(nonEmpty(a.city) ? { city: a.city } : {}),
    ...(nonEmpty(a.state_province) ? { district: a.state_province } : {}),
    ...(nonEmpty(a.postal_code) ? { postalCode: a.postal_code } : {}),
    ...(nonEmpty(a.country) ? { country: a.country } : {}),
  };
}

function mapLocation(l: OrukLocation, org: Organization | undefined): Location {
  const address = mapAddress(l);
  const access = (l.accessibility ?? []).map((x) => [x.description, x.details].filter(nonEmpty).join(': ')).filter(nonEmpty);
  const description = [l.description, access.length ? `Accessibility: ${access.join('; ')}` : undefined].filter(nonEmpty).join('\n\n');
  return {
    resourceType: 'Location',
    id: directoryResourceId('Location', l.id),
    identifier: [
      identifier('Location', l.id),
      ...(nonEmpty(l.external_identifier)
        ? [{ ...(l.external_identifier_type ? { type: { text: l.external_identifier_type } } : {}), value: l.external_identifier }]
        : []),
    ],
    status: 'active',
    name: l.name ?? address?.line?.[0] ?? 'Service location',
    ...(description ? { description } : {}),
    mode: 'instance',
    ...(address ? { address } : {}),
    ...(l.latitude !== undefined && l.longitude !== undefined ? { position: { latitude: l.latitude, longitude: l.longitude } } : {}),
    ...(org ? { managingOrganization: { reference: `Organization/${org.id}`, display: org.name } } : {}),
  };
}

/** The verification a feed vouches for: the record's assured date (else its last change, else the import) and assurer. */
export function feedVerification(s: OrukService, feed: FeedContext, importedAt: Date): Extension {
  const P = EXTENSION_PART.serviceVerification;
  const date = s.assured_date ? `${s.assured_date.slice(0, 10)}T00:00:00Z` : s.last_modified ? new Date(s.last_modified).toISOString() : importedAt.toISOString();
  return {
    url: EXTENSION.serviceVerification,
    extension: [
      { url: P.date, valueDateTime: date },
      { url: P.by, valueCode: 'feed' },
      { url: P.who, valueString: s.assurer_email ? `${feed.feedName} (assured by ${s.assurer_email})` : feed.feedName },
    ],
  };
}

/**
 * One ORUK service as FHIR (pure): a HealthcareService identified by its ORUK id, its provider's Organization and the
 * Locations it is delivered at. Needs are SP Link's codes found in its taxonomy terms (or its name and description
 * when it has none); the terms themselves are kept as codings. `temporarily closed` stays active but not taking
 * referrals; `inactive` and `defunct` are inactive (never deleted: open referrals may point at them).
 */
export function mapOrukService(s: OrukService, feed: FeedContext, importedAt: Date): MappedService {
  const organization = s.organization ? mapOrganization(s.organization) : undefined;
  const locations = (s.service_at_locations ?? []).flatMap((sal) => (sal.location ? [mapLocation(sal.location, organization)] : []));
  const terms = orukTerms(s);
  const termWords = terms.flatMap((t) => [t.term, t.description].filter(nonEmpty));
  const needs = needsFor(termWords).length ? needsFor(termWords) : needsFor([s.name, s.description ?? '']);
  const type = serviceTypeFor(termWords, `${s.name} ${s.description ?? ''}`);
  const { times, notes } = availableTimes(s);
  const age = ageText(s.minimum_age, s.maximum_age);
  const eligibility = [s.eligibility_description, age].filter(nonEmpty).join('. ');
  const cost = costText(s);
  const phones = [...(s.phones ?? []), ...(s.contacts ?? []).flatMap((c) => c.phones ?? [])];
  const telecom: ContactPoint[] = [
    ...phones.map((p): ContactPoint => ({ system: 'phone', value: p.number, use: 'work' })),
    ...(nonEmpty(s.email) ? [{ system: 'email' as const, value: s.email, use: 'work' as const }] : []),
    ...(nonEmpty(s.url) ? [{ system: 'url' as const, value: s.url, use: 'work' as const }] : []),
  ];
  const areas = (s.service_areas ?? []).map((a) => a.name ?? a.service_area ?? a.description).filter(nonEmpty);
  const languages: CodeableConcept[] = (s.languages ?? []).flatMap((l) =>
    nonEmpty(l.code) || nonEmpty(l.name)
      ? [{ ...(nonEmpty(l.code) ? { coding: [{ system: SYSTEM.bcp47, code: l.code }] } : {}), ...(nonEmpty(l.name) ? { text: l.name } : {}) }]
      : [],
  );
  const access = (s.service_at_locations ?? []).flatMap((sal) => sal.location?.accessibility ?? []).map((a) => a.description).filter(nonEmpty);
  const closed = s.status === 'temporarily closed';
  const details = [
    s.description,
    s.alert ? `Notice: ${s.alert}` : undefined,
    eligibility ? `Eligibility: ${eligibility}.` : undefined,
    cost ? `Cost: ${cost}.` : undefined,
    s.application_process ? `How to get help: ${s.application_process}` : undefined,
    s.accreditations ? `Accreditations: ${s.accreditations}` : undefined,
  ].filter(nonEmpty);
  const referralMethod = [
    ...(phones.length ? ['phone'] : []),
    ...(nonEmpty(s.email) ? ['semail'] : []),
  ].map((code) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/service-referral-method', code }] }));

  const healthcareService: HealthcareService = {
    resourceType: 'HealthcareService',
    id: directoryResourceId('HealthcareService', s.id),
    identifier: [identifier('HealthcareService', s.id)],
    active: s.status === 'active' || closed,
    ...(organization ? { providedBy: { reference: `Organization/${organization.id}`, display: organization.name } } : {}),
    ...(needs.length ? { category: needs.map((n) => ({ coding: [{ system: CODE_SYSTEM.need, code: n, display: displayOf('need', n) }] })) } : {}),
    type: [{ coding: [{ system: CODE_SYSTEM.serviceType, code: type, display: displayOf('serviceType', type) }] }],
    // The publisher's own classification, kept as it came.
    ...(terms.length || access.length
      ? { characteristic: [...terms.map((t) => ({ coding: [taxonomyCoding(t)], ...(t.term ? { text: t.term } : {}) })), ...access.map((a) => ({ text: `Accessibility: ${a}` }))] }
      : {}),
    ...(locations.length ? { location: locations.map((l) => ({ reference: `Location/${l.id}`, display: l.name })) } : {}),
    name: s.name,
    ...(s.description || s.alert ? { comment: [s.alert ? `${s.alert}` : undefined, s.description].filter(nonEmpty).join(' ').slice(0, 1000) } : {}),
    ...(details.length ? { extraDetails: details.join('\n\n') } : {}),
    ...(telecom.length ? { telecom } : {}),
    ...(areas.length ? { coverageArea: areas.map((display) => ({ display })) } : {}),
    ...(eligibility ? { eligibility: [{ code: { text: eligibility }, comment: eligibility }] } : {}),
    ...(languages.length ? { communication: languages } : {}),
    ...(referralMethod.length ? { referralMethod } : {}),
    ...(times.length ? { availableTime: times } : {}),
    ...(notes.length || closed ? { availabilityExceptions: [closed ? 'Temporarily closed' : undefined, ...notes].filter(nonEmpty).join('. ') } : {}),
    extension: [
      feedVerification(s, feed, importedAt),
      // A closed service is not taking referrals, whatever its provider said before.
      ...(closed
        ? [{
            url: EXTENSION.serviceCapacity,
            extension: [
              { url: EXTENSION_PART.serviceCapacity.acceptingReferrals, valueBoolean: false },
              { url: EXTENSION_PART.serviceCapacity.asOf, valueDateTime: importedAt.toISOString() },
            ],
          }]
        : []),
    ],
  };
  return { healthcareService, ...(organization ? { organization } : {}), locations };
}
