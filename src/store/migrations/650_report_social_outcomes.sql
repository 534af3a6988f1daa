-- Social outcomes at closing (src/referral-model/social-outcome.ts): the codes a completed referral recorded, for
-- the reports (SP Link's social-outcome CodeSystem; no free text).
ALTER TABLE report_referrals ADD COLUMN IF NOT EXISTS social_outcomes text[] NOT NULL DEFAULT '{}';
