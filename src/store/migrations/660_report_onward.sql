-- Onward referrals for the reports (src/reports/onward-fact.ts): one row per sub-Task to a community group, written
-- as the loop runs from every version the reconciler sees, so the services report never reads FHIR servers. No
-- identifiers: onward_key is a one-way hash of the endpoint and sub-Task id; referral_key that of its referral Task
-- (report_referrals.referral_key, whose equality fields split these counts). Not a foreign key: a sub-Task can be
-- seen before its referral's fact is written.
CREATE TABLE IF NOT EXISTS report_onward (
  onward_key text PRIMARY KEY,
  referral_key text NOT NULL,
  -- 'live' (captured) or 'demo' (the sandbox's seeded history).
  origin text NOT NULL DEFAULT 'live',
  community_service text NOT NULL,
  provider text,
  -- src/referral-model/onward-referral.ts ONWARD_STATES, and how far that is (a late, older version never winds it back).
  state text NOT NULL,
  progress smallint NOT NULL,
  -- Why it was declined or withdrawn (SP Link's status-reason codes).
  reason text,
  sent_at timestamptz NOT NULL,
  answered_at timestamptz,
  sessions integer,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS report_onward_referral ON report_onward (referral_key);
