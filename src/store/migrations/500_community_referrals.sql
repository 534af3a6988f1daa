-- Referrals that do not come from a GP (the public self-referral form, agency forms and the agency referral API;
-- src/intake). The referral itself travels as the link-worker Task (with the person's details contained); this row
-- keeps what SP Link decided about it: the identity-matching decision with its evidence (patient ids and field
-- results, no names), the consent scope, where the Task went, and the service manager's review of an ambiguous match.
CREATE TABLE IF NOT EXISTS community_referrals (
  referral_id text PRIMARY KEY,
  -- The practice (tenant) whose patient the person is; null while nobody is matched.
  tenant_id text,
  endpoint_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('self', 'agency')),
  -- An agency system's client id and the identifier it gave the referral: a retry finds the first (unique).
  client_id text,
  client_key text,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  match_outcome text NOT NULL CHECK (match_outcome IN ('matched', 'no-match', 'ambiguous', 'not-checked')),
  match jsonb NOT NULL,
  -- The registered patient the referral is linked to: matched confidently, or chosen by the service manager.
  patient_id text,
  share_with_gp boolean NOT NULL,
  -- SHA-256 of each normalised contact detail (email, phone digits), for the per-contact limit.
  contact_hashes text[] NOT NULL DEFAULT '{}',
  task_identifier text NOT NULL,
  review jsonb,
  UNIQUE (client_id, client_key)
);
CREATE INDEX IF NOT EXISTS community_referrals_submitted_idx ON community_referrals (submitted_at);
CREATE INDEX IF NOT EXISTS community_referrals_review_idx ON community_referrals (endpoint_id, submitted_at) WHERE match_outcome IN ('ambiguous', 'not-checked') AND review IS NULL;
