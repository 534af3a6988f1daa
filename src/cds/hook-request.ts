import { z } from 'zod';
import { FHIR_ID_PATTERN } from '../referral-model/references.js';

/**
 * What a CDS client sends (CDS Hooks 2.0, "Calling a CDS Service" and "Feedback"), validated before anything reads
 * it. Liberal where the specification allows extensions (unknown fields are kept, not refused); strict on what SP
 * Link relies on.
 */

export const hookRequestSchema = z
  .object({
    hook: z.string().min(1),
    hookInstance: z.string().min(1).max(200),
    fhirServer: z.url({ protocol: /^https?$/ }).optional(),
    fhirAuthorization: z
      .object({
        access_token: z.string().min(1),
        token_type: z.string().regex(/^bearer$/i, 'expected "Bearer"'),
        expires_in: z.number().optional(),
        scope: z.string().optional(),
        subject: z.string().optional(),
        patient: z.string().optional(),
      })
      .loose()
      .optional(),
    context: z
      .object({
        userId: z.string().min(1),
        patientId: z.string().regex(FHIR_ID_PATTERN, 'expected a FHIR id'),
        encounterId: z.string().optional(),
      })
      .loose(),
    prefetch: z.record(z.string(), z.unknown()).optional(),
  })
  .loose()
  // cds-r-1: fhirAuthorization details imply a fhirServer.
  .refine((r) => r.fhirAuthorization === undefined || r.fhirServer !== undefined, { message: 'fhirAuthorization needs fhirServer', path: ['fhirServer'] });
export type HookRequest = z.infer<typeof hookRequestSchema>;

const coding = z.object({ system: z.string().optional(), code: z.string().min(1), display: z.string().optional() }).loose();

export const feedbackSchema = z
  .object({
    feedback: z
      .array(
        z
          .object({
            card: z.uuid(),
            outcome: z.enum(['accepted', 'overridden']),
            acceptedSuggestions: z.array(z.object({ id: z.string() }).loose()).optional(),
            overrideReason: z.object({ reason: coding.optional(), userComment: z.string().optional() }).loose().optional(),
            outcomeTimestamp: z.iso.datetime({ offset: true }),
          })
          .loose(),
      )
      .min(1)
      .max(100),
  })
  .loose();
export type FeedbackRequest = z.infer<typeof feedbackSchema>;
