import type { UrgencyCode } from '../referral-model/codes.js';
import type { SelfReferral } from './self-referral-input.js';

/**
 * A referral from an agency (pharmacy, social care, housing, police, the voluntary sector): what the person would tell
 * us themselves, plus the professional who referred them. Both ways in (the agency form and the referral API) produce
 * one; the rest of the intake (identity matching, the Task, triage) treats it like a self-referral. Pure.
 */
export interface Referrer {
  name: string;
  role: string;
  organisation: { name: string; odsCode?: string };
  phone?: string;
  email?: string;
}

export interface AgencyReferral extends SelfReferral {
  referrer: Referrer;
  /**
   * Whether SP Link knows who sent it: an agency system in the client registry is verified; the public agency form
   * is anonymous, so what it says about the referrer is taken on trust and shown as unverified.
   */
  verified: boolean;
  /** A professional may judge it soon or urgent; a person referring themselves is routine. */
  urgency?: UrgencyCode;
  /** A professional's safeguarding concern, with what they know (raises the referral to urgent). */
  safeguarding?: { concern: boolean; detail?: string };
}

export const isAgencyReferral = (r: SelfReferral): r is AgencyReferral => 'referrer' in r;

/** How the referrer is shown to the link worker: name, role, organisation, and a warning when nobody verified it. */
export function referrerDisplay(r: AgencyReferral): string {
  const org = r.referrer.organisation.odsCode ? `${r.referrer.organisation.name} (${r.referrer.organisation.odsCode})` : r.referrer.organisation.name;
  return `${r.referrer.name}, ${r.referrer.role}, ${org}${r.verified ? '' : ' (agency not verified)'}`;
}
