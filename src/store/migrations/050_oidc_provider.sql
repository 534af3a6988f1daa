-- Storage of the sandbox's oidc-provider instances (EHR and link-worker SMART authorization servers, staff
-- identity provider): grants, refresh tokens, authorization codes, sessions, interactions, replay detection.
-- `key`, `uid_key`, `user_code_key` are SHA-256 hashes: for tokens and sessions oidc-provider's id is the secret
-- itself. `payload` is sealed (AES-256-GCM, key from the session secret). `expires_at` NULL = no expiry.
CREATE TABLE IF NOT EXISTS oidc_records (
  namespace text NOT NULL,
  model text NOT NULL,
  key text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid_key text,
  user_code_key text,
  consumed_at timestamptz,
  expires_at timestamptz,
  PRIMARY KEY (namespace, model, key)
);
CREATE INDEX IF NOT EXISTS oidc_records_grant_idx ON oidc_records (namespace, grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_records_uid_idx ON oidc_records (namespace, model, uid_key) WHERE uid_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_records_user_code_idx ON oidc_records (namespace, model, user_code_key) WHERE user_code_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_records_expires_at_idx ON oidc_records (expires_at) WHERE expires_at IS NOT NULL;
