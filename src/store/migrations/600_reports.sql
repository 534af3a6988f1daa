-- Evaluation reports (src/reports): one row per referral and one per outcome measure of it, written as the loop
-- runs (the reconciler, on every Task version it applies) so reports never read FHIR servers. No identifiers:
-- referral_key is a one-way hash of the endpoint and Task id; people appear only as bands, categories, deciles.
CREATE TABLE IF NOT EXISTS report_referrals (
  referral_key text PRIMARY KEY,
  -- 'live' (captured) or 'demo' (the sandbox's seeded history).
  origin text NOT NULL DEFAULT 'live',
  practice text NOT NULL,
  practice_name text NOT NULL,
  pcn text,
  service text NOT NULL,
  source text NOT NULL,
  urgency text NOT NULL,
  needs text[] NOT NULL DEFAULT '{}',
  referred_at timestamptz NOT NULL,
  status text NOT NULL,
  reach text NOT NULL,
  end_reason text,
  accepted_at timestamptz,
  first_contact_at timestamptz,
  first_session_at timestamptz,
  closed_at timestamptz,
  sessions integer NOT NULL DEFAULT 0,
  services_connected text[] NOT NULL DEFAULT '{}',
  age_band text,
  sex text NOT NULL DEFAULT 'unknown',
  ethnicity text,
  disability text,
  first_language text,
  interpreter boolean,
  imd_decile smallint,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS report_referrals_referred_at ON report_referrals (referred_at);

CREATE TABLE IF NOT EXISTS report_outcomes (
  referral_key text NOT NULL REFERENCES report_referrals (referral_key) ON DELETE CASCADE,
  -- Instrument code, or instrument:item for instruments scored per item (src/referral-model/outcome-series.ts).
  measure text NOT NULL,
  before_score numeric NOT NULL,
  before_at timestamptz NOT NULL,
  after_score numeric,
  after_at timestamptz,
  PRIMARY KEY (referral_key, measure)
);
