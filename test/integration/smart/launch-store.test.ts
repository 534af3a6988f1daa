import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { LaunchStore, type GpLaunch } from '../../../src/smart/launch-store.js';
import type { Db } from '../../../src/store/db.js';
import { SessionCipher } from '../../../src/store/session-cipher.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const HOUR = 60 * 60 * 1000;

const launch = (over: Partial<GpLaunch> = {}): GpLaunch => ({
  tenantId: 'practice',
  iss: 'https://ehr.example/fhir',
  patient: 'pat-01',
  needPatientBanner: true,
  scope: 'launch openid fhirUser patient/ServiceRequest.cru',
  accessToken: `access-${randomBytes(8).toString('hex')}`,
  refreshToken: `refresh-${randomBytes(8).toString('hex')}`,
  expiresAt: Date.now() + HOUR,
  launchedAt: Date.now(),
  csrfToken: randomBytes(32).toString('base64url'),
  ...over,
});

for (const backend of STORE_BACKENDS) {
  describe(`GP launch store on ${backend.name}`, function () {
    let db: Db;
    const cipher = new SessionCipher('launch-store-test-secret-0123456789abcdef');
    const suite = suiteStore(backend, 't_launch');
    const open = () => suite.open();
    before(() => (db = suite.db));

    it('stores a launch sealed at rest and hands it back by handle', async () => {
      const store = new LaunchStore(db, cipher, HOUR);
      const l = launch();
      const handle = await store.create(l);
      expect(handle).to.match(/^[A-Za-z0-9_-]{32}$/);
      expect(await store.use(handle)).to.deep.equal(l);
      const raw = JSON.stringify((await db.query('SELECT data FROM gp_launches WHERE handle = $1', [handle])).rows);
      for (const secret of [l.accessToken, l.refreshToken!, l.csrfToken, l.patient]) expect(raw.includes(secret), secret).to.equal(false);
      expect(await new LaunchStore(db, new SessionCipher('another-secret-0123456789abcdefghij'), HOUR).use(handle), 'another key opens nothing').to.equal(undefined);
      await store.remove([handle]);
      expect(await store.use(handle)).to.equal(undefined);
    });

    it('renews a launch’s idle expiry on use, writing it at most once a minute of use', async () => {
      const store = new LaunchStore(db, cipher, HOUR);
      const handle = await store.create(launch());
      const expiresAt = async () => new Date((await db.query<{ e: Date }>('SELECT expires_at AS e FROM gp_launches WHERE handle = $1', [handle])).rows[0]!.e).getTime();
      await db.query("UPDATE gp_launches SET expires_at = now() + interval '10 minutes' WHERE handle = $1", [handle]);
      expect(await store.use(handle)).to.not.equal(undefined);
      const renewed = await expiresAt();
      expect(renewed - Date.now(), 'renewed to an hour ahead').to.be.greaterThan(HOUR - 5 * 60_000);
      // Used again within the minute: the stored expiry is close enough, nothing is written.
      await db.query("UPDATE gp_launches SET expires_at = expires_at - interval '30 seconds' WHERE handle = $1", [handle]);
      expect(await store.use(handle)).to.not.equal(undefined);
      expect(await expiresAt()).to.equal(renewed - 30_000);
    });

    it('never serves an expired launch, and clears expired rows when a new launch is stored', async () => {
      const stale = await new LaunchStore(db, cipher, -1000).create(launch());
      const store = new LaunchStore(db, cipher, HOUR);
      expect(await store.use(stale)).to.equal(undefined);
      expect(await store.update(stale, async (c) => c)).to.equal(undefined);
      await store.create(launch());
      expect((await db.query('SELECT 1 FROM gp_launches WHERE handle = $1', [stale])).rowCount).to.equal(0);
    });

    it('update stores what the callback returns, and nothing when it throws', async () => {
      const store = new LaunchStore(db, cipher, HOUR);
      const handle = await store.create(launch());
      const next = await store.update(handle, async (c) => ({ ...c, accessToken: 'new-access' }));
      expect(next?.accessToken).to.equal('new-access');
      expect((await store.use(handle))?.accessToken).to.equal('new-access');
      await store.update(handle, async () => {
        throw new Error('token endpoint said no');
      }).catch(() => undefined);
      expect((await store.use(handle))?.accessToken).to.equal('new-access');
    });

    if (backend.postgres) {
      it('two instances refreshing one launch at once: the second sees the first one’s token and does not refresh again', async () => {
        const [a, b] = [new LaunchStore(db, cipher, HOUR), new LaunchStore(await open(), cipher, HOUR)];
        const handle = await a.create(launch({ accessToken: 'old', expiresAt: 0 }));
        let refreshes = 0;
        const refresh = (store: LaunchStore) =>
          store.update(handle, async (cur) => {
            if (cur.accessToken !== 'old') return cur;
            refreshes++;
            await new Promise((r) => setTimeout(r, 100));
            return { ...cur, accessToken: `fresh-${refreshes}`, expiresAt: Date.now() + HOUR };
          });
        const [ra, rb] = await Promise.all([refresh(a), refresh(b)]);
        expect(refreshes).to.equal(1);
        expect(ra?.accessToken).to.equal('fresh-1');
        expect(rb?.accessToken).to.equal('fresh-1');
      });
    }
  });
}
