import { z } from 'zod';

/**
 * Checks for Open Referral UK (the UK profile of HSDS 3.0) records as its API serves them: a fully nested service
 * from `/services/{id}` or an item of a `/services` page. Written from the profile's compiled service schema: the
 * `required` lists and enums are the profile's; everything else is optional, and unknown fields are kept (publishers
 * extend the profile). Liberal where real feeds differ harmlessly: `null` means absent, ids may be numbers, numbers
 * may come as numeric strings. A record that fails is reported with its reasons and never half-imported.
 */

/** Absent, `null` or the value: publishers write `null` for empty fields. */
const opt = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);
const id = z.union([z.string().trim().min(1).max(255), z.number().int()]).transform(String);
const text = z.string();
const num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'expected a date (YYYY-MM-DD)');
const isoDateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date-time');
const list = <T extends z.ZodType>(t: T) => opt(z.array(t));

export const SERVICE_STATUSES = ['active', 'inactive', 'defunct', 'temporarily closed'] as const;
export type OrukServiceStatus = (typeof SERVICE_STATUSES)[number];

export const taxonomyTermSchema = z.looseObject({
  id,
  term: opt(text),
  description: opt(text),
  parent_id: opt(id),
  taxonomy: opt(text),
  taxonomy_id: opt(id),
  term_uri: opt(text),
  code: opt(text),
  version: opt(text),
});

export const attributeSchema = z.looseObject({
  id,
  link_id: opt(id),
  taxonomy_term_id: opt(id),
  link_type: opt(text),
  link_entity: opt(text),
  value: opt(z.union([text, z.number(), z.boolean()])),
  taxonomy_term: opt(taxonomyTermSchema),
});

export const phoneSchema = z.looseObject({
  id,
  number: z.string().trim().min(1),
  type: opt(text),
  description: opt(text),
  extension: opt(num),
});

export const contactSchema = z.looseObject({
  id,
  name: opt(text),
  title: opt(text),
  department: opt(text),
  email: opt(text),
  phones: list(phoneSchema),
});

export const addressSchema = z.looseObject({
  id,
  attention: opt(text),
  address_1: z.string().trim().min(1),
  address_2: opt(text),
  city: z.string(),
  region: opt(text),
  state_province: z.string(),
  postal_code: z.string(),
  country: z.string(),
  address_type: z.enum(['physical', 'postal', 'virtual']),
});

export const accessibilitySchema = z.looseObject({
  id,
  description: opt(text),
  details: opt(text),
  url: opt(text),
});

export const locationSchema = z.looseObject({
  id,
  location_type: opt(text),
  name: opt(text),
  alternate_name: opt(text),
  description: opt(text),
  latitude: opt(num.pipe(z.number().min(-90).max(90))),
  longitude: opt(num.pipe(z.number().min(-180).max(180))),
  external_identifier: opt(text),
  external_identifier_type: opt(text),
  addresses: list(addressSchema),
  accessibility: list(accessibilitySchema),
  phones: list(phoneSchema),
});

export const scheduleSchema = z.looseObject({
  id,
  valid_from: opt(isoDate),
  valid_to: opt(isoDate),
  dtstart: opt(text),
  freq: opt(z.enum(['WEEKLY', 'MONTHLY'])),
  interval: opt(num),
  byday: opt(text),
  bymonthday: opt(text),
  opens_at: opt(text),
  closes_at: opt(text),
  description: opt(text),
  attending_type: opt(text),
  notes: opt(text),
});

export const serviceAtLocationSchema = z.looseObject({
  id,
  description: opt(text),
  location: opt(locationSchema),
  schedules: list(scheduleSchema),
});

export const serviceAreaSchema = z.looseObject({
  id,
  name: opt(text),
  service_area: opt(text),
  description: opt(text),
  extent: opt(text),
  extent_type: opt(text),
  uri: opt(text),
});

