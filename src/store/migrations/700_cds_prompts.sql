-- The decision-support prompt (src/cds): at most one card per practice, patient and day (Europe/London), the
-- prompts held back, the GP's feedback on each card, and the JWT ids already used by CDS clients (replay refused).
-- Ids and codes only: no names, NHS numbers or free text from the record.
CREATE TABLE IF NOT EXISTS cds_cards (
  id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  patient_id text NOT NULL,
  day date NOT NULL,
  rule text NOT NULL,
  need text,
  hook_instance text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, patient_id, day)
);

-- A prompt due but held back because the GP already acted on today's card (accepted or dismissed it).
CREATE TABLE IF NOT EXISTS cds_suppressions (
  id bigserial PRIMARY KEY,
  card_id uuid NOT NULL REFERENCES cds_cards (id),
  rule text NOT NULL,
  hook_instance text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS cds_suppressions_card_idx ON cds_suppressions (card_id);

-- CDS Hooks feedback: the first outcome reported for a card is kept.
CREATE TABLE IF NOT EXISTS cds_feedback (
  card_id uuid PRIMARY KEY REFERENCES cds_cards (id),
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  override_reason text,
  outcome_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cds_jwt_ids (
  iss text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (iss, jti)
);
CREATE INDEX IF NOT EXISTS cds_jwt_ids_expires_idx ON cds_jwt_ids (expires_at);
