/** The store a scenario runs on: PostgreSQL when it answers (a schema of its own, dropped after), PGlite otherwise. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../src/store/db.js';
import { PG_URL, postgresProblem } from '../../test/helpers/postgres.js';

export interface ScenarioStore {
  readonly kind: 'postgresql' | 'pglite';
  /** Where another process finds the same store (PostgreSQL only). */
  readonly shared?: { readonly databaseUrl: string; readonly schema: string };
  /** Another connection pool on the same database (a second instance). */
  open(): Promise<Db>;
  close(): Promise<void>;
}

export async function scenarioStore(): Promise<ScenarioStore> {
  const opened: Db[] = [];
  if (await postgresProblem()) {
    const db = await openDb({ memory: true });
    return { kind: 'pglite', open: async () => db, close: () => db.close() };
  }
  const schema = `reliability_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    kind: 'postgresql',
    shared: { databaseUrl: PG_URL, schema },
    async open() {
      const db = await openDb({ databaseUrl: PG_URL, schema, maxConnections: 5 });
      opened.push(db);
      return db;
    },
    async close() {
      for (const db of opened) await db.close();
      // Dropped over a connection of its own: the schema may have been made only by another process (a reconciler
      // given `shared`), and this one may have opened nothing.
      const c = new pg.Client({ connectionString: PG_URL });
      try {
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } catch {
        // Best effort: a schema left behind costs disk, never a result.
      } finally {
        await c.end().catch(() => undefined);
      }
    },
  };
}
