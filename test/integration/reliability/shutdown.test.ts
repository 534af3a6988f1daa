import { expect } from 'chai';
import { measureShutdown } from '../../../bench/reliability/shutdown.js';

/**
 * The shutdown scenario of `npm run reliability` at a small size: `sp-link start` stopped by SIGTERM twice while
 * GPs create referrals (each stop comes after the first is confirmed) and reconcile runs are under way, stdout
 * closed. Each stop ends in an exit (0, or 1 when the deadline abandoned work), and every referral the GP app
 * confirmed is whole once the instance is up again.
 */
describe('reliability: sp-link start stopped again and again with work in flight', function () {
  this.timeout(600_000);

  it('exits every time, and leaves nothing half-written', async () => {
    const f = await measureShutdown({ cycles: 2, gps: 1 });
    expect(f.exitCodes).to.have.length(2);
    for (const code of f.exitCodes) expect([0, 1], `exit codes ${f.exitCodes.join(' ')}`).to.include(code);
    expect(f).to.include({ notExited: 0, halfWritten: 0, duplicated: 0 });
    // Each stop waits for a confirmed referral, so the check above is about referrals that were in flight.
    expect(f.referralsConfirmed, 'referrals the GP app confirmed before the stops').to.be.greaterThan(0);
  });
});
