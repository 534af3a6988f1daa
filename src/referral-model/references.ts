import { tryParseReference } from '@medplum/core';

/**
 * FHIR references and ids, read one way everywhere (FHIR R4 §2.3.0 "Resolving references", datatypes "id").
 * Servers write references relative (`Patient/1`), absolute (`https://ehr.example/fhir/Patient/1`) and versioned
 * (`…/_history/2`); ids are 1–64 of letters, digits, `-` and `.`, version ids too (any server may use UUIDs).
 */

/** The characters of a FHIR id or version id (R4 datatype `id`), for patterns that embed one. */
export const FHIR_ID_CHARS = '[A-Za-z0-9\\-.]{1,64}';
/** A FHIR id or version id, whole. As a pattern for zod and URL routes. */
export const FHIR_ID_PATTERN = new RegExp(`^${FHIR_ID_CHARS}$`);

export const isFhirId = (v: unknown): v is string => typeof v === 'string' && FHIR_ID_PATTERN.test(v);

/** The characters of a resource type name (`Patient`, `ServiceRequest`), for patterns that embed one. */
export const RESOURCE_TYPE_CHARS = '[A-Z][A-Za-z]{1,63}';
const RESOURCE_TYPE = new RegExp(`^${RESOURCE_TYPE_CHARS}$`);

/** True for a string shaped as a resource type name (known to this release of FHIR or not). */
export const isResourceTypeName = (v: unknown): v is string => typeof v === 'string' && RESOURCE_TYPE.test(v);

export interface ParsedReference {
  readonly resourceType: string;
  readonly id: string;
  /** The version of a versioned reference (`…/_history/v`). */
  readonly version?: string;
  /** The server base of an absolute reference, without a trailing slash; undefined for a relative one. */
  readonly base?: string;
}

/**
 * `Type/id`, `Type/id/_history/v`, or either under an absolute `http(s)` base → its parts; anything else
 * (contained `#x`, URNs, a malformed id or type, a query) → undefined.
 */
export function parseReference(reference: string | undefined): ParsedReference | undefined {
  if (!reference || reference.length > 4096 || /[\s?#]/.test(reference)) return undefined;
  const absolute = /^https?:\/\//i.test(reference);
  const segments = reference.replace(/\/+$/, '').split('/');
  let version: string | undefined;
  if (segments.length >= 4 && segments[segments.length - 2] === '_history') {
    version = segments.pop();
    segments.pop();
    if (!isFhirId(version)) return undefined;
  }
  if (segments.length < 2 || (!absolute && segments.length !== 2)) return undefined;
  const id = segments.pop()!;
  const type = segments.pop()!;
  const parsed = tryParseReference({ reference: `${type}/${id}` });
  if (!parsed || !RESOURCE_TYPE.test(parsed[0]) || !isFhirId(parsed[1])) return undefined;
  const base = absolute ? segments.join('/') : undefined;
  if (absolute && !/^https?:\/\/[^/]+/i.test(base ?? '')) return undefined;
  return { resourceType: parsed[0], id: parsed[1], ...(version !== undefined ? { version } : {}), ...(base !== undefined ? { base } : {}) };
}

/** A reference of one of `types` (relative or absolute), else undefined. */
export function parseReferenceOf(reference: string | undefined, ...types: string[]): ParsedReference | undefined {
  const p = parseReference(reference);
  return p && types.includes(p.resourceType) ? p : undefined;
}

/** The id a reference names when it is of `type` (`Patient/1`, `https://x/fhir/Patient/1/_history/2` → `1`). */
export const referencedId = (reference: string | undefined, type: string): string | undefined => parseReferenceOf(reference, type)?.id;

/**
 * A base URL as SP Link compares and joins them: scheme and host lower-cased (as URL does), default port dropped,
 * no trailing slash, path kept as written. Config applies it at load; code applies it to URLs from outside
 * (a launch's `iss`, a reference's base) before comparing them with configured ones.
 */
export function normaliseBaseUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}${u.search}`;
}

/** `base` joined with a relative path (`Patient/1`, `metadata`, `.well-known/…`) with exactly one slash. */
export const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;

/** True when `base` and `other` name the same server base (after normalising both). */
export function sameBase(base: string, other: string): boolean {
  try {
    return normaliseBaseUrl(base) === normaliseBaseUrl(other);
  } catch {
    return false;
  }
}

/** An absolute reference on `base` → relative (`https://ehr/fhir/Practitioner/1` → `Practitioner/1`); else unchanged. */
export function relativeToBase(reference: string, base: string): string {
  const p = parseReference(reference);
  if (p?.base === undefined || !sameBase(p.base, base)) return reference;
  return `${p.resourceType}/${p.id}${p.version !== undefined ? `/_history/${p.version}` : ''}`;
}

/** `Type/id` exactly (no base, no version), of one of `types`. */
export function isRelativeReferenceTo(value: string, ...types: string[]): boolean {
  const p = parseReferenceOf(value, ...types);
  return p !== undefined && p.base === undefined && p.version === undefined;
}
