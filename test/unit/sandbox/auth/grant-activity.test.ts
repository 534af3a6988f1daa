import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import type Provider from 'oidc-provider';
import { cachedGrantActivity } from '../../../../src/sandbox/auth/grant-activity.js';

/** A provider whose grants are a set, counting how often the store is asked. */
function fakeProvider(grants: Set<string>) {
  const provider = Object.assign(new EventEmitter(), {
    lookups: 0,
    Grant: { find: async (id: string) => { provider.lookups++; return grants.has(id) ? { jti: id } : undefined; } },
  });
  return provider;
}

describe('sandbox/auth/grant-activity: the grant check on every FHIR request', () => {
  it('asks the store once per grant within the time to live, and again after it', async () => {
    let clock = 0;
    const p = fakeProvider(new Set(['g1']));
    const active = cachedGrantActivity(p as unknown as Provider, { ttlMs: 5_000, now: () => clock });
    expect(await active('g1')).to.equal(true);
    clock = 4_999;
    expect(await active('g1')).to.equal(true);
    expect(p.lookups).to.equal(1);
    clock = 5_000;
    expect(await active('g1')).to.equal(true);
    expect(p.lookups).to.equal(2);
  });

  it('refuses a grant revoked by the provider from the next request, without waiting for the time to live', async () => {
    const grants = new Set(['g1']);
    const p = fakeProvider(grants);
    const active = cachedGrantActivity(p as unknown as Provider, { ttlMs: 60_000, now: () => 0 });
    expect(await active('g1')).to.equal(true);
    grants.delete('g1');
    p.emit('grant.revoked', {}, 'g1');
    expect(await active('g1')).to.equal(false);
  });

  it('never remembers an inactive grant, and keeps at most maxEntries', async () => {
    const grants = new Set<string>();
    const p = fakeProvider(grants);
    const active = cachedGrantActivity(p as unknown as Provider, { ttlMs: 60_000, maxEntries: 2, now: () => 0 });
    expect(await active('late')).to.equal(false);
    grants.add('late');
    expect(await active('late')).to.equal(true);
    for (const g of ['a', 'b']) { grants.add(g); await active(g); }
    const before = p.lookups;
    await active('late'); // pushed out by a and b: asked again
    await active('b'); // still kept
    expect(p.lookups - before).to.equal(1);
  });
});
