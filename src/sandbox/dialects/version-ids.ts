import { createHmac } from 'node:crypto';
import { FHIR_ID_CHARS, RESOURCE_TYPE_CHARS } from '../../referral-model/references.js';

/**
 * Opaque version ids for a sandbox server that stores integers: a UUID per (type, id, version), derived with a
 * keyed hash so it is stable across restarts and needs no table, and decodable only for the resource it was
 * made for. UUIDs of one resource do not sort like its versions, so a client that orders by `versionId` text
 * or parses it as a number fails here as it would against Medplum.
 */
export class VersionIdCodec {
  constructor(private readonly secret: string) {}

  private mac(text: string): Buffer {
    return createHmac('sha256', this.secret).update(text).digest();
  }

  /** Integer version `n` of `type/id` → a version-4-shaped UUID. */
  encode(type: string, id: string, n: string): string {
    const v = Number(n);
    if (!Number.isSafeInteger(v) || v < 0 || v > 0xffff_ffff_ffff) return n;
    const bytes = Buffer.alloc(16);
    this.mac(`${type}/${id}/${v}`).copy(bytes, 0, 0, 10);
    const mask = this.mac(`${type}/${id}`);
    bytes.writeUIntBE(v, 10, 6);
    for (let i = 10; i < 16; i++) bytes[i]! ^= mask[i]!;
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** A UUID this codec made for `type/id` → its integer version; undefined for anything else. */
  decode(type: string, id: string, uuid: string): string | undefined {
    const hex = uuid.toLowerCase().replace(/-/g, '');
    if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
    const bytes = Buffer.from(hex, 'hex');
    const mask = this.mac(`${type}/${id}`);
    for (let i = 10; i < 16; i++) bytes[i]! ^= mask[i]!;
    const n = String(bytes.readUIntBE(10, 6));
    return this.encode(type, id, n) === uuid.toLowerCase() ? n : undefined;
  }
}

/** A version no resource has: what an unknown opaque id becomes, so the server answers 412 / 404 as it should. */
export const NO_SUCH_VERSION = '0';

const HISTORY = new RegExp(`^(.*?)(${RESOURCE_TYPE_CHARS})/(${FHIR_ID_CHARS})/_history/(${FHIR_ID_CHARS})(\\b.*)?$`);
const ETAG = /^(W\/)?"([^"]*)"$/;
const REQUEST_TARGET = new RegExp(`^(${RESOURCE_TYPE_CHARS})/(${FHIR_ID_CHARS})(?:[/?]|$)`);

export type Direction = 'out' | 'in';

/** Rewrites the version in `…/Type/id/_history/v` (absolute or relative, with any suffix). */
export function rewriteHistoryUrl(url: string, codec: VersionIdCodec, dir: Direction): string {
  const m = HISTORY.exec(url);
  if (!m) return url;
  const [, prefix, type, id, v, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  return `${prefix}${type}/${id}/_history/${convert(codec, dir, type, id, v)}${rest ?? ''}`;
}

function convert(codec: VersionIdCodec, dir: Direction, type: string, id: string, v: string): string {
  return dir === 'out' ? codec.encode(type, id, v) : (codec.decode(type, id, v) ?? NO_SUCH_VERSION);
}

/** An ETag / If-Match value (`W/"v"`, `"v"` or bare) for `type/id`. */
export function rewriteEtag(value: string, type: string, id: string, codec: VersionIdCodec, dir: Direction): string {
  const m = ETAG.exec(value.trim());
  const v = m ? m[2]! : value.trim();
  return `W/"${convert(codec, dir, type, id, v)}"`;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Every version id in a FHIR JSON body: `meta.versionId` of each resource (at any depth: Bundle entries,
 * contained), and in Bundles `entry.response.etag` / `location` and `entry.request.ifMatch` / `url`.
 */
export function rewriteBody(body: unknown, codec: VersionIdCodec, dir: Direction): void {
  if (Array.isArray(body)) {
    for (const x of body) rewriteBody(x, codec, dir);
    return;
  }
  if (!isObj(body)) return;
  const type = typeof body.resourceType === 'string' ? body.resourceType : undefined;
  const id = typeof body.id === 'string' ? body.id : undefined;
  const meta = body.meta;
  if (type && id && isObj(meta) && typeof meta.versionId === 'string') {
    const v = convert(codec, dir, type, id, meta.versionId);
    if (dir === 'in' && v === NO_SUCH_VERSION) delete meta.versionId;
    else meta.versionId = v;
  }
  if (type === 'Bundle' && Array.isArray(body.entry)) {
    for (const e of body.entry) if (isObj(e)) rewriteEntry(e, codec, dir);
  }
  for (const [k, v] of Object.entries(body)) {
    if (k !== 'meta' && (Array.isArray(v) || isObj(v))) rewriteBody(v, codec, dir);
  }
}

function rewriteEntry(e: Json, codec: VersionIdCodec, dir: Direction): void {
  const response = e.response;
  if (isObj(response) && typeof response.location === 'string') {
    const m = HISTORY.exec(response.location);
    response.location = rewriteHistoryUrl(response.location, codec, dir);
    if (m && typeof response.etag === 'string') response.etag = rewriteEtag(response.etag, m[2]!, m[3]!, codec, dir);
  }
  const request = e.request;
  if (isObj(request) && typeof request.url === 'string') {
    const target = REQUEST_TARGET.exec(request.url.replace(/^https?:\/\/[^/]+(?:\/[^A-Z][^/]*)*\//, ''));
    request.url = rewriteHistoryUrl(request.url, codec, dir);
    if (target && typeof request.ifMatch === 'string') request.ifMatch = rewriteEtag(request.ifMatch, target[1]!, target[2]!, codec, dir);
  }
}
