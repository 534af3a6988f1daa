import pg from 'pg';
import { logger } from '../observability/logger.js';
import type { Db, QueryResult } from './db.js';
import { quoteIdent } from './quote-ident.js';

type Executor = pg.Pool | pg.PoolClient;

// int8 as a JS number, as PGlite returns it, so `count(*)` reads the same on both stores.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function toResult<R>(r: pg.QueryResult): QueryResult<R> {
  return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly pool: pg.Pool,
    private readonly ex: Executor,
    readonly schema: string,
    private readonly inTx: boolean,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return toResult<R>(await this.ex.query(sql, params as unknown[]));
  }

  async exec(sql: string): Promise<QueryResult<Record<string, unknown>>[]> {
    // Simple query protocol: pg returns an array when the text holds several statements.
    const res = (await this.ex.query(sql)) as pg.QueryResult | pg.QueryResult[];
    return (Array.isArray(res) ? res : [res]).map((r) => toResult<Record<string, unknown>>(r));
  }

  /** A dedicated pooled client per transaction, so concurrent transactions are isolated by PostgreSQL itself. */
  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(new PostgresDb(this.pool, client, this.schema, true));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.inTx) throw new Error('close() called on a transaction handle');
    await this.pool.end();
  }
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } catch (err) {
    // Two processes creating it at once: the loser sees a unique violation; the schema exists either way.
    if ((err as { code?: string }).code !== '23505') throw err;
  }
}

export async function openPostgresDb(opts: { url: string; schema: string; max: number }): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max,
    types,
    // Every pooled connection starts in the configured schema.
    options: `-c search_path=${opts.schema}`,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'postgres idle client error'));
  try {
    if (opts.schema !== 'public') await createSchema(pool, opts.schema);
    else await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PostgresDb(pool, pool, opts.schema, false);
}
