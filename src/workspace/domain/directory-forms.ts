import { z } from 'zod';
import { parsed, type Parsed } from './schemas.js';
import type { CapacityUpdate, ReportKind, ServiceChange } from '../../directory/stewardship.js';
import { FHIR_ID_PATTERN } from '../../referral-model/references.js';

/**
 * The forms that keep the directory true, as posted (every value a string): a link worker's report, a provider's
 * capacity, a manager's recorded change. Each parse gives the typed input or one message per field; nothing is
 * written on bad input.
 */

/** Longest wait a service may give, in days (a year). */
export const MAX_WAIT_DAYS = 365;

const note = z.string().trim().max(1000, 'Must be 1000 characters or fewer').optional().transform((s) => (s ? s : undefined));
const caseId = z.string().regex(FHIR_ID_PATTERN).optional().catch(undefined);

const reportSchema = z.object({
  kind: z.enum(['closed', 'changed'], { error: 'Say whether the service has closed or its details have changed' }),
  note,
  case: caseId,
});
export const parseServiceReport = (body: Record<string, unknown>): Parsed<{ kind: ReportKind; note?: string; case?: string }> =>
  parsed(reportSchema.safeParse(body)) as Parsed<{ kind: ReportKind; note?: string; case?: string }>;

const waitDays = z
  .string()
  .trim()
  .max(4, `Enter a wait of ${MAX_WAIT_DAYS} days or fewer`)
  .optional()
  .refine((s) => !s || /^\d+$/.test(s), 'Enter the wait in days as a whole number, for example 14')
  .transform((s) => (s ? Number(s) : undefined))
  .refine((n) => n === undefined || n <= MAX_WAIT_DAYS, `Enter a wait of ${MAX_WAIT_DAYS} days or fewer`);

const accepting = z.enum(['yes', 'no'], { error: 'Say whether the service is taking new referrals' }).transform((v) => v === 'yes');

const capacitySchema = z.object({ accepting, waitDays });
export function parseCapacity(body: Record<string, unknown>): Parsed<CapacityUpdate> {
  const r = parsed(capacitySchema.safeParse(body));
  return r.ok ? { ok: true, value: { acceptingReferrals: r.value.accepting, ...(r.value.waitDays !== undefined ? { waitDays: r.value.waitDays } : {}) } } : r;
}

/** A UK phone number as people write it: digits, spaces, brackets, a leading +. */
const PHONE = /^\+?[\d\s()-]{6,20}$/;
const changeSchema = z.object({
  phone: z.string().trim().max(30, 'Must be 30 characters or fewer').refine((s) => s === '' || PHONE.test(s), 'Enter a phone number, like 01632 960 123').default(''),
  email: z.string().trim().max(254, 'Must be 254 characters or fewer').refine((s) => s === '' || z.email().safeParse(s).success, 'Enter an email address, like name@example.org').default(''),
  website: z.string().trim().max(500, 'Must be 500 characters or fewer').refine((s) => s === '' || /^https?:\/\/[^\s]+\.[^\s]+$/.test(s), 'Enter the website address starting https://').default(''),
  description: z.string().trim().max(2000, 'Must be 2000 characters or fewer').default(''),
  accepting,
  waitDays,
});
export function parseServiceChange(body: Record<string, unknown>): Parsed<ServiceChange> {
  const r = parsed(changeSchema.safeParse(body));
  if (!r.ok) return r;
  const { accepting: acceptingReferrals, waitDays: wait, ...rest } = r.value;
  return { ok: true, value: { ...rest, acceptingReferrals, ...(wait !== undefined ? { waitDays: wait } : {}) } };
}
