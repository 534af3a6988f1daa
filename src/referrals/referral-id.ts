import { createHash, randomBytes } from 'node:crypto';

/**
 * SP Link referral ids are read aloud and typed by people (a patient ringing the link-worker service),
 * so they use Crockford base32 (no I, L, O, U) in two groups: `SPL-7K3M-Q9TZ`. 40 random bits; the
 * conditional create on the identifier turns the negligible chance of a clash into a refusal, not a merge.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERRAL_ID_PATTERN = /^SPL-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

export function newReferralId(random: (n: number) => Uint8Array = (n) => randomBytes(n)): string {
  return encode(random(5));
}

/**
 * The referral id of one form submission: the same submission (a resend after a timeout, a double click)
 * gets the same id, so the conditional create finds the referral instead of sending it twice. The patient
 * is part of the key, so a submission id reused for another patient can never land on this patient's referral.
 */
export function referralIdForSubmission(tenantId: string, patientId: string, submissionId: string): string {
  return encode(createHash('sha256').update(JSON.stringify(['sp-link-referral-submission', tenantId, patientId, submissionId])).digest().subarray(0, 5));
}

function encode(bytes: Uint8Array): string {
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let s = '';
  for (let i = 0; i < 8; i++) {
    s = ALPHABET[Number(bits & 31n)]! + s;
    bits >>= 5n;
  }
  return `SPL-${s.slice(0, 4)}-${s.slice(4)}`;
}

export function isReferralId(s: string): boolean {
  return REFERRAL_ID_PATTERN.test(s);
}
