/**
 * NHS number checks (NHS Data Dictionary, "NHS Number"): ten digits, the last a Modulus 11 check
 * digit over the first nine with weights 10..2. A remainder giving check digit 10 means the
 * number was never issued, so it is invalid.
 */

/** The check digit for the first nine digits, or undefined when no valid NHS number starts with them. */
export function nhsNumberCheckDigit(firstNine: string): number | undefined {
  if (!/^\d{9}$/.test(firstNine)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

/** Strips the spaces or hyphens people type (`943 476 5919`, `943-476-5919`). */
export function normaliseNhsNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/** True when `input` (spaces/hyphens allowed) is ten digits with a correct Modulus 11 check digit. */
export function nhsNumberIsValid(input: string): boolean {
  const digits = normaliseNhsNumber(input);
  if (!/^\d{10}$/.test(digits)) return false;
  return nhsNumberCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** The display form people read and type back, in 3-3-4 groups (`999 123 4560`); anything else is shown as given. */
export function formatNhsNumber(n: string | undefined): string {
  return n && /^\d{10}$/.test(n) ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : (n ?? '');
}