export const languageSchema = z.looseObject({
  id,
  name: opt(text),
  code: opt(text),
  note: opt(text),
});

export const costOptionSchema = z.looseObject({
  id,
  valid_from: opt(isoDate),
  valid_to: opt(isoDate),
  option: opt(text),
  amount: opt(num),
  currency: opt(text),
  amount_description: opt(text),
});

export const organizationIdentifierSchema = z.looseObject({
  id,
  identifier_scheme: opt(text),
  identifier_type: z.string().trim().min(1),
  identifier: z.string().trim().min(1),
});

export const organizationSchema = z.looseObject({
  id,
  name: z.string().trim().min(1),
  alternate_name: opt(text),
  description: z.string(),
  email: opt(text),
  website: opt(text),
  logo: opt(text),
  uri: opt(text),
  parent_organization_id: opt(id),
  organization_identifiers: list(organizationIdentifierSchema),
  phones: list(phoneSchema),
});

export const serviceSchema = z.looseObject({
  id,
  name: z.string().trim().min(1),
  status: z.enum(SERVICE_STATUSES),
  alternate_name: opt(text),
  description: opt(text),
  url: opt(text),
  email: opt(text),
  interpretation_services: opt(text),
  application_process: opt(text),
  fees_description: opt(text),
  fees: opt(text),
  eligibility_description: opt(text),
  minimum_age: opt(num),
  maximum_age: opt(num),
  accreditations: opt(text),
  assured_date: opt(isoDate),
  assurer_email: opt(text),
  alert: opt(text),
  last_modified: opt(isoDateTime),
  organization: opt(organizationSchema),
  phones: list(phoneSchema),
  schedules: list(scheduleSchema),
  service_areas: list(serviceAreaSchema),
  service_at_locations: list(serviceAtLocationSchema),
  languages: list(languageSchema),
  cost_options: list(costOptionSchema),
  contacts: list(contactSchema),
  attributes: list(attributeSchema),
});
export type OrukService = z.infer<typeof serviceSchema>;
export type OrukLocation = z.infer<typeof locationSchema>;
export type OrukOrganization = z.infer<typeof organizationSchema>;
export type OrukTaxonomyTerm = z.infer<typeof taxonomyTermSchema>;

/** The paging envelope of a list endpoint (`/services`); its items are checked one by one with `parseService`. */
export const pageSchema = z.looseObject({
  total_items: opt(num),
  total_pages: opt(num),
  page_number: opt(num),
  size: opt(num),
  first_page: opt(z.boolean()),
  last_page: opt(z.boolean()),
  empty: opt(z.boolean()),
  contents: z.array(z.unknown()),
});
export type OrukPage = z.infer<typeof pageSchema>;

export type ParsedRecord =
  | { readonly ok: true; readonly service: OrukService }
  | { readonly ok: false; readonly id?: string; readonly name?: string; readonly reasons: readonly string[] };

/** Checks one service record; a failure names each field that is wrong, e.g. `status: expected one of active, …`. */
export function parseService(input: unknown): ParsedRecord {
  const r = serviceSchema.safeParse(input);
  if (r.success) return { ok: true, service: r.data };
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const reasons = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${issueText(i)}`);
  return {
    ok: false,
    ...(typeof raw.id === 'string' || typeof raw.id === 'number' ? { id: String(raw.id) } : {}),
    ...(typeof raw.name === 'string' && raw.name.trim() ? { name: raw.name } : {}),
    reasons,
  };
}

function issueText(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_value') return `expected one of ${i.values.map(String).join(', ')}`;
  if ((i.code === 'invalid_type' || i.code === 'invalid_union') && i.input === undefined) return 'required';
  return i.message;
}

/** Checks a list page's envelope; throws with the reasons when it is not one (the feed, not a record, is broken). */
export function parsePage(input: unknown): OrukPage {
  const r = pageSchema.safeParse(input);
  if (!r.success) {
    throw new TypeError(`not an Open Referral UK page: ${r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}
