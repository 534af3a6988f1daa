-- GP demand (src/reports/gp-demand.ts): a person's GP appointments in the 6 months before and after their referral.
-- Captured as the loop runs: each referral the reconciler applies is queued with where its GP record is; a scheduled
-- sweep (reports.gpDemandSchedule) counts the Encounters once the 6 months after have passed, writes the counts to
-- report_gp_demand and drops the queue row, so the record's id is held only until then. Reports never read the EHR.
CREATE TABLE IF NOT EXISTS gp_demand_queue (
  referral_key text PRIMARY KEY REFERENCES report_referrals (referral_key) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  -- The Patient's id at the tenant's EHR (operational only: deleted once counted; never in a report).
  patient_id text NOT NULL,
  -- The referral's calendar date in England; counted from due_on (the day after the after-window closes).
  referral_day date NOT NULL,
  due_on date NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error text,
  -- Set when the sweep gave up (attempts used up): the row waits, with last_error, for someone to act (docs/OPERATIONS.md).
  failed_at timestamptz,
  queued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS gp_demand_queue_due ON gp_demand_queue (due_on) WHERE failed_at IS NULL;

CREATE TABLE IF NOT EXISTS report_gp_demand (
  referral_key text PRIMARY KEY REFERENCES report_referrals (referral_key) ON DELETE CASCADE,
  -- 'counted' (both windows read) or 'missing' (the person died, left the practice, or their record is gone).
  status text NOT NULL CHECK (status IN ('counted', 'missing')),
  missing_reason text,
  before_count integer,
  after_count integer,
  counted_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'counted') = (before_count IS NOT NULL AND after_count IS NOT NULL))
);

-- The service is kept by a stable key (the link-worker endpoint's id), its name beside it for display, so renaming a
-- service does not split its history. Rows written before keep their name as the key until their next Task version.
ALTER TABLE report_referrals ADD COLUMN IF NOT EXISTS service_name text;
UPDATE report_referrals SET service_name = service WHERE service_name IS NULL;
