-- A consumer of a store's change journal (e.g. the rest-hook notifier) runs on one SP Link instance at a time:
-- with several instances on one database, each committed change is handed to the consumer once, not once per
-- instance. The lease lives on the consumer's position row, so moving the position checks the lease in the same
-- statement; `fencing_token` grows with every change of holder, so a former holder that stalled past its expiry
-- cannot move the position any more, and another instance takes a lease whose holder died once it expires.
ALTER TABLE fhir_change_consumers
  ADD COLUMN holder text,
  ADD COLUMN fencing_token bigint NOT NULL DEFAULT 0,
  ADD COLUMN lease_expires_at timestamptz;
