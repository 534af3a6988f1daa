import { expect } from 'chai';
import pg from 'pg';
import { openDb, type Db } from '../../../src/store/db.js';
import { loadMigrations, migrate } from '../../../src/store/migrate.js';
import { DbSessionStore } from '../../../src/store/session-store.js';
import type { SessionData } from 'express-session';
import { PG_URL, STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

function sessionData(expires: Date, extra: Record<string, unknown> = {}): SessionData {
  return { cookie: { originalMaxAge: 60_000, expires, httpOnly: true, path: '/' }, ...extra } as unknown as SessionData;
}

function call<T>(fn: (cb: (err?: unknown, v?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

for (const backend of STORE_BACKENDS) {
  describe(`store on ${backend.name}`, function () {
    let db: Db;
    const suite = suiteStore(backend, 't_store');
    const { opts, schema } = suite;
    before(() => (db = suite.db));

    it('applies migrations and records them; re-running is a no-op', async () => {
      const files = await loadMigrations();
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).to.deep.equal(files.map((f) => f.version));
      expect((await migrate(db)).applied).to.deep.equal([]);
      const again = await db.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      expect(again.rows[0]!.n).to.equal(files.length);
    });

    it('refuses a migration that changed after it was applied', async () => {
      const files = await loadMigrations();
      const tampered = files.map((f, i) => (i === 0 ? { ...f, checksum: 'different' } : f));
      let err: Error | undefined;
      await migrate(db, tampered).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/changed after it was applied/);
    });

    if (backend.postgres) {
      it('two processes opening the same schema at once both succeed (advisory lock)', async () => {
        const s2 = `${schema}_race`;
        const [a, b] = await Promise.all([openDb({ ...opts, schema: s2 }), openDb({ ...opts, schema: s2 })]);
        const { rows } = await a.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
        expect(rows[0]!.n).to.equal((await loadMigrations()).length);
        await a.query(`DROP SCHEMA ${s2} CASCADE`);
        await Promise.all([a.close(), b.close()]);
      });
    }

    it('commits a transaction that resolves and rolls back one that throws', async () => {
      await db.exec('CREATE TABLE tx_probe (k text PRIMARY KEY, v int NOT NULL)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES ($1, $2)', ['a', 1]);
        await tx.query('INSERT INTO tx_probe VALUES ($1, $2)', ['b', 2]);
      });
      const boom = new Error('boom');
      let caught: unknown;
      await db
        .transaction(async (tx) => {
          await tx.query('INSERT INTO tx_probe VALUES ($1, $2)', ['c', 3]);
          await tx.query('UPDATE tx_probe SET v = 10 WHERE k = $1', ['a']);
          throw boom;
        })
        .catch((e: unknown) => (caught = e));
      expect(caught).to.equal(boom);
      const { rows } = await db.query<{ k: string; v: number }>('SELECT k, v FROM tx_probe ORDER BY k');
      expect(rows).to.deep.equal([
        { k: 'a', v: 1 },
        { k: 'b', v: 2 },
      ]);
    });

    it('returns rowCount for DML and results of every statement from exec', async () => {
      await db.exec('CREATE TABLE rc_probe (x int)');
      const ins = await db.query('INSERT INTO rc_probe VALUES (1), (2), (3)');
      expect(ins.rowCount).to.equal(3);
      const multi = await db.exec('SELECT 1 AS a; SELECT 2 AS b; UPDATE rc_probe SET x = x + 1');
      expect(multi.map((r) => r.rows)).to.deep.equal([[{ a: 1 }], [{ b: 2 }], []]);
      expect(multi[2]!.rowCount).to.equal(3);
      const count = await db.query<{ n: number }>('SELECT count(*) AS n FROM rc_probe');
      expect(count.rows[0]!.n).to.equal(3);
    });

    it('serialises concurrent read-modify-write transactions without lost updates', async () => {
      await db.exec('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)');
      const workers = 20;
      await Promise.all(
        Array.from({ length: workers }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ n: number }>('SELECT n FROM counter WHERE id = 1 FOR UPDATE');
            await new Promise((r) => setImmediate(r));
            await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
          }),
        ),
      );
      const { rows } = await db.query<{ n: number }>('SELECT n FROM counter WHERE id = 1');
      expect(rows[0]!.n).to.equal(workers);
    });

    it('a failing transaction does not disturb one running alongside it', async () => {
      await db.exec('CREATE TABLE side_probe (k text PRIMARY KEY)');
      const results = await Promise.allSettled([
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO side_probe VALUES ('bad')");
          throw new Error('fail');
        }),
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO side_probe VALUES ('good')");
        }),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'fulfilled']);
      const { rows } = await db.query<{ k: string }>('SELECT k FROM side_probe');
      expect(rows).to.deep.equal([{ k: 'good' }]);
    });

    it('FOR UPDATE SKIP LOCKED hands each row to one claimer', async () => {
      await db.exec('CREATE TABLE work (id int PRIMARY KEY, claimed_by text)');
      await db.query('INSERT INTO work SELECT g, NULL FROM generate_series(1, 6) g');
      const claim = (who: string) =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query<{ id: number }>(
            'SELECT id FROM work WHERE claimed_by IS NULL ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED',
          );
          for (const r of rows) await tx.query('UPDATE work SET claimed_by = $1 WHERE id = $2', [who, r.id]);
          return rows.map((r) => r.id);
        });
      const claims = await Promise.all(['a', 'b', 'c'].map(claim));
      const all = claims.flat().sort((x, y) => x - y);
      expect(all).to.deep.equal([1, 2, 3, 4, 5, 6]);
      if (backend.postgres) {
        // Two open transactions on separate connections: the second skips the row the first holds.
        const c1 = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await c1.connect();
        try {
          await c1.query('BEGIN');
          await c1.query('SELECT id FROM work WHERE id = 1 FOR UPDATE');
          const other = await db.transaction((tx) => tx.query<{ id: number }>('SELECT id FROM work ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED'));
          expect(other.rows[0]!.id).to.equal(2);
          await c1.query('ROLLBACK');
        } finally {
          await c1.end();
        }
      }
    });

    it('session store: set, get, touch, destroy round trip and expiry', async () => {
      const store = new DbSessionStore(db, { pruneIntervalMs: 0 });
      const future = new Date(Date.now() + 60_000);
      await call((cb) => store.set('s1', sessionData(future, { tenantId: 'riverside' }), cb));
      const got = await call<SessionData | null>((cb) => store.get('s1', cb));
      expect((got as unknown as { tenantId: string }).tenantId).to.equal('riverside');
      expect(await call<number>((cb) => store.length(cb))).to.equal(1);

      await call((cb) => store.set('s1', sessionData(future, { tenantId: 'hillside' }), cb));
      expect(((await call<SessionData | null>((cb) => store.get('s1', cb))) as unknown as { tenantId: string }).tenantId).to.equal('hillside');

      // Expired: never returned, then pruned.
      await call((cb) => store.set('old', sessionData(new Date(Date.now() - 1000)), cb));
      expect(await call((cb) => store.get('old', cb))).to.equal(null);
      // touch() moves the expiry forward again
      await call((cb) => store.touch('old', sessionData(future), cb));
      expect(await call((cb) => store.get('old', cb))).to.not.equal(null);
      await call((cb) => store.touch('old', sessionData(new Date(Date.now() - 1000)), cb));
      expect(await store.pruneExpired()).to.equal(1);
      const left = await db.query<{ sid: string }>('SELECT sid FROM sessions ORDER BY sid');
      expect(left.rows.map((r) => r.sid)).to.deep.equal(['s1']);

      await call((cb) => store.destroy('s1', cb));
      expect(await call((cb) => store.get('s1', cb))).to.equal(null);
      store.close();
    });

    it('session store: a touch that moves the expiry forward by less than a minute writes nothing', async () => {
      const store = new DbSessionStore(db, { pruneIntervalMs: 0 });
      const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);
      const stored = async () => new Date((await db.query<{ e: Date }>("SELECT expires_at AS e FROM sessions WHERE sid = 'rolling'")).rows[0]!.e).getTime();
      await call((cb) => store.set('rolling', sessionData(inMinutes(30)), cb));
      const marker = inMinutes(29).getTime();
      await db.query("UPDATE sessions SET expires_at = $1 WHERE sid = 'rolling'", [new Date(marker)]);
      await call((cb) => store.touch('rolling', sessionData(inMinutes(30.5)), cb));
      expect(await stored(), 'half a minute later: not written').to.equal(marker);
      await call((cb) => store.touch('rolling', sessionData(inMinutes(32)), cb));
      expect(await stored(), 'two minutes later: written').to.be.greaterThan(inMinutes(31).getTime());
      await call((cb) => store.touch('rolling', sessionData(inMinutes(5)), cb));
      expect(await stored(), 'backwards: written').to.be.lessThan(inMinutes(6).getTime());
      await call((cb) => store.destroy('rolling', cb));
      store.close();
    });
  });
}

describe('store on PGlite files', () => {
  it('keeps data across reopen under <dataDir>/pglite', async () => {
    const { mkdtemp, rm, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/sp-link-store-`);
    try {
      const a = await openDb({ dataDir: dir });
      await a.query('INSERT INTO sessions (sid, data, expires_at) VALUES ($1, $2, $3)', ['x', '{}', new Date(Date.now() + 60_000)]);
      await a.close();
      expect((await stat(`${dir}/pglite`)).isDirectory()).to.equal(true);
      const b = await openDb({ dataDir: dir });
      const { rows } = await b.query<{ sid: string }>('SELECT sid FROM sessions');
      expect(rows).to.deep.equal([{ sid: 'x' }]);
      await b.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('store on PGlite memory copies', () => {
  it('each in-memory Db is a separate, fully migrated database', async () => {
    const [a, b] = [await openDb({ memory: true }), await openDb({ memory: true })];
    try {
      await a.query('INSERT INTO sessions (sid, data, expires_at) VALUES ($1, $2, now())', ['only-in-a', '{}']);
      const inB = await b.query('SELECT sid FROM sessions');
      expect(inB.rows).to.deep.equal([]);
      const applied = await b.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      expect(applied.rows[0]!.n).to.equal((await loadMigrations()).length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
