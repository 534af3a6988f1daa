-- The GP told, in the record (src/referrals/gp-record.ts): a referral the person or an agency made, once linked to
-- a registered patient who agreed that their GP is told, is written into the practice's EHR by the reconciler's
-- outbox. A row of kind 'gp-record' carries the EHR transaction (ServiceRequest, Communication, Provenance; each
-- conditional) and, once it is written, re-points the link-worker Task at the EHR's ServiceRequest.
ALTER TABLE reconcile_outbox ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'task';
ALTER TABLE reconcile_outbox ADD COLUMN IF NOT EXISTS ehr_bundle jsonb;
-- One GP-record write per referral, however often it is asked for (a retried submission, two managers at once).
CREATE UNIQUE INDEX IF NOT EXISTS reconcile_outbox_gp_record_once ON reconcile_outbox (referral_identifier) WHERE kind = 'gp-record';
