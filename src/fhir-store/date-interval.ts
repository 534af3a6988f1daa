/**
 * FHIR dates as intervals. A date, dateTime or instant stands for the whole interval its precision names
 * (R4 search.html#date): `2026` is that year, `2026-11-24` that day, `2026-11-24T10:00:00Z` that second. Search
 * values and stored values both become [start, end) in epoch milliseconds.
 */
const PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The interval [start, end) in epoch ms that a FHIR date/dateTime/instant covers, or undefined if malformed. */
export function valueInterval(value: string): [number, number] | undefined {
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (h !== undefined && zone === undefined) return undefined; // a time needs a zone in FHIR
  const start = Date.parse(h === undefined ? `${y}-${mo ?? '01'}-${d ?? '01'}T00:00:00Z` : `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${zone}`);
  if (Number.isNaN(start)) return undefined;
  if (frac) return [start, start + 10 ** (3 - Math.min(frac.length - 1, 3))];
  if (s !== undefined) return [start, start + 1000];
  if (h !== undefined) return [start, start + 60_000];
  const next = new Date(start);
  if (d !== undefined) next.setUTCDate(next.getUTCDate() + 1);
  else if (mo !== undefined) next.setUTCMonth(next.getUTCMonth() + 1);
  else next.setUTCFullYear(next.getUTCFullYear() + 1);
  return [start, next.getTime()];
}
