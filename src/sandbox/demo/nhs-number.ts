import { nhsNumberCheckDigit } from '../../fhir/nhs-number.js';

/**
 * NHS numbers from the 999 range, which NHS England reserves for testing and never issues to
 * patients. Deterministic: the n-th call of the sequence always gives the same number.
 */
export function testNhsNumbers(count: number, start = 1): string[] {
  const out: string[] = [];
  for (let serial = start; out.length < count; serial++) {
    if (serial > 999_999) throw new RangeError('the 999 test range is exhausted');
    const firstNine = `999${String(serial).padStart(6, '0')}`;
    const check = nhsNumberCheckDigit(firstNine);
    // Serials whose check digit would be 10 are never valid NHS numbers; skip them.
    if (check !== undefined) out.push(`${firstNine}${check}`);
  }
  return out;
}

export { formatNhsNumber } from '../../fhir/nhs-number.js';
