import { expect } from 'chai';
import express from 'express';
import { configSchema } from '../../../src/config/schema.js';
import { createRateLimits } from '../../../src/http/rate-limits.js';
import type { Db } from '../../../src/store/db.js';
import { DbRateLimitStore } from '../../../src/store/rate-limit-store.js';
import { listen } from '../../helpers/http.js';
import { POSTGRES_BACKEND, STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

for (const backend of STORE_BACKENDS) {
  describe(`rate-limit store on ${backend.name}`, function () {
    let db: Db;
    const suite = suiteStore(backend, 't_rl');
    before(() => (db = suite.db));

    it('counts hits in a window, starts a new window after it ends, and sweeps ended windows', async () => {
      const store = new DbRateLimitStore(db, 'login-ip:');
      store.init({ windowMs: 60_000 } as Parameters<DbRateLimitStore['init']>[0]);
      try {
        expect((await store.increment('1.2.3.4')).totalHits).to.equal(1);
        const second = await store.increment('1.2.3.4');
        expect(second.totalHits).to.equal(2);
        expect(second.resetTime!.getTime()).to.be.greaterThan(Date.now());
        expect((await store.increment('5.6.7.8')).totalHits, 'each key counts alone').to.equal(1);
        await store.decrement('1.2.3.4');
        expect((await store.get('1.2.3.4'))?.totalHits).to.equal(1);
        await db.query("UPDATE rate_limits SET reset_at = now() - interval '1 second' WHERE key = 'login-ip:1.2.3.4'");
        expect(await store.get('1.2.3.4'), 'an ended window counts nothing').to.equal(undefined);
        expect((await store.increment('1.2.3.4')).totalHits, 'a hit after the window starts a new one').to.equal(1);
        await db.query("UPDATE rate_limits SET reset_at = now() - interval '1 second'");
        expect(await store.sweep()).to.equal(2);
      } finally {
        store.shutdown();
      }
    });
  });
}

describe('rate limits shared by two instances on one PostgreSQL', function () {
  const suite = suiteStore(POSTGRES_BACKEND, 't_rl2');
  const dbs: Db[] = [];
  before(async () => {
    dbs.push(suite.db, await suite.open());
  });

  it('requests spread over both instances are counted together', async () => {
    const rateLimits = configSchema.shape.rateLimits.parse({ login: { perIp: 4 } });
    const servers = await Promise.all(
      dbs.map(async (db) => {
        const limits = createRateLimits({ config: { rateLimits }, db, knownEndpoints: [], paths: { login: ['/launch'], token: [], webhook: '/w/:endpointId', forms: [] } });
        const app = express();
        app.use(limits.router);
        app.get('/launch', (_req, res) => void res.send('ok'));
        const srv = await listen(app);
        return { ...srv, close: async () => (limits.close(), srv.close()) };
      }),
    );
    try {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${servers[i % 2]!.url}/launch`, { headers: { accept: 'application/json' } });
        codes.push(r.status);
        await r.arrayBuffer();
      }
      expect(codes).to.deep.equal([200, 200, 200, 200, 429, 429]);
    } finally {
      for (const s of servers) await s.close();
    }
  });
});
