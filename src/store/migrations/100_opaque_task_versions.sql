-- Task versions are opaque strings (FHIR ids: Medplum uses UUIDs), not integers. Versions are ordered by
-- meta.lastUpdated, then version id: the "order key" (src/reconcile/rules/version-order.ts), compared bytewise
-- (COLLATE "C"). Rows written before this migration get keys that sort before any real one: every version
-- seen from now on counts as newer than what was processed before, which it is.
ALTER TABLE reconcile_applied_versions ALTER COLUMN version TYPE text USING version::text;
ALTER TABLE reconcile_attempts ALTER COLUMN version TYPE text USING version::text;

ALTER TABLE reconcile_task_state ADD COLUMN max_order text COLLATE "C";
ALTER TABLE reconcile_task_state ADD COLUMN terminal_order text COLLATE "C";
UPDATE reconcile_task_state SET
  max_order = '0000-00-00T00:00:00.000000000Z|n:' || lpad(max_version::text, 20, '0'),
  terminal_order = CASE WHEN terminal_version IS NULL THEN NULL
                        ELSE '0000-00-00T00:00:00.000000000Z|n:' || lpad(terminal_version::text, 20, '0') END;
ALTER TABLE reconcile_task_state ALTER COLUMN max_order SET NOT NULL;
ALTER TABLE reconcile_task_state DROP COLUMN max_version;
ALTER TABLE reconcile_task_state DROP COLUMN terminal_version;
