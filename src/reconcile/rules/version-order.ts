/**
 * The order of a resource's versions. `meta.versionId` is an opaque id (FHIR R4 resource.html#Meta: any id;
 * Medplum uses UUIDs), so versions are ordered by `meta.lastUpdated`, which a server sets on every change, and
 * only then by the version id (numerically when both are integers). The key is a string whose bytewise order
 * is that order, so the store can compare keys too (`COLLATE "C"`).
 */
export function versionOrderKey(lastUpdated: string | undefined, versionId: string): string {
  return `${instantKey(lastUpdated)}|${/^\d{1,20}$/.test(versionId) ? `n:${versionId.padStart(20, '0')}` : `s:${versionId}`}`;
}

const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** A FHIR instant in UTC at nanosecond width (keeps sub-millisecond precision a server may give); '' when absent or invalid. */
export function instantKey(instant: string | undefined): string {
  const m = instant ? INSTANT.exec(instant) : null;
  if (!m) return '';
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return '';
  return `${new Date(seconds).toISOString().slice(0, 19)}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** The later / earlier of two order keys (bytewise, as the store compares them). */
export const laterKey = (a: string, b: string): string => (a >= b ? a : b);
export const earlierKey = (a: string, b: string): string => (a <= b ? a : b);
