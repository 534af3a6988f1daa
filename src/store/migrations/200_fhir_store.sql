-- The FHIR store (src/fhir-store): resources as JSONB with every version kept, and search-index rows computed
-- at write time. One database holds several independent FHIR servers ("stores": the sandbox EHR, the sandbox
-- link-worker service, hosted link-worker records), told apart by the `store` column.

-- One row per store. Every write transaction locks its store's row first: writes to one store commit one at a
-- time, in the order of their lastUpdated stamps (so a change feed reading `_lastUpdated >= cursor` never misses
-- a late commit), and conditional creates cannot race. Reads never take it.
CREATE TABLE fhir_stores (
  store text PRIMARY KEY,
  last_stamp timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z'
);

-- The current state of every resource that ever existed. `content` is the current version; after a delete it
-- keeps the last version before it (`deleted` = true), so reads answer 410 Gone instead of 404.
CREATE TABLE fhir_resources (
  rid bigserial PRIMARY KEY,
  store text NOT NULL REFERENCES fhir_stores (store) ON DELETE CASCADE,
  resource_type text NOT NULL,
  id text NOT NULL,
  version integer NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  content jsonb NOT NULL,
  UNIQUE (store, resource_type, id)
);
CREATE INDEX fhir_resources_updated ON fhir_resources (store, resource_type, last_updated, rid);

-- Every version, deletions included (`content` NULL): `_history` and vread.
CREATE TABLE fhir_versions (
  rid bigint NOT NULL REFERENCES fhir_resources (rid) ON DELETE CASCADE,
  version integer NOT NULL,
  last_updated timestamptz NOT NULL,
  content jsonb,
  PRIMARY KEY (rid, version)
);
CREATE INDEX fhir_versions_updated ON fhir_versions (last_updated);

-- Search-index rows of the current version (none once deleted), one per value of each search parameter:
--   token     system, value (code / identifier value / boolean)
--   reference value = "Type/id" (relative) or the absolute URL; system = target type
--   string    value = lower-cased, accents removed; exact = as written
--   uri       value
--   date      low (inclusive) .. high (exclusive), infinite ends for open periods
--   number / quantity: num (quantity also system = unit system, value = unit code)
CREATE TABLE fhir_search_index (
  rid bigint NOT NULL REFERENCES fhir_resources (rid) ON DELETE CASCADE,
  code text NOT NULL,
  system text,
  value text COLLATE "C",
  exact text COLLATE "C",
  low timestamptz,
  high timestamptz,
  num numeric
);
CREATE INDEX fhir_search_value ON fhir_search_index (code, value, rid);
CREATE INDEX fhir_search_date ON fhir_search_index (code, low, high) WHERE low IS NOT NULL;
CREATE INDEX fhir_search_rid ON fhir_search_index (rid, code);

-- The change journal, written in the same transaction as the change it records (an outbox): notifications and
-- listeners are fed from committed rows only, so a rolled-back write is never announced and a crash after commit
-- loses nothing (delivery resumes from the last row each consumer finished).
CREATE TABLE fhir_changes (
  seq bigserial PRIMARY KEY,
  store text NOT NULL REFERENCES fhir_stores (store) ON DELETE CASCADE,
  rid bigint NOT NULL REFERENCES fhir_resources (rid) ON DELETE CASCADE,
  resource_type text NOT NULL,
  id text NOT NULL,
  version integer NOT NULL,
  interaction text NOT NULL CHECK (interaction IN ('create', 'update', 'delete')),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fhir_changes_store ON fhir_changes (store, seq);

-- How far each consumer of a store's change journal has got (e.g. the rest-hook notifier).
CREATE TABLE fhir_change_consumers (
  store text NOT NULL REFERENCES fhir_stores (store) ON DELETE CASCADE,
  consumer text NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (store, consumer)
);
