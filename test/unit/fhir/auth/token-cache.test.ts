import { expect } from 'chai';
import { TokenCache } from '../../../../src/fhir/auth/token-cache.js';

describe('fhir/auth/token-cache', () => {
  it('shares one in-flight token request among concurrent callers', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const cache = new TokenCache(async () => {
      calls++;
      await gate;
      return { accessToken: `t${calls}`, expiresIn: 3600 };
    });
    const all = Promise.all([cache.get(), cache.get(), cache.get()]);
    release();
    expect(await all).to.deep.equal(['t1', 't1', 't1']);
    expect(calls).to.equal(1);
  });

  it('refreshes before expiry, not after', async () => {
    let now = 0;
    let n = 0;
    const cache = new TokenCache(async () => ({ accessToken: `t${++n}`, expiresIn: 300 }), () => now);
    expect(await cache.get()).to.equal('t1');
    now = 200_000; // 200 s of 300: still fresh (refresh at 240 s)
    expect(await cache.get()).to.equal('t1');
    now = 241_000; // inside the last 60 s: refreshed early
    expect(await cache.get()).to.equal('t2');
  });

  it('invalidate() drops only the rejected token', async () => {
    let n = 0;
    const cache = new TokenCache(async () => ({ accessToken: `t${++n}`, expiresIn: 3600 }));
    expect(await cache.get()).to.equal('t1');
    cache.invalidate('stale-other');
    expect(await cache.get()).to.equal('t1');
    cache.invalidate('t1');
    expect(await cache.get()).to.equal('t2');
  });

  it('a failed token request is not cached', async () => {
    let n = 0;
    const cache = new TokenCache(async () => {
      if (++n === 1) throw new Error('down');
      return { accessToken: 'ok' };
    });
    let err: unknown;
    await cache.get().catch((e: unknown) => (err = e));
    expect((err as Error).message).to.equal('down');
    expect(await cache.get()).to.equal('ok');
  });
});
