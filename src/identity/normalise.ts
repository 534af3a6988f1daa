/**
 * Normal forms of the demographics people type and GP systems hold, so that comparing them is about the person and
 * not the keyboard: case, accents, hyphens, apostrophes and spacing never decide a match.
 */

/** Lower case, accents and other marks removed (NFKD), ß → ss, æ → ae, ø → o, ł → l. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd');
}

/** The parts of a name, folded: `Smith-Jones` and `smith jones` give `['smith', 'jones']`; `O'Connor` gives `['oconnor']`. */
export function nameParts(name: string | undefined): string[] {
  if (!name) return [];
  return fold(name)
    .replace(/['’‘`.]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((p) => p !== '');
}

/** A name as one folded token with every separator removed: `Smith-Jones` → `smithjones`. */
export function nameKey(name: string | undefined): string {
  return nameParts(name).join('');
}

/** A UK postcode without spaces, upper case (`fb1 2ab` → `FB12AB`); undefined when nothing is left. */
export function postcodeKey(postcode: string | undefined): string | undefined {
  const p = (postcode ?? '').replace(/\s+/g, '').toUpperCase();
  return p === '' ? undefined : p;
}

/**
 * The outward code of a UK postcode (the part before the space: `FB1` of `FB1 2AB`): the inward code is always a
 * digit and two letters, so it is the key without its last three characters.
 */
export function outwardCode(postcode: string | undefined): string | undefined {
  const k = postcodeKey(postcode);
  return k && k.length > 3 ? k.slice(0, -3) : undefined;
}

/** A calendar date `YYYY-MM-DD` that exists, or undefined (partial dates never verify anyone). */
export function fullDate(date: string | undefined): string | undefined {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date ? date : undefined;
}

/** The date with day and month swapped (`1980-03-07` → `1980-07-03`), when that is another real date. */
export function swappedDayMonth(date: string | undefined): string | undefined {
  const d = fullDate(date);
  if (!d) return undefined;
  const swapped = fullDate(`${d.slice(0, 4)}-${d.slice(8, 10)}-${d.slice(5, 7)}`);
  return swapped && swapped !== d ? swapped : undefined;
}

/** True when `a` becomes `b` by swapping one pair of neighbouring letters (`jmaal` / `jamal`). */
export function isAdjacentTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a.length < 2 || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
