import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { SpLinkError } from '../errors.js';

export const CSRF_HEADER = 'x-csrf-token';

/**
 * Synchronizer-token CSRF check (OWASP CSRF Prevention): each launch (EHR window) has its own token, kept
 * server-side with the launch and handed to the app by `/app/api/context`; every state-changing call must
 * echo it in `x-csrf-token`.
 */
export function checkCsrf(req: Request, expected: string | undefined): void {
  const given = req.get(CSRF_HEADER);
  if (!expected || !given) throw new SpLinkError('ERR_CSRF');
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new SpLinkError('ERR_CSRF', { message: 'The request’s security token did not match. Reload SP Link and try again.' });
  }
}

/** State-changing and reading calls alike name the patient; it must be the launch patient (docs/SECURITY.md). */
export function checkPatient(requested: unknown, launchPatient: string): void {
  if (requested !== launchPatient) {
    throw new SpLinkError('ERR_PATIENT_MISMATCH', { message: 'This SP Link window is for a different patient. Open SP Link again from the current patient’s record.' });
  }
}
