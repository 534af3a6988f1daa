import type { Resource } from '@medplum/fhirtypes';
import { validateBaseR4 } from '../fhir/validate/index.js';

/**
 * The one place a sandbox server checks a resource before storing it (create, update, patch,
 * transaction and batch entries alike). Throws an `OperationOutcomeError` (→ 400) when invalid.
 * Base R4 as any FHIR server enforces it: structure, cardinality, invariants and every `required` binding of the
 * base specification (a Task.status of "bogus" is refused). SP Link's own profiles are not imposed: the sandbox
 * accepts what a real server would.
 */
export async function validateOnWrite(resource: Resource): Promise<void> {
  validateBaseR4(resource);
}
