import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Context } from 'mocha';
import { openDb, type Db, type OpenDbOptions } from '../../src/store/db.js';

/** The PostgreSQL the suites run against (127.0.0.1:5432 unless DATABASE_URL names another). */
export const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function postgresProblem(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * Call in a `before` hook (as `function`): skips the suite when PostgreSQL is unreachable on a developer
 * machine, and fails it under CI=true, where PostgreSQL is part of the contract.
 */
export async function requirePostgres(ctx: Context): Promise<void> {
  const why = await postgresProblem();
  if (!why) return;
  if (process.env.CI === 'true') throw new Error(`PostgreSQL at ${PG_URL} is required with CI=true: ${why}`);
  console.warn(`    PostgreSQL at ${PG_URL} unreachable (${why}); skipping (set CI=true to fail instead)`);
  ctx.skip();
}

export interface StoreBackend {
  readonly name: string;
  readonly opts: () => OpenDbOptions;
  readonly postgres: boolean;
}

/** The two engines every store suite runs on. */
export const STORE_BACKENDS: readonly StoreBackend[] = [
  { name: 'PGlite (memory)', opts: () => ({ memory: true }), postgres: false },
  { name: 'PostgreSQL', opts: () => ({ databaseUrl: PG_URL }), postgres: true },
];

/** A suite's database: see `suiteStore`. */
export interface SuiteStore {
  /** The suite's database, open from the suite's first `before` hook to its last `after` hook. */
  readonly db: Db;
  /** What opens it (PostgreSQL: the suite's own schema; PGlite: an in-memory database of its own). */
  readonly opts: OpenDbOptions;
  /** The PostgreSQL schema the suite works in (dropped after it). */
  readonly schema: string;
  /** Another handle on the suite's database (a second instance), closed after the suite. */
  open(extra?: Partial<OpenDbOptions>): Promise<Db>;
}

/**
 * One database for the suite it is called in, on `backend` (or PostgreSQL): its `before` hook skips the suite (or
 * fails it under CI) without PostgreSQL, then opens the store, PostgreSQL in a schema of its own named after
 * `prefix` and PGlite in memory; its `after` hook drops the schema and closes every handle. Call it before the
 * suite's own hooks that use the database; `after` hooks run in the order they are defined, so one that must run
 * while the database is still open (stopping a server on it) is defined before this call.
 */
export function suiteStore(backend: StoreBackend, prefix: string, extra: Partial<OpenDbOptions> = {}): SuiteStore {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const opts: OpenDbOptions = { ...backend.opts(), ...(backend.postgres ? { schema } : {}), ...extra };
  const handles: Db[] = [];
  let db: Db | undefined;
  before(async function () {
    if (backend.postgres) await requirePostgres(this);
    db = await openDb(opts);
    handles.push(db);
  });
  after(async () => {
    if (backend.postgres && db) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    for (const h of handles.splice(0)) await h.close().catch(() => undefined);
    db = undefined;
  });
  return {
    get db() {
      if (!db) throw new Error('suiteStore: the database is open only between the suite’s before and after hooks');
      return db;
    },
    opts,
    schema,
    async open(more: Partial<OpenDbOptions> = {}) {
      const h = await openDb({ ...opts, ...more });
      handles.push(h);
      return h;
    },
  };
}

/** PostgreSQL alone, for suites about several instances on one database. */
export const POSTGRES_BACKEND: StoreBackend = STORE_BACKENDS.find((b) => b.postgres)!;
