import { evalFhirPathTyped, getParsedExpressionForResourceType, getSearchParameters, toTypedValue } from '@medplum/core';
import type { TypedValue } from '@medplum/core';
import type {
  Address,
  CodeableConcept,
  Coding,
  ContactPoint,
  HumanName,
  Identifier,
  Period,
  Quantity,
  Reference,
  Resource,
  SearchParameter,
} from '@medplum/fhirtypes';
import { parseReference, sameBase } from '../referral-model/references.js';
import { valueInterval } from './date-interval.js';

/** One search-index row (table `fhir_search_index`, migration 200); absent columns are NULL. */
export interface IndexRow {
  code: string;
  system?: string;
  value?: string;
  exact?: string;
  low?: string;
  high?: string;
  num?: number;
}

/** Parameter types the store indexes; `composite` and `special` are not indexed (searching on them is refused). */
export const INDEXED_TYPES = new Set(['token', 'reference', 'date', 'string', 'uri', 'number', 'quantity']);

/** Lower case, accents removed: FHIR string search is case- and accent-insensitive (R4 search.html#string). */
export function normalizeString(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** How a reference is indexed and searched (see `referenceKey`). */
export interface ReferenceKey {
  /** `Type/id` when relative or on this server's own base, otherwise the absolute URL; never a version. */
  readonly value: string;
  /** The same with `/_history/[vid]`, when the reference names a version. */
  readonly versioned?: string;
  /** The target type, when the reference names one. */
  readonly type?: string;
}

/**
 * How a reference is indexed and searched: `Type/id` when relative or on this server's own base, otherwise the
 * absolute URL. A versioned reference (`…/_history/2`) is indexed both with and without its version, so a
 * search for the resource finds it and a search for that version finds only references to that version.
 */
export function referenceKey(reference: string, ownBase?: string): ReferenceKey {
  const p = parseReference(reference);
  if (!p) return { value: reference };
  const local = p.base === undefined || (ownBase !== undefined && (p.base === ownBase || sameBase(p.base, ownBase)));
  const value = local ? `${p.resourceType}/${p.id}` : `${p.base}/${p.resourceType}/${p.id}`;
  return { value, ...(p.version ? { versioned: `${value}/_history/${p.version}` } : {}), type: p.resourceType };
}

/**
 * Every index row of a resource, for the base R4 search parameters of its type (plus `_profile`, `_tag` etc.).
 * A parameter whose expression selects only from elements the resource does not have is not evaluated (most of a
 * type's parameters, for a typical resource): `everyParameter` evaluates them all, to check that shortcut.
 */
export function indexRows(resource: Resource, ownBase?: string, o: { everyParameter?: boolean } = {}): IndexRow[] {
  const params = getSearchParameters(resource.resourceType) ?? {};
  const originals = new WeakMap<object, string>();
  const typed = [toTypedValue(relativized(resource, originals))];
  const rows: IndexRow[] = [];
  const seen = new Set<string>();
  const elements = Object.keys(resource);
  for (const param of Object.values(params)) {
    if (!INDEXED_TYPES.has(param.type) || !param.expression || param.code === '_id' || param.code === '_lastUpdated') continue;
    const roots = o.everyParameter ? undefined : rootsOf(resource.resourceType, param);
    if (roots && !roots.some((root) => elements.some((e) => hasElement(e, root)))) continue;
    let values: TypedValue[];
    try {
      values = evalFhirPathTyped(getParsedExpressionForResourceType(resource.resourceType, param.expression), typed);
    } catch {
      continue; // an expression this FHIRPath engine cannot evaluate on this resource indexes nothing
    }
    for (const v of values) {
      for (const row of rowsOf(param, v, ownBase, originals)) {
        const key = JSON.stringify(row);
        if (!seen.has(key)) {
          seen.add(key);
          rows.push(row);
        }
      }
    }
  }
  return rows;
}

const rootCache = new Map<string, readonly string[] | null>();

/**
 * The top-level elements of `resourceType` that a parameter's expression can select anything from, when it is a
 * union of paths `Type.element…` (each perhaps in parentheses, narrowed by `where`, `ofType`, `as`, `resolve()` or
 * `first()`, none of which makes a value from nothing); undefined for any other expression (such as `iif(…)` or
 * `deceased.exists() and …`, true or false with no element at all), which is always evaluated. Paths from other
 * types select nothing on this one.
 */
function rootsOf(resourceType: string, param: SearchParameter): readonly string[] | undefined {
  const key = `${resourceType}\0${param.code}\0${param.expression}`;
  let roots = rootCache.get(key);
  if (roots === undefined) {
    roots = parseRoots(resourceType, param.expression ?? '');
    rootCache.set(key, roots);
  }
  return roots ?? undefined;
}

function parseRoots(resourceType: string, expression: string): string[] | null {
  const roots: string[] = [];
  for (const alternative of splitUnion(expression)) {
    const m = PATH.exec(withoutWhere(alternative).trim());
    if (!m) return null;
    if (m[1] === resourceType || m[1] === 'Resource' || m[1] === 'DomainResource') roots.push(m[2]!);
  }
  return roots;
}

const PATH = /^\(*\s*([A-Za-z]+)\.([A-Za-z]+)(?:\.[A-Za-z]+|\.(?:ofType|as)\([A-Za-z]+\)|\.(?:resolve|first)\(\)|\s+as\s+[A-Za-z]+|\s*\))*$/;

/** The expression without its `.where(…)` filters (which only ever narrow what the path before them selects). */
function withoutWhere(expression: string): string {
  let out = expression;
  for (let at = out.indexOf('.where('); at >= 0; at = out.indexOf('.where(')) {
    let depth = 0;
    let end = at + '.where'.length;
    for (; end < out.length; end++) {
      if (out[end] === '(') depth++;
      else if (out[end] === ')' && --depth === 0) break;
    }
    out = out.slice(0, at) + out.slice(end + 1);
  }
  return out;
}

/** The alternatives of a FHIRPath union at the top level (a `|` inside parentheses or quotes stays). */
function splitUnion(expression: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(expression.slice(start, i));
      start = i + 1;
    }
  }
  out.push(expression.slice(start));
  return out;
}

