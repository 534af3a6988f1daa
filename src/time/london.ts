/**
 * Calendar days as people in England count them. Dates shown to or entered by users (the day a session took place,
 * "3 days ago", "today") are Europe/London calendar dates, not UTC ones: between midnight and 1 a.m. in summer the
 * UTC date is still yesterday, which made relative dates a day off. Instants stay ISO timestamps; only the
 * calendar-day questions go through here.
 */

export const LONDON = 'Europe/London';

const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: LONDON, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Europe/London calendar date (YYYY-MM-DD) of an instant. */
export function londonDate(at: Date): string {
  return ymd.format(at);
}

/** A calendar date plus whole months; the 31st of a shorter month becomes its last day. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** Whole days from a calendar date (YYYY-MM-DD) to another; negative when `to` is earlier. */
export function daysBetweenDates(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The calendar date of a FHIR date or dateTime in Europe/London: a date-only value is already a calendar date; a
 * dateTime is an instant. undefined when the value is not a date.
 */
export function londonDateOf(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : londonDate(new Date(t));
}

/** Calendar days (Europe/London) from a FHIR date or dateTime to `now`: 0 = today, 1 = yesterday. */
export function londonDaysAgo(value: string, now: Date): number | undefined {
  const day = londonDateOf(value);
  return day === undefined ? undefined : daysBetweenDates(day, londonDate(now));
}

/** "today", "yesterday", "3 days ago" (future dates count as today). */
export function relativeDays(days: number): string {
  if (days <= 0) return 'today';
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

/** Built once: a formatter per call (toLocaleDateString with options) costs tens of microseconds each time. */
const dayMonthYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "1 Dec 2026": a FHIR date or dateTime as its Europe/London calendar date. '' for no value; the raw value if unreadable. */
export function formatLondonDate(value: string | undefined): string {
  if (!value) return '';
  const day = londonDateOf(value);
  if (!day) return value;
  return dayMonthYear.format(new Date(`${day}T12:00:00Z`));
}

/** "1 Dec 2026, 14:05": an instant in Europe/London. */
export function formatLondonDateTime(value: string | undefined): string {
  if (!value) return '';
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  const d = new Date(t);
  return `${formatLondonDate(londonDate(d))}, ${d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: LONDON })}`;
}
