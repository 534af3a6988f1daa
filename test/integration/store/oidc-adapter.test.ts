import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { AdapterPayload } from 'oidc-provider';
import type { Db } from '../../../src/store/db.js';
import { OidcStore } from '../../../src/store/oidc-adapter.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const SECRET = 'oidc-adapter-test-secret-0123456789abcdef';

const token = () => randomBytes(32).toString('base64url');
const payload = (p: Record<string, unknown>) => p as unknown as AdapterPayload;

for (const backend of STORE_BACKENDS) {
  describe(`oidc-provider adapter on ${backend.name}`, function () {
    let db: Db;
    let store: OidcStore;
    after(() => store?.close());
    const suite = suiteStore(backend, 't_oidc');

    before(() => {
      db = suite.db;
      store = new OidcStore(db, { secret: SECRET, pruneIntervalMs: 0 });
    });

    const adapter = (model: string, namespace = 'ns-a') => store.adapterFactory(namespace)(model);

    it('upsert then find returns the payload; an unknown id finds nothing', async () => {
      const id = token();
      const a = adapter('RefreshToken');
      await a.upsert(id, payload({ jti: id, grantId: 'g-1', accountId: 'acc-1', scope: 'openid offline_access' }), 3600);
      expect(await a.find(id)).to.deep.include({ jti: id, grantId: 'g-1', accountId: 'acc-1', scope: 'openid offline_access' });
      expect(await a.find(token())).to.equal(undefined);
      expect(await adapter('AccessToken').find(id), 'models are kept apart').to.equal(undefined);
    });

    it('a second upsert of the same id replaces the payload and its expiry', async () => {
      const id = token();
      const a = adapter('Grant');
      await a.upsert(id, payload({ jti: id, accountId: 'acc-1' }), 1);
      await db.query("UPDATE oidc_records SET expires_at = now() - interval '1 second'");
      await a.upsert(id, payload({ jti: id, accountId: 'acc-2' }), 3600);
      expect((await a.find(id))?.accountId).to.equal('acc-2');
    });

    it('honours expiry on read, keeps records without expiresIn, and prunes expired rows', async () => {
      const expiring = token();
      const forever = token();
      const a = adapter('Session');
      await a.upsert(expiring, payload({ uid: token(), accountId: 'acc-1' }), 60);
      await a.upsert(forever, payload({ uid: token(), accountId: 'acc-1' }));
      expect(await a.find(expiring)).to.not.equal(undefined);
      await db.query('UPDATE oidc_records SET expires_at = now() - interval \'1 second\' WHERE expires_at IS NOT NULL');
      expect(await a.find(expiring)).to.equal(undefined);
      expect(await a.find(forever)).to.not.equal(undefined);
      expect(await store.pruneExpired()).to.be.greaterThan(0);
      const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM oidc_records WHERE expires_at IS NOT NULL AND expires_at <= now()');
      expect(left.rows[0]!.n).to.equal(0);
      expect(await a.find(forever)).to.not.equal(undefined);
    });

    it('finds a Session by uid and a DeviceCode by user code', async () => {
      const id = token();
      const uid = token();
      await adapter('Session').upsert(id, payload({ uid, accountId: 'acc-9' }), 600);
      expect((await adapter('Session').findByUid(uid))?.accountId).to.equal('acc-9');
      expect(await adapter('Session').findByUid(token())).to.equal(undefined);
      const code = token();
      await adapter('DeviceCode').upsert(code, payload({ userCode: 'ABCD-EFGH', grantId: 'g-dev' }), 600);
      expect((await adapter('DeviceCode').findByUserCode('ABCD-EFGH'))?.grantId).to.equal('g-dev');
      expect(await adapter('DeviceCode').findByUserCode('WXYZ-WXYZ')).to.equal(undefined);
    });

    it('consume marks the record consumed (epoch seconds) and keeps it findable', async () => {
      const id = token();
      const a = adapter('AuthorizationCode');
      await a.upsert(id, payload({ jti: id, grantId: 'g-2' }), 60);
      expect((await a.find(id))?.consumed).to.equal(undefined);
      const before = Math.floor(Date.now() / 1000) - 5;
      await a.consume(id);
      const consumed = (await a.find(id))?.consumed as number;
      expect(consumed).to.be.a('number').and.at.least(before);
    });

    it('destroy removes the record', async () => {
      const id = token();
      const a = adapter('Interaction');
      await a.upsert(id, payload({ uid: id, params: { client_id: 'c' } }), 600);
      await a.destroy(id);
      expect(await a.find(id)).to.equal(undefined);
    });

    it('revokeByGrantId removes every token of that grant, and nothing else', async () => {
      const [code, refresh, access, otherRefresh, session, grant, elsewhere] = [token(), token(), token(), token(), token(), token(), token()];
      await adapter('AuthorizationCode').upsert(code, payload({ jti: code, grantId: 'g-3' }), 60);
      await adapter('RefreshToken').upsert(refresh, payload({ jti: refresh, grantId: 'g-3' }), 600);
      await adapter('AccessToken').upsert(access, payload({ jti: access, grantId: 'g-3' }), 600);
      await adapter('RefreshToken').upsert(otherRefresh, payload({ jti: otherRefresh, grantId: 'g-4' }), 600);
      await adapter('Session').upsert(session, payload({ uid: token(), grantId: 'g-3' }), 600);
      await adapter('Grant').upsert(grant, payload({ jti: 'g-3', accountId: 'acc' }), 600);
      await adapter('RefreshToken', 'ns-b').upsert(elsewhere, payload({ jti: elsewhere, grantId: 'g-3' }), 600);
      await adapter('RefreshToken').revokeByGrantId('g-3');
      expect(await adapter('AuthorizationCode').find(code)).to.equal(undefined);
      expect(await adapter('RefreshToken').find(refresh)).to.equal(undefined);
      expect(await adapter('AccessToken').find(access)).to.equal(undefined);
      expect(await adapter('RefreshToken').find(otherRefresh), 'another grant').to.not.equal(undefined);
      expect(await adapter('Session').find(session), 'not grant-bound').to.not.equal(undefined);
      expect(await adapter('Grant').find(grant), 'the grant itself is destroyed by oidc-provider').to.not.equal(undefined);
      expect(await adapter('RefreshToken', 'ns-b').find(elsewhere), 'another provider').to.not.equal(undefined);
    });

    it('revokes extra grant-bound models named by the provider', async () => {
      const grantId = token();
      const a = store.adapterFactory('ns-c', { grantBound: ['SmartLaunchContext'] })('SmartLaunchContext');
      await a.upsert(grantId, payload({ grantId, context: { patient: 'p-1' } }), 600);
      expect(await a.find(grantId)).to.deep.include({ grantId });
      await a.revokeByGrantId(grantId);
      expect(await a.find(grantId)).to.equal(undefined);
    });

    it('stores no token in the clear: ids are hashed and payloads sealed; another secret cannot read them', async () => {
      const id = token();
      await adapter('RefreshToken').upsert(id, payload({ jti: id, grantId: 'g-5', accountId: 'gp-1' }), 600);
      const { rows } = await db.query('SELECT * FROM oidc_records');
      const dump = JSON.stringify(rows);
      expect(dump).to.not.include(id);
      expect(dump).to.not.include('gp-1');
      const other = new OidcStore(db, { secret: 'another-secret-0123456789abcdef0123456789', pruneIntervalMs: 0 });
      expect(await other.adapterFactory('ns-a')('RefreshToken').find(id)).to.equal(undefined);
      other.close();
    });

    it('waits for a Db that is still opening', async () => {
      let open!: (db: Db) => void;
      const later = new OidcStore(new Promise<Db>((resolve) => (open = resolve)), { secret: SECRET, pruneIntervalMs: 0 });
      const id = token();
      const a = later.adapterFactory('ns-d')('Grant');
      const pending = a.upsert(id, payload({ jti: id, accountId: 'acc' }), 600);
      open(db);
      await pending;
      expect((await a.find(id))?.accountId).to.equal('acc');
      later.close();
    });
  });
}
