-- Link workers' reports that a directory service has closed or changed (src/directory/reports.ts): each waits on the
-- service manager's list until a manager acts on that service (checked, inactive or the change recorded).
CREATE TABLE IF NOT EXISTS directory_reports (
  id bigserial PRIMARY KEY,
  -- The HealthcareService id at the endpoint that holds the directory.
  service_id text NOT NULL,
  service_name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('closed', 'changed')),
  note text,
  -- Who reported it: staff subject, name and organisation (ODS): the report goes to that organisation's managers.
  reported_by text NOT NULL,
  reporter_name text NOT NULL,
  reporter_org text NOT NULL,
  reported_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by text,
  resolution text CHECK (resolution IN ('checked', 'inactive', 'changed'))
);
CREATE INDEX IF NOT EXISTS directory_reports_open_idx ON directory_reports (reporter_org, reported_at) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS directory_reports_service_idx ON directory_reports (service_id) WHERE resolved_at IS NULL;