/** Whether JSON property `key` holds element `root`: itself, its primitive extension `_root`, or a choice `rootX`. */
function hasElement(key: string, root: string): boolean {
  if (key === root || key === `_${root}`) return true;
  const name = key.startsWith('_') ? key.slice(1) : key;
  return name.length > root.length && name.startsWith(root) && /[A-Z]/.test(name[root.length]!);
}

/**
 * A copy of the resource in which absolute references read `Type/id`, so that expressions such as
 * `subject.where(resolve() is Patient)` (FHIRPath resolve() reads only relative references) select them too;
 * `originals` maps each rewritten Reference back to what was written.
 */
function relativized<T>(value: T, originals: WeakMap<object, string>): T {
  if (Array.isArray(value)) return value.map((v: unknown) => relativized(v, originals)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = relativized(v, originals);
  const ref = out.reference;
  if (typeof ref === 'string') {
    const abs = parseReference(ref);
    if (abs?.base !== undefined) {
      out.reference = `${abs.resourceType}/${abs.id}`;
      originals.set(out, ref);
    }
  }
  return out as T;
}

function rowsOf(param: SearchParameter, tv: TypedValue, ownBase: string | undefined, originals: WeakMap<object, string>): IndexRow[] {
  const code = param.code;
  const v: unknown = tv.value;
  if (v === undefined || v === null) return [];
  switch (param.type) {
    case 'token':
      return tokenRows(code, tv.type, v);
    case 'reference': {
      const ref = typeof v === 'string' ? v : (originals.get(v as object) ?? (v as Reference).reference);
      if (!ref) return [];
      const key = referenceKey(ref, ownBase);
      const row = { code, value: key.value, system: key.type };
      return key.versioned ? [row, { ...row, value: key.versioned }] : [row];
    }
    case 'string':
      return stringValues(tv.type, v).map((s) => ({ code, value: normalizeString(s), exact: s }));
    case 'uri':
      return typeof v === 'string' ? [{ code, value: v }] : [];
    case 'date':
      return dateRows(code, tv.type, v);
    case 'number':
      return typeof v === 'number' ? [{ code, num: v }] : [];
    case 'quantity': {
      if (typeof v === 'number') return [{ code, num: v }];
      const q = v as Quantity;
      return typeof q.value === 'number' ? [{ code, num: q.value, system: q.system, value: q.code ?? q.unit }] : [];
    }
    case 'composite':
    case 'special':
      return [];
  }
}

function tokenRows(code: string, type: string, v: unknown): IndexRow[] {
  switch (type) {
    case 'Identifier': {
      const i = v as Identifier;
      return i.value ? [{ code, system: i.system, value: i.value }] : [];
    }
    case 'CodeableConcept':
      return ((v as CodeableConcept).coding ?? []).flatMap((c) => tokenRows(code, 'Coding', c));
    case 'Coding': {
      const c = v as Coding;
      return c.code ? [{ code, system: c.system, value: c.code }] : [];
    }
    case 'ContactPoint': {
      const c = v as ContactPoint;
      return c.value ? [{ code, system: c.system, value: c.value }] : [];
    }
    default:
      return typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' ? [{ code, value: String(v) }] : [];
  }
}

function stringValues(type: string, v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (type === 'HumanName') {
    const n = v as HumanName;
    return [n.text, n.family, ...(n.given ?? []), ...(n.prefix ?? []), ...(n.suffix ?? [])].filter((s): s is string => !!s);
  }
  if (type === 'Address') {
    const a = v as Address;
    return [a.text, ...(a.line ?? []), a.city, a.district, a.state, a.postalCode, a.country].filter((s): s is string => !!s);
  }
  return [];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function dateRows(code: string, type: string, v: unknown): IndexRow[] {
  if (typeof v === 'string') {
    const interval = valueInterval(v);
    return interval ? [{ code, low: iso(interval[0]), high: iso(interval[1]) }] : [];
  }
  if (type === 'Period') {
    const p = v as Period;
    const start = p.start ? valueInterval(p.start) : undefined;
    const end = p.end ? valueInterval(p.end) : undefined;
    if (!start && !end) return [];
    return [{ code, low: start ? iso(start[0]) : '-infinity', high: end ? iso(end[1]) : 'infinity' }];
  }
  return [];
}
