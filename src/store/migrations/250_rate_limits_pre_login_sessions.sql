-- Request counters of the rate limits (src/store/rate-limit-store.ts), one row per limiter and client key
-- (an IP address, an OAuth client id, an endpoint id), so every instance sharing the database counts together.
-- A row whose window has ended is reset by the next hit and deleted by the periodic sweep.
CREATE TABLE IF NOT EXISTS rate_limits (
  key text PRIMARY KEY,
  hits integer NOT NULL,
  reset_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_limits_reset_at_idx ON rate_limits (reset_at);

-- Sessions that started a sign-in but carry no signed-in user yet: short-lived and capped in number
-- (DbSessionStore `preLogin`), so sign-in attempts that never finish cannot grow the table.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS pre_login boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS sessions_pre_login_idx ON sessions (expires_at) WHERE pre_login;
