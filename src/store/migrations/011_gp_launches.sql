-- GP app launch contexts: one row per SMART launch, so one browser can hold several patients' launches
-- (several EHR tabs or windows) and each can refresh its tokens without overwriting another's.
-- `data` is sealed (AES-256-GCM, as sessions are): it holds the GP's EHR access and refresh tokens.
CREATE TABLE IF NOT EXISTS gp_launches (
  handle text PRIMARY KEY,
  data jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS gp_launches_expires_at_idx ON gp_launches (expires_at);
