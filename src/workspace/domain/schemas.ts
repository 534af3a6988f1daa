import { z } from 'zod';
import { CONTACT_METHODS, INSTRUMENTS, NEEDS, SESSION_MODES, SOCIAL_OUTCOMES, STATUS_REASONS, scoreRange, findInstrument } from '../../referral-model/codes.js';
import { MAX_ITEM_TEXT } from '../../referral-model/outcome-observation.js';
import { FHIR_ID_PATTERN, isRelativeReferenceTo } from '../../referral-model/references.js';

/**
 * Input schemas of the workspace actions, as posted by the HTML forms (every value a string).
 * `parseAction` returns either the typed input or one message per form field, so the page can show
 * field-level errors and nothing is written.
 */

const codes = <T extends readonly { code: string }[]>(list: T) => list.map((c) => c.code) as [T[number]['code'], ...T[number]['code'][]];
const text = (max: number) => z.string().trim().max(max, `Must be ${max} characters or fewer`);
const required = (label: string, max: number) => text(max).min(1, `Enter ${label}`);
const optionalText = (max: number) => text(max).optional().transform((s) => (s ? s : undefined));
const choose = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z.enum(values, { error: `Select ${label}` });

/**
 * Reasons a link worker may give when declining or closing: referrer-only reasons are excluded, and so are those SP
 * Link records for other systems' Tasks that gave no reason in its terms.
 */
export const LINK_WORKER_REASONS = STATUS_REASONS.filter((r) => r.by === 'patient' || r.by === 'link-worker');
const reasonCodes = codes(LINK_WORKER_REASONS);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar date (YYYY-MM-DD) that is real and not after `today` (YYYY-MM-DD, Europe/London). */
const pastDate = (label: string, today: string) =>
  z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .refine((s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
      message: `The ${label} must be a real date`,
      abort: true,
    })
    .refine((s) => s <= today, { message: `The ${label} must be today or in the past` });

/** The recorded measure a correction is about, and the version of it the user saw (hidden form fields). */
const observationId = z.string({ error: 'Select the outcome measure' }).regex(FHIR_ID_PATTERN, 'Select the outcome measure');
const versionId = z.string({ error: 'Reload the page and try again' }).regex(FHIR_ID_PATTERN, 'Reload the page and try again');

/** Directory services ticked on a form (HealthcareService ids), none or up to 20. */
const directoryServices = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter(Boolean))
  .pipe(z.array(z.string().regex(FHIR_ID_PATTERN, 'Select services from the directory')).max(20, 'Select 20 services or fewer'));

/** Actions that change a recorded outcome measure rather than add to the case. */
export const OUTCOME_FIXES = ['correct-outcome', 'outcome-error'] as const;
export type OutcomeFix = (typeof OUTCOME_FIXES)[number];
export const isOutcomeFix = (a: string): a is OutcomeFix => (OUTCOME_FIXES as readonly string[]).includes(a);

/** Actions whose form carries scores (`score-…` fields) checked against the instrument's ranges. */
const SCORED = new Set<string>(['outcome', 'correct-outcome']);

export function actionSchemas(today: string) {
  return {
    accept: z.object({}),
    decline: z.object({ reason: choose(reasonCodes, 'a reason for declining'), note: optionalText(1000) }),
    assign: z.object({ linkWorker: z.string({ error: 'Select a link worker' }).trim().refine((v) => isRelativeReferenceTo(v, 'PractitionerRole'), 'Select a link worker') }),
    contact: z.object({
      date: pastDate('date of the attempt', today),
      method: choose(codes(CONTACT_METHODS), 'how you tried to make contact'),
      outcome: choose(['successful', 'unsuccessful'] as const, 'whether you made contact'),
      note: optionalText(1000),
    }),
    session: z.object({
      date: pastDate('session date', today),
      mode: choose(codes(SESSION_MODES), 'how the session took place'),
      durationMinutes: z.coerce
        .number({ error: 'Enter the duration in minutes' })
        .int('Enter the duration as a whole number of minutes')
        .min(5, 'The duration must be at least 5 minutes')
        .max(480, 'The duration must be 480 minutes or fewer'),
      notes: optionalText(4000),
    }),
    plan: z.object({
      whatMatters: required('what matters to the person', 2000),
      goals: required('at least one goal', 2000).transform((s) =>
        s.split(/\r?\n/).map((g) => g.trim()).filter(Boolean),
      ),
      services: directoryServices,
    }),
    outcome: z.object({
      instrument: choose(codes(INSTRUMENTS), 'the outcome measure'),
      date: pastDate('date the measure was taken', today),
      scores: z.record(z.string(), z.string()),
    }),
    'correct-outcome': z.object({
      observation: observationId,
      observationVersion: versionId,
      instrument: choose(codes(INSTRUMENTS), 'the outcome measure'),
      reason: required('why the score is being corrected', 1000),
      scores: z.record(z.string(), z.string()),
    }),
    'outcome-error': z.object({
      observation: observationId,
      observationVersion: versionId,
      reason: required('why this measure was recorded in error', 1000),
    }),
    safeguarding: z.object({ detail: required('what the concern is', 2000) }),
    needs: z.object({
      needs: z
        .union([z.string(), z.array(z.string())], { error: 'Select at least one need' })
        .transform((v) => (Array.isArray(v) ? v : [v]).filter(Boolean))
        .pipe(z.array(z.enum(codes(NEEDS), { error: 'Select needs from the list' })).min(1, 'Select at least one need').max(20, 'Select 20 needs or fewer')),
      reason: required('why the needs have changed', 1000),
    }),
    complete: z.object({
      summary: required('a summary for the GP', 4000),
      // Social outcomes at closing (referral-model/social-outcome.ts): optional, none ticked is an answer too.
      socialOutcomes: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .transform((v) => [...new Set((v === undefined ? [] : Array.isArray(v) ? v : [v]).filter(Boolean))])
        .pipe(z.array(z.enum(codes(SOCIAL_OUTCOMES), { error: 'Select social outcomes from the list' }))),
    }),
    signpost: z.object({
      services: directoryServices,
      advice: required('what information or advice you gave the person', 2000),
    }),
    close: z.object({ reason: choose(reasonCodes, 'a reason for closing'), note: optionalText(1000) }),
  } as const;
}

