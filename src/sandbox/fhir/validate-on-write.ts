import { validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

/**
 * The one place a sandbox server checks a resource before storing it (create, update, patch,
 * transaction and batch entries alike). Throws an `OperationOutcomeError` (→ 400) when invalid.
 * Base R4 structure is checked here; SP Link profile validation plugs in alongside it.
 */
export async function validateOnWrite(resource: Resource): Promise<void> {
  validateResource(resource);
}
