-- Reconciler: change-feed cursors, per-Task progress, retry counts, leases, dead letters, outbox.
-- Queue-like tables (outbox, dead letters) are claimed with FOR UPDATE SKIP LOCKED; see docs/OPERATIONS.md.

-- One row per link-worker endpoint: how far its Task change feed has been applied.
CREATE TABLE IF NOT EXISTS reconcile_cursors (
  endpoint_id text PRIMARY KEY,
  cursor timestamptz,
  last_run_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  consecutive_failures integer NOT NULL DEFAULT 0,
  next_run_at timestamptz
);

-- Per Task: the highest version processed and the version whose terminal status SP Link wrote.
CREATE TABLE IF NOT EXISTS reconcile_task_state (
  endpoint_id text NOT NULL,
  task_id text NOT NULL,
  max_version integer NOT NULL,
  terminal_version integer,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint_id, task_id)
);

-- Task versions whose effects are durable in the EHR (or parked as a dead letter): the de-dup set.
CREATE TABLE IF NOT EXISTS reconcile_applied_versions (
  endpoint_id text NOT NULL,
  task_id text NOT NULL,
  version integer NOT NULL,
  outcome text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint_id, task_id, version)
);

-- Transient failures per Task version, so retries survive restarts and end in a dead letter after N.
CREATE TABLE IF NOT EXISTS reconcile_attempts (
  endpoint_id text NOT NULL,
  task_id text NOT NULL,
  version integer NOT NULL,
  attempts integer NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  last_error text NOT NULL,
  PRIMARY KEY (endpoint_id, task_id, version)
);

-- Per-endpoint lease: one holder at a time; the fencing token grows on every change of holder.
CREATE TABLE IF NOT EXISTS reconcile_leases (
  endpoint_id text PRIMARY KEY,
  holder text NOT NULL,
  fencing_token bigint NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS reconcile_dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  endpoint_id text NOT NULL,
  tenant_id text,
  source_ref text NOT NULL,
  error_code text NOT NULL,
  reason text NOT NULL,
  attempts integer NOT NULL DEFAULT 1,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  payload jsonb,
  status text NOT NULL DEFAULT 'open',
  -- A replay in progress holds the row until claimed_until; a crashed replay is reclaimed after it.
  claimed_until timestamptz,
  resolved_at timestamptz,
  resolution text
);
CREATE UNIQUE INDEX IF NOT EXISTS reconcile_dead_letters_open_idx ON reconcile_dead_letters (kind, source_ref) WHERE status <> 'resolved';
CREATE INDEX IF NOT EXISTS reconcile_dead_letters_status_idx ON reconcile_dead_letters (status, id);

-- Transactional outbox for Tasks to create at a link-worker endpoint (referral creation, GP app).
CREATE TABLE IF NOT EXISTS reconcile_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL,
  endpoint_id text NOT NULL,
  referral_identifier text NOT NULL,
  task jsonb NOT NULL,
  state text NOT NULL,
  service_request_url text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  delivered_task_url text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS reconcile_outbox_state_idx ON reconcile_outbox (state, next_attempt_at);
