import { mkdir } from 'node:fs/promises';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import type { Db, QueryResult } from './db.js';
import { quoteIdent } from './quote-ident.js';
import { ensurePgliteCluster } from './pglite-init.js';
import { createPglite } from './pglite-wasm.js';

type Executor = Pick<PGlite | Transaction, 'query' | 'exec'>;

function toResult<R>(r: Results<R>): QueryResult<R> {
  return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
}

/**
 * PGlite is one connection. Its own transaction mutex already makes `query`/`exec` on the instance wait
 * while a `transaction()` holds it, so concurrent transactions run one after the other and a statement
 * from outside can never land inside someone else's transaction.
 */
class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly pg: PGlite,
    private readonly ex: Executor,
    readonly schema: string,
    private readonly inTx: boolean,
  ) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return toResult(await this.ex.query<R>(sql, params as unknown[]));
  }

  async exec(sql: string): Promise<QueryResult<Record<string, unknown>>[]> {
    const results = await this.ex.exec(sql);
    return results.map((r) => toResult(r as Results<Record<string, unknown>>));
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    return this.pg.transaction((tx) => fn(new PgliteDb(this.pg, tx, this.schema, true)));
  }

  async close(): Promise<void> {
    if (this.inTx) throw new Error('close() called on a transaction handle');
    if (!this.pg.closed) await this.pg.close();
  }
}

async function useSchema(pg: PGlite, schema: string): Promise<void> {
  if (schema !== 'public') await pg.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)}`);
}

export async function openPgliteDb(opts: { dataDir?: string; schema: string; loadDataDir?: Blob }): Promise<Db> {
  if (opts.dataDir) {
    await mkdir(opts.dataDir, { recursive: true });
    await ensurePgliteCluster(opts.dataDir);
  }
  const pg = await createPglite(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : { dataDir: opts.dataDir });
  await useSchema(pg, opts.schema);
  return new PgliteDb(pg, pg, opts.schema, false);
}

const templates = new Map<string, Promise<Blob>>();

/**
 * A migrated, empty in-memory database as a data-directory dump, made once per process and schema.
 * Each in-memory Db then starts from a copy: no initdb (which boots a second WASM instance) and no
 * migrations, so tests open databases about twice as fast and churn half as many WASM instances.
 */
export function migratedMemoryTemplate(schema: string, prepare: (db: Db) => Promise<unknown>): Promise<Blob> {
  let t = templates.get(schema);
  if (!t) {
    t = (async () => {
      const pg = await createPglite();
      try {
        await useSchema(pg, schema);
        await prepare(new PgliteDb(pg, pg, schema, false));
        return await pg.dumpDataDir('none');
      } finally {
        await pg.close();
      }
    })();
    t.catch(() => templates.delete(schema)); // a failed template is rebuilt on the next open
    templates.set(schema, t);
  }
  return t;
}
