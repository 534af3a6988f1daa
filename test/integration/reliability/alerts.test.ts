import { expect } from 'chai';
import { HealthRegistry } from '../../../src/observability/health.js';
import { startHarness, type Harness } from '../reconcile/harness.js';
import { alertHarnessOptions, measureAlerts } from '../../../bench/reliability/alerts.js';

/**
 * The alert-latency scenario of `npm run reliability`, with a poll every second and the alert after 2 failed runs:
 * a stuck endpoint turns `/readyz` detail and `sp_link_reconcile_endpoint_alert` on, and a new dead letter shows in
 * `sp_link_reconcile_dead_letters_open` (the metrics ops/prometheus/alerts.yml alerts on).
 */
describe('reliability: a stuck endpoint and a new dead letter reach the alerting metrics', function () {
  this.timeout(300_000);
  let h: Harness | undefined;
  after(async () => h?.close());

  it('raises the endpoint alert, reports the endpoint down and counts the open dead letter', async () => {
    const health = new HealthRegistry();
    h = await startHarness(alertHarnessOptions(health, { pollSchedule: '* * * * * *', alertAfterFailedRuns: 2 }));
    const f = await measureAlerts(h, health, 240_000);
    // Each wait throws when its signal never comes; these are the times it took.
    for (const s of Object.values(f)) expect(s).to.be.a('number').and.at.least(0);
  });
});
