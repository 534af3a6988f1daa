import type { Extension, HealthcareService } from '@medplum/fhirtypes';
import { EXTENSION, EXTENSION_PART } from '../referral-model/codes.js';
import { formatLondonDate } from '../time/london.js';

/**
 * When a directory service's details were last checked, and by whom (the `service-verification` extension), in one
 * place: reading and writing it, when a service counts as stale, and the one label every surface shows (the GP app's
 * picker, the workspace's onward picker, the service manager's pages, the provider portal).
 */

/** Who can vouch for a service's details: its directory feed, the provider itself, a link worker, the service manager. */
export const VERIFIERS = ['feed', 'provider', 'link-worker', 'manager'] as const;
export type Verifier = (typeof VERIFIERS)[number];

export interface Verification {
  readonly date: string;
  readonly by: Verifier;
  /** The feed (and its assurer), or the person's name. */
  readonly who?: string;
}

const BY_WORDS: Record<Verifier, string> = {
  feed: 'the directory feed',
  provider: 'the provider',
  'link-worker': 'a link worker',
  manager: 'the service manager',
};

const DAY_MS = 86_400_000;
const isVerifier = (v: unknown): v is Verifier => typeof v === 'string' && (VERIFIERS as readonly string[]).includes(v);

/** The `service-verification` extension of a service, when it carries a readable one. */
export function verificationOf(hs: Pick<HealthcareService, 'extension'>): Verification | undefined {
  const parts = hs.extension?.find((e) => e.url === EXTENSION.serviceVerification)?.extension ?? [];
  const P = EXTENSION_PART.serviceVerification;
  const date = parts.find((p) => p.url === P.date)?.valueDateTime;
  const by = parts.find((p) => p.url === P.by)?.valueCode;
  if (!date || Number.isNaN(Date.parse(date)) || !isVerifier(by)) return undefined;
  const who = parts.find((p) => p.url === P.who)?.valueString;
  return { date, by, ...(who ? { who } : {}) };
}

export function verificationExtension(v: Verification): Extension {
  const P = EXTENSION_PART.serviceVerification;
  return {
    url: EXTENSION.serviceVerification,
    extension: [
      { url: P.date, valueDateTime: v.date },
      { url: P.by, valueCode: v.by },
      ...(v.who ? [{ url: P.who, valueString: v.who }] : []),
    ],
  };
}

/** The service checked now: its verification replaced, everything else as it was. Pure. */
export function withVerification<T extends Pick<HealthcareService, 'extension'>>(hs: T, v: Verification): T {
  const others = (hs.extension ?? []).filter((e) => e.url !== EXTENSION.serviceVerification);
  return { ...hs, extension: [verificationExtension(v), ...others] };
}

/** Not checked within `staleAfterDays` of `now` (never checked counts as stale). */
export function isStale(v: Verification | undefined, now: Date, staleAfterDays: number): boolean {
  const at = v ? Date.parse(v.date) : Number.NaN;
  return !(at >= now.getTime() - staleAfterDays * DAY_MS);
}

/** "Last checked 1 Dec 2026 by the provider (Gail Hughes)", or "Not checked yet": the one wording of a verification. */
export function verificationLabel(v: Verification | undefined): string {
  if (!v) return 'Not checked yet';
  return `Last checked ${formatLondonDate(v.date)} by ${BY_WORDS[v.by]}${v.who ? ` (${v.who})` : ''}`;
}
