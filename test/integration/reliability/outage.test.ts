import { expect } from 'chai';
import { listDeadLetters } from '../../../src/reconcile/store/dead-letters.js';
import { ENDPOINT, startHarness, type Fault, type Harness } from '../reconcile/harness.js';
import { referralHistory, wrongStatus, type Referral } from '../../../bench/reliability/histories.js';
import { ehrEffects } from '../../../bench/reliability/ehr-effects.js';

/**
 * An EHR that refuses every write is an outage, not bad Tasks: however many runs fail while it lasts (more
 * than reconcile.maxAttempts), no Task version is given up on, and everything arrives once when it ends.
 */
describe('reliability: an EHR outage longer than maxAttempts runs', function () {
  this.timeout(300_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ reconcile: { maxAttempts: 3 } });
  });
  after(async () => h?.close());

  it('parks nothing while the EHR refuses every write, then applies every change once', async () => {
    // Write-back transactions (POST to the base) refused; referrals are still created (a GP system's own UI).
    const down: Fault = { server: 'ehr', method: 'POST', path: /^\/(\?.*)?$/, status: 503, times: 1_000_000 };
    h.inject(down);
    const made: Referral[] = [];
    for (let run = 0; run < 6; run++) {
      // Link workers keep working through the outage.
      made.push(await referralHistory(h, run));
      const r = await h.reconciler.runOnce();
      expect(r.endpoints[ENDPOINT]!.status, `run ${run}`).to.equal('stopped-on-failure');
      expect(r.endpoints[ENDPOINT]!.deadLettered, `run ${run}`).to.equal(0);
    }
    expect(await listDeadLetters(h.db)).to.have.length(0);
    down.times = 0;
    const r = await h.reconciler.runOnce();
    expect(r.endpoints[ENDPOINT]).to.include({ status: 'caught-up', deadLettered: 0 });
    const e = await ehrEffects(h.ehrBase);
    expect(wrongStatus(made, e.statusBySr)).to.deep.equal([]);
    expect(e.duplicates).to.equal(0);
  });
});
