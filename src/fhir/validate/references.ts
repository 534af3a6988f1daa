/** Works out which resource type a Reference points to, for reference-target checks. */
import { isResourceType } from '@medplum/core';
import type { Reference, Resource } from '@medplum/fhirtypes';
import { parseReference } from '../../referral-model/references.js';

/**
 * Resource type of a reference: from `reference` (relative, absolute, versioned or `#contained`),
 * else from `type`. Undefined when it cannot be known offline (urn:uuid without `type`, logical
 * reference without `type`).
 */
export function referencedType(ref: Reference, root: Resource): string | undefined {
  const literal = ref.reference;
  if (literal?.startsWith('#')) {
    const id = literal.slice(1);
    const contained = (root as { contained?: Resource[] }).contained?.find((c) => c.id === id);
    return contained?.resourceType;
  }
  if (literal && !literal.startsWith('urn:')) {
    const type = parseReference(literal)?.resourceType;
    if (type && isResourceType(type)) return type;
    // A search-style conditional reference, e.g. "Patient?identifier=…".
    const conditional = literal.split('?')[0]!;
    if (literal.includes('?') && isResourceType(conditional)) return conditional;
  }
  return ref.type;
}

/** Non-empty when `reference` and `type` disagree: the message to report. */
export function referenceTypeConflict(ref: Reference, root: Resource): string | undefined {
  if (!ref.type || !ref.reference || ref.reference.startsWith('urn:')) return undefined;
  const fromLiteral = referencedType({ reference: ref.reference }, root);
  return fromLiteral && fromLiteral !== ref.type
    ? `reference "${ref.reference}" is a ${fromLiteral} but its type says ${ref.type}`
    : undefined;
}