export type ActionSchemas = ReturnType<typeof actionSchemas>;
export type ActionKind = keyof ActionSchemas;
export type ActionInput<K extends ActionKind> = z.infer<ActionSchemas[K]> &
  (K extends 'outcome' ? { values: OutcomeValues; texts: ItemTexts } : K extends 'correct-outcome' ? { values: OutcomeValues } : unknown);
export const ACTION_KINDS = Object.keys(actionSchemas('2000-01-01')) as ActionKind[];

/** Validated scores of one instrument: `total` and/or item codes → integer. */
export type OutcomeValues = Record<string, number>;
/** What the person named for each worded item (a MYCaW concern): item code → text. */
export type ItemTexts = Record<string, string>;

export type FieldErrors = Record<string, string>;
export type ParseResult<K extends ActionKind> = { ok: true; value: ActionInput<K> } | { ok: false; errors: FieldErrors };

/** Form field name of one score: `score-total`, `score-ons4-anxiety`, …. */
export const scoreField = (part: string) => `score-${part}`;
/** Form field name of a worded item's text (a MYCaW concern in the person's words): `text-mycaw-concern-1`. */
export const textField = (part: string) => `text-${part}`;

/** Validates a posted form for one action. `today` is the Europe/London calendar date (YYYY-MM-DD). */
export function parseAction<K extends ActionKind>(kind: K, body: Record<string, unknown>, today: string): ParseResult<K> {
  const schema = actionSchemas(today)[kind];
  const input = SCORED.has(kind) ? { ...body, scores: collectScores(body) } : body;
  const result = schema.safeParse(input);
  const errors: FieldErrors = {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      errors[field] ??= issue.message;
    }
  }
  if (SCORED.has(kind)) {
    const instrument = typeof body.instrument === 'string' ? findInstrument(body.instrument) : undefined;
    if (instrument) {
      const values = checkScores(instrument.code, collectScores(body), errors);
      // A correction keeps the recorded words (outcome-fixes.ts); a new measure must name each worded item.
      const texts = kind === 'outcome' ? { texts: checkTexts(instrument.code, body, errors) } : {};
      if (result.success && Object.keys(errors).length === 0) {
        return { ok: true, value: { ...(result.data as object), values, ...texts } as unknown as ActionInput<K> };
      }
    }
  }
  if (!result.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: result.data as ActionInput<K> };
}

/** Each worded item (codes.ts `worded`, e.g. MYCaW's concerns) needs the person's words, up to MAX_ITEM_TEXT characters. */
function checkTexts(instrument: string, body: Record<string, unknown>, errors: FieldErrors): ItemTexts {
  const texts: ItemTexts = {};
  for (const item of findInstrument(instrument)?.items ?? []) {
    if (!item.worded) continue;
    const field = textField(item.code);
    const raw = body[field];
    const s = typeof raw === 'string' ? raw.trim() : '';
    if (!s) errors[field] = `Enter ${item.worded.charAt(0).toLowerCase()}${item.worded.slice(1)}`;
    else if (s.length > MAX_ITEM_TEXT) errors[field] = `Must be ${MAX_ITEM_TEXT} characters or fewer`;
    else texts[item.code] = s;
  }
  return texts;
}

function collectScores(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('score-') && typeof v === 'string') out[k.slice(6)] = v.trim();
  return out;
}

/** Every part of the instrument must be a whole number within its range (codes.ts is the source of ranges). */
function checkScores(instrument: string, raw: Record<string, string>, errors: FieldErrors): OutcomeValues {
  const inst = findInstrument(instrument);
  const values: OutcomeValues = {};
  if (!inst) return values;
  const parts = [...(inst.total ? ['total'] : []), ...inst.items.map((i) => i.code)];
  for (const part of parts) {
    const range = scoreRange(instrument, part);
    const field = scoreField(part);
    const s = raw[part] ?? '';
    if (!range) continue;
    if (s === '') {
      errors[field] = `Enter a score from ${range.min} to ${range.max}`;
    } else if (!/^-?\d+$/.test(s)) {
      errors[field] = `The score must be a whole number from ${range.min} to ${range.max}`;
    } else {
      const n = Number(s);
      if (n < range.min || n > range.max) errors[field] = `The score must be from ${range.min} to ${range.max}`;
      else values[part] = n;
    }
  }
  return values;
}

/** A form's parse: the value, or one message per field (the first the schema gave), to show beside that field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

export function parsed<T>(r: z.ZodSafeParseResult<T>): Parsed<T> {
  if (r.success) return { ok: true, value: r.data };
  const errors: Record<string, string> = {};
  for (const issue of r.error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
  return { ok: false, errors };
}
