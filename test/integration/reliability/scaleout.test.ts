import { expect } from 'chai';
import { requirePostgres } from '../../helpers/postgres.js';
import { startHarness, type Harness } from '../reconcile/harness.js';
import { scenarioStore, type ScenarioStore } from '../../../bench/reliability/store.js';
import { drainWithInstances } from '../../../bench/reliability/scaleout.js';

/**
 * The scale-out scenario of `npm run reliability` at a small size: three reconciler processes on one PostgreSQL
 * schema, the lease holder SIGKILLed in its work and restarted every second or so while they drain a backlog.
 * Nothing lost, nothing twice.
 */
describe('reliability: three reconciler processes on one store, the lease holder killed repeatedly', function () {
  this.timeout(420_000);
  let store: ScenarioStore;
  let h: Harness | undefined;
  before(async function () {
    await requirePostgres(this);
    store = await scenarioStore();
  });
  after(async () => {
    await h?.close();
    await store?.close();
  });

  it('applies every referral history once', async () => {
    h = await startHarness({ db: await store.open() });
    const f = await drainWithInstances(h, store.shared!, { referrals: 12, instances: 3, killEveryMs: 1200, timeoutMs: 240_000 });
    expect(f.referrals).to.equal(12);
    expect(f).to.include({ lost: 0, duplicates: 0, deadLetters: 0 });
  });
});
