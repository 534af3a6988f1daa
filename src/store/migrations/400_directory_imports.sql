-- Directory imports from Open Referral UK feeds (src/directory): each run, what every feed last said about each
-- service, and the change log of what an import did to the directory (each change with the Provenance it wrote).
CREATE TABLE IF NOT EXISTS directory_import_runs (
  id bigserial PRIMARY KEY,
  feed_id text NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('cli', 'schedule', 'start', 'admin')),
  -- A full run reads the whole feed and retires services it no longer lists; an incremental one (modified since) does not.
  mode text NOT NULL CHECK (mode IN ('full', 'incremental')),
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  counts jsonb NOT NULL DEFAULT '{}',
  error text
);
-- One run of a feed at a time, across instances: a second start finds the first.
CREATE UNIQUE INDEX IF NOT EXISTS directory_import_runs_one_running ON directory_import_runs (feed_id) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS directory_import_runs_feed_idx ON directory_import_runs (feed_id, id DESC);

-- What each feed last served for each ORUK service: several feeds may list one service (de-duplicated by its id).
CREATE TABLE IF NOT EXISTS directory_feed_records (
  feed_id text NOT NULL,
  oruk_id text NOT NULL,
  last_modified text,
  content_hash text NOT NULL,
  seen_run bigint NOT NULL,
  -- When the feed stopped listing it (null while listed).
  gone_at timestamptz,
  PRIMARY KEY (feed_id, oruk_id)
);
CREATE INDEX IF NOT EXISTS directory_feed_records_oruk_idx ON directory_feed_records (oruk_id);

CREATE TABLE IF NOT EXISTS directory_changes (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES directory_import_runs (id),
  feed_id text NOT NULL,
  oruk_id text,
  -- The HealthcareService changed (absent for a rejected record).
  resource_id text,
  name text,
  change text NOT NULL CHECK (change IN ('created', 'updated', 'inactivated', 'reactivated', 'rejected')),
  -- Why: the fields that changed, or a rejected record's reasons.
  detail jsonb NOT NULL DEFAULT '[]',
  provenance_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS directory_changes_run_idx ON directory_changes (run_id, id);
CREATE INDEX IF NOT EXISTS directory_changes_resource_idx ON directory_changes (resource_id, id DESC);
