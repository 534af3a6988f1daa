import path from 'node:path';
import { migratedMemoryTemplate, openPgliteDb } from './pglite-db.js';
import { openPostgresDb } from './postgres-db.js';
import { migrate } from './migrate.js';

/** Result of one SQL statement. `rowCount` = rows returned, or rows affected for DML without RETURNING. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/**
 * SP Link's one store interface. The same SQL runs on embedded PGlite (default) and PostgreSQL.
 * Inside `transaction(fn)`, use the `tx` handed to `fn`; calling the outer Db from inside `fn` waits
 * for the transaction to finish (PGlite) or runs on another connection (PostgreSQL).
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** The schema this Db works in (`search_path`). */
  readonly schema: string;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs parameterless, possibly multi-statement SQL (simple query protocol) and returns the result of
   * every statement in order (migrations and multi-statement scripts).
   */
  exec(sql: string): Promise<QueryResult<Record<string, unknown>>[]>;
  /** Runs `fn` in one transaction: commit when it resolves, rollback when it throws. Nested calls join the outer one. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** PostgreSQL URL. Absent → embedded PGlite. */
  databaseUrl?: string;
  /** PGlite files live under `<dataDir>/pglite`. Ignored for PostgreSQL and with `memory`. */
  dataDir?: string;
  /** In-memory PGlite (tests). */
  memory?: boolean;
  /** Schema to work in (created if missing); default `public`. Lets test runs isolate on one PostgreSQL. */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
  /** Skip migrations (only for tools that inspect a database). Default false. */
  skipMigrations?: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The store a configuration names: PostgreSQL at `store.databaseUrl` (in `store.schema`), else the embedded one under `dataDir`. */
export function configuredStore(config: { store: { databaseUrl?: string | undefined; schema?: string | undefined }; dataDir: string }): OpenDbOptions {
  const { databaseUrl, schema } = config.store;
  if (!databaseUrl) return { dataDir: config.dataDir };
  return schema ? { databaseUrl, schema } : { databaseUrl };
}

/** Opens the store and applies pending migrations from `src/store/migrations`. */
export async function openDb(opts: OpenDbOptions = {}): Promise<Db> {
  const schema = opts.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}": expected lower-case letters, digits and _`);
  let db: Db;
  if (opts.databaseUrl) {
    db = await openPostgresDb({ url: opts.databaseUrl, schema, max: opts.maxConnections ?? 10 });
  } else if (opts.memory) {
    const loadDataDir = opts.skipMigrations ? undefined : await migratedMemoryTemplate(schema, (t) => migrate(t));
    db = await openPgliteDb({ schema, loadDataDir });
  } else {
    db = await openPgliteDb({ dataDir: path.join(opts.dataDir ?? './data', 'pglite'), schema });
  }
  // Also after a template copy: a no-op there, and it keeps the checksum check in one place.
  if (!opts.skipMigrations) {
    try {
      await migrate(db);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  }
  return db;
}
