import pg from 'pg';
import type { Context } from 'mocha';
import type { OpenDbOptions } from '../../src/store/db.js';

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
