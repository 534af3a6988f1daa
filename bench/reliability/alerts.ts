/**
 * Alert latency: how long after something goes wrong an operator's alerting can know. A link-worker endpoint that
 * starts refusing every request (a stuck endpoint), then a Task that cannot be applied (a new dead letter), with
 * the reconciler as deployed: its poll schedule, in-call retries, run backoff and alert threshold at their defaults.
 * Times are to the metric the shipped alert rule reads (as a scrape would read it) and to the `/readyz` detail;
 * Prometheus adds its scrape interval and the rule's `for`.
 */
import type { Task } from '@medplum/fhirtypes';
import type { HealthRegistry } from '../../src/observability/health.js';
import { metricsRegistry } from '../../src/observability/metrics.js';
import { create, ENDPOINT, taskFor, type Fault, type Harness, type HarnessOptions } from '../../test/integration/reconcile/harness.js';

export interface AlertFigures {
  /** Stuck endpoint → `sp_link_reconcile_endpoint_alert` 1. */
  stuckEndpointMetricS: number;
  /** Stuck endpoint → `/readyz` detail `reconcile:<endpoint>` down. */
  stuckEndpointReadyzS: number;
  /** New dead letter → `sp_link_reconcile_dead_letters_open` above 0. */
  deadLetterMetricS: number;
}

/** Harness options: the deployed schedule and defaults (no shortened retries), readiness reported to `health`. */
export function alertHarnessOptions(health: HealthRegistry, o: { pollSchedule?: string; alertAfterFailedRuns?: number } = {}): HarnessOptions {
  return { reconcile: { pollSchedule: o.pollSchedule ?? '*/15 * * * * *', alertAfterFailedRuns: o.alertAfterFailedRuns ?? 5 }, ctx: { background: true, health, tuning: {} } };
}

/** The value of one series of a gauge, as a scrape would read it (collect hooks run). */
async function gauge(name: string, endpoint: string): Promise<number> {
  const m = metricsRegistry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const v = (await m.get()).values.find((x) => x.labels.endpoint === endpoint);
  return v?.value ?? 0;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await check()) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function measureAlerts(h: Harness, health: HealthRegistry, timeoutMs = 600_000): Promise<AlertFigures> {
  const readyz = async () => (await health.run()).checks[`reconcile:${ENDPOINT}`]?.status;
  // A first complete run, so nothing left from before counts.
  await until('first complete run', async () => (await readyz()) === 'up' && (await health.run()).checks[`reconcile:${ENDPOINT}`]?.detail?.startsWith('caught up') === true, timeoutMs);

  const stuck: Fault = { server: 'lw', status: 503, times: Number.MAX_SAFE_INTEGER };
  h.inject(stuck);
  const t0 = performance.now();
  const readyzS = await until('readyz down', async () => (await readyz()) === 'down', timeoutMs);
  await until('endpoint alert', async () => (await gauge('sp_link_reconcile_endpoint_alert', ENDPOINT)) === 1, timeoutMs);
  const metricS = (performance.now() - t0) / 1000;
  stuck.times = 0;
  await until('alert cleared', async () => (await gauge('sp_link_reconcile_endpoint_alert', ENDPOINT)) === 0, timeoutMs);

  // A Task naming a referral the EHR does not have: dead-lettered with its cause.
  await create<Task>(h.lwBase, taskFor(h, { id: 'no-such-referral' }, 0, { status: 'accepted' }));
  const deadS = await until('dead letter open', async () => (await gauge('sp_link_reconcile_dead_letters_open', ENDPOINT)) > 0, timeoutMs);
  return { stuckEndpointMetricS: metricS, stuckEndpointReadyzS: readyzS, deadLetterMetricS: deadS };
}
