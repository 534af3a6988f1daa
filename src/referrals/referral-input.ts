import { z } from 'zod';
import { ACCESSIBILITY_NEEDS, CONTACT_METHODS, NEEDS, URGENCIES } from '../referral-model/codes.js';
import type { FieldError } from '../errors.js';
import { FHIR_ID_PATTERN } from '../referral-model/references.js';
import { ETHNIC_CHOICES, FIRST_LANGUAGES, NOT_ANSWERED } from '../referral-model/equality.js';

/**
 * What the GP submits to create a referral. Messages are written for a GP reading them next to the
 * field, not for a developer. Cross-field rules (detail required when "other", safeguarding detail,
 * interpreter language) are checked in one pass so every problem is reported at once.
 */

const codes = <T extends readonly { code: string }[]>(list: T) =>
  list.map((c) => c.code) as [T[number]['code'], ...T[number]['code'][]];

const trimmed = (max: number, what: string) =>
  z
    .string({ error: `Enter ${what} as text` })
    .trim()
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} must be ${max} characters or fewer`);

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
/** `2026-02-31` parses in JS (it rolls over), so compare the round trip. */
const isRealDate = (d: string) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
};

const YES_NO = ['yes', 'no', ...NOT_ANSWERED] as const;

/**
 * Equality monitoring, asked only where the GP record lacks it (src/referral-model/equality.ts): every question
 * optional, each allowing "prefer not to say" and "not asked". Unknown keys are refused, so a misspelt question is
 * an error rather than an answer silently lost.
 */
export const equalityInputSchema = z
  .strictObject(
    {
      ethnicity: z.enum([...codes(ETHNIC_CHOICES), ...NOT_ANSWERED], { error: 'Choose an ethnic group from the list, prefer not to say, or not asked' }).optional(),
      disability: z.enum(YES_NO, { error: 'Answer yes, no, prefer not to say, or not asked for disability' }).optional(),
      firstLanguage: z.enum([...codes(FIRST_LANGUAGES), ...NOT_ANSWERED], { error: 'Choose a first language from the list, prefer not to say, or not asked' }).optional(),
      interpreter: z.enum(YES_NO, { error: 'Answer yes, no, prefer not to say, or not asked for an interpreter' }).optional(),
    },
    { error: 'Equality monitoring answers are not in the expected form' },
  )
  .optional();

export const referralInputSchema = z
  .object({
    patientId: z.string({ error: 'The patient is missing; relaunch SP Link from the patient record' }).min(1),
    /** One per filled-in form (the app makes it): sending the same form twice sends one referral. */
    submissionId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,64}$/, 'The form’s submission id is not valid; reload SP Link and try again')
      .optional(),
    needs: z
      .array(z.enum(codes(NEEDS), { error: 'Choose needs from the list' }), { error: 'Select at least one need or concern' })
      .min(1, 'Select at least one need or concern')
      .max(NEEDS.length)
      .refine((a) => new Set(a).size === a.length, 'Each need can be selected once'),
    otherNeed: trimmed(200, 'the other need').optional(),
    whatMatters: trimmed(2000, 'what matters to the person').optional(),
    urgency: z.enum(codes(URGENCIES), { error: 'Choose routine, soon or urgent' }).default('routine'),
    consent: z.object(
      {
        given: z.literal(true, { error: 'The person must agree to the referral before you send it' }),
        date: z
          .string({ error: 'Enter the date consent was given' })
          .regex(isoDate, 'Enter the date consent was given, for example 2026-11-24')
          .refine(isRealDate, 'Enter a real date')
          .refine((d) => d <= new Date().toISOString().slice(0, 10), 'The consent date cannot be in the future'),
        /** Who recorded the consent, when not the launching clinician (e.g. a nurse earlier today). */
        recordedBy: trimmed(120, 'who recorded consent').optional(),
      },
      { error: 'Record that the person agreed to the referral' },
    ),
    contact: z.object(
      {
        methods: z
          .array(z.enum(codes(CONTACT_METHODS), { error: 'Choose contact methods from the list' }), {
            error: 'Select how the link worker may contact the person',
          })
          .min(1, 'Select how the link worker may contact the person'),
        safeTimes: trimmed(200, 'safe times to contact').optional(),
        leaveMessage: z.boolean({ error: 'Say whether a message may be left' }).default(false),
      },
      { error: 'Select how the link worker may contact the person' },
    ),
    accessibility: z
      .object({
        needs: z.array(z.enum(codes(ACCESSIBILITY_NEEDS), { error: 'Choose accessibility needs from the list' })).default([]),
        /** BCP 47 tag or a language name, required for a spoken-language interpreter. */
        language: trimmed(60, 'the interpreter language').optional(),
        detail: trimmed(500, 'accessibility detail').optional(),
      })
      .default({ needs: [] }),
    safeguarding: z.object(
      {
        concern: z.boolean({ error: 'Answer yes or no to the safeguarding question' }),
        detail: trimmed(1000, 'the safeguarding detail').optional(),
      },
      { error: 'Answer yes or no to the safeguarding question' },
    ),
    service: z.discriminatedUnion(
      'kind',
      [
        z.object({ kind: z.literal('link-worker-decides') }),
        z.object({
          kind: z.literal('directory'),
          healthcareServiceId: z
            .string({ error: 'Choose a service from the directory' })
            .regex(FHIR_ID_PATTERN, 'Choose a service from the directory'),
        }),
      ],
      { error: 'Choose a service, or let the link worker decide' },
    ),
    equality: equalityInputSchema,
  })
  .superRefine((v, ctx) => {
    if (v.needs.includes('other') && !v.otherNeed) {
      ctx.addIssue({ code: 'custom', path: ['otherNeed'], message: 'Describe the other need' });
    }
    if (v.safeguarding.concern && !v.safeguarding.detail) {
      ctx.addIssue({ code: 'custom', path: ['safeguarding', 'detail'], message: 'Describe the safeguarding concern' });
    }
    if (v.accessibility.needs.includes('interpreter') && !v.accessibility.language) {
      ctx.addIssue({ code: 'custom', path: ['accessibility', 'language'], message: 'Enter the language the person needs an interpreter for' });
    }
    if (v.accessibility.needs.includes('other') && !v.accessibility.detail) {
      ctx.addIssue({ code: 'custom', path: ['accessibility', 'detail'], message: 'Describe the accessibility need' });
    }
  });

export type ReferralInput = z.output<typeof referralInputSchema>;
export type ReferralInputRaw = z.input<typeof referralInputSchema>;

/** Field-level errors keyed by dotted path (`consent.date`), one message per field. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    // `service.kind` is the union's discriminator: to the GP it is the service question itself.
    const path = (issue.path.filter((p) => typeof p !== 'number').map(String).join('.') || '(body)').replace(/^service\.kind$/, 'service');
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, message: issue.message });
  }
  return out;
}

export type ParsedReferral = { ok: true; value: ReferralInput } | { ok: false; fields: FieldError[] };

export function parseReferralInput(body: unknown): ParsedReferral {
  const r = referralInputSchema.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, fields: toFieldErrors(r.error) };
}

/** Safeguarding raises the urgency to the highest level (docs/PROFILES.md, "Safeguarding concern"). */
export function effectiveUrgency(input: Pick<ReferralInput, 'urgency' | 'safeguarding'>): ReferralInput['urgency'] {
  return input.safeguarding.concern ? 'urgent' : input.urgency;
}
