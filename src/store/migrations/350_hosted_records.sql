-- Hosted link-worker records (src/hosted): the client-assertion ids (jti) backend clients have used at a record's
-- token endpoint, kept until the assertion expires so a replay is refused on every instance.
CREATE TABLE IF NOT EXISTS hosted_assertion_ids (
  endpoint_id text NOT NULL,
  client_id text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (endpoint_id, client_id, jti)
);
CREATE INDEX IF NOT EXISTS hosted_assertion_ids_expires_idx ON hosted_assertion_ids (expires_at);
