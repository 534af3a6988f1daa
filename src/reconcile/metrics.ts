import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.js';

/** Reconciler metrics (docs/OPERATIONS.md lists them with what to alert on). */
const caughtUpAt = new Map<string, number>();
const processStart = Date.now();

/** Records that every change at `endpointId` up to `at` (the start of a complete run) is durable. */
export function markCaughtUp(endpointId: string, at: Date): void {
  caughtUpAt.set(endpointId, at.getTime());
}

/** Seconds since the start of the last run of `endpointId` that caught up completely (since process start if none). */
export function lagSeconds(endpointId: string): number {
  return (Date.now() - (caughtUpAt.get(endpointId) ?? processStart)) / 1000;
}

const knownEndpoints = new Set<string>();
const failedRuns = new Map<string, number>();
let alertThreshold = 5;
export function registerEndpoint(endpointId: string): void {
  knownEndpoints.add(endpointId);
}

/** The number of failed runs in a row that raises an endpoint's alert (config reconcile.alertAfterFailedRuns). */
export function setAlertThreshold(n: number): void {
  alertThreshold = n;
}

/** Records how many runs of an endpoint have failed in a row (0 after one that caught up); drives the alert. */
export function reportFailedRuns(endpointId: string, n: number): void {
  failedRuns.set(endpointId, n);
  reconcileMetrics.consecutiveFailedRuns.set({ endpoint: endpointId }, n);
}

/** True while the endpoint's alert is raised. */
const stalledEndpoints = new Map<string, string>();

/** Marks the endpoint stalled (with the reason) or not; returns whether that changed. */
export function reportStalled(endpointId: string, reason: string | undefined): boolean {
  const was = stalledEndpoints.has(endpointId);
  if (reason) stalledEndpoints.set(endpointId, reason);
  else stalledEndpoints.delete(endpointId);
  return was !== Boolean(reason);
}

export function alertRaised(endpointId: string): boolean {
  return (failedRuns.get(endpointId) ?? 0) >= alertThreshold;
}

export const reconcileMetrics = {
  lagSeconds: new Gauge({
    name: 'sp_link_reconcile_lag_seconds',
    help: 'Seconds since the start of the last change-feed run that caught up completely: how stale the GP record may be.',
    labelNames: ['endpoint'] as const,
    registers: [metricsRegistry],
    collect() {
      for (const id of knownEndpoints) this.set({ endpoint: id }, lagSeconds(id));
    },
  }),
  tasksProcessed: new Counter({
    name: 'sp_link_reconcile_tasks_processed_total',
    help: 'Task versions seen by the reconciler, by outcome (applied, duplicate, dead-lettered, failed, onward).',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  writeBacks: new Counter({
    name: 'sp_link_reconcile_writebacks_total',
    help: 'EHR resources written back (entries in committed transactions), by tenant.',
    labelNames: ['endpoint', 'tenant'] as const,
    registers: [metricsRegistry],
  }),
  failures: new Counter({
    name: 'sp_link_reconcile_failures_total',
    help: 'Failures, by stage (feed, notification, write, task, outbox, subscription, escalation): every failure counts, retried or dead-lettered.',
    labelNames: ['endpoint', 'stage'] as const,
    registers: [metricsRegistry],
  }),
  deadLetters: new Counter({
    name: 'sp_link_reconcile_dead_letters_total',
    help: 'Items parked as dead letters, by kind (task-version, outbox).',
    labelNames: ['endpoint', 'kind'] as const,
    registers: [metricsRegistry],
  }),
  outputsNotCarried: new Counter({
    name: 'sp_link_reconcile_outputs_not_carried_total',
    help: 'Task outputs applied without being carried into the GP record (recorded in Provenance and the GP message), by why.',
    labelNames: ['endpoint', 'kind'] as const,
    registers: [metricsRegistry],
  }),
  consecutiveFailedRuns: new Gauge({
    name: 'sp_link_reconcile_consecutive_failed_runs',
    help: 'Change-feed runs of the endpoint that failed in a row (0 after a run that caught up).',
    labelNames: ['endpoint'] as const,
    registers: [metricsRegistry],
  }),
  endpointAlert: new Gauge({
    name: 'sp_link_reconcile_endpoint_alert',
    help: '1 while the endpoint has failed reconcile.alertAfterFailedRuns runs in a row, else 0: page someone.',
    labelNames: ['endpoint'] as const,
    registers: [metricsRegistry],
    collect() {
      for (const id of knownEndpoints) this.set({ endpoint: id }, alertRaised(id) ? 1 : 0);
    },
  }),
  endpointStalled: new Gauge({
    name: 'sp_link_reconcile_endpoint_stalled',
    help: '1 while the endpoint cannot make progress although it has changes to read (e.g. its search next links are refused), else 0: page someone.',
    labelNames: ['endpoint'] as const,
    registers: [metricsRegistry],
    collect() {
      for (const id of knownEndpoints) this.set({ endpoint: id }, stalledEndpoints.has(id) ? 1 : 0);
    },
  }),
  openDeadLetters: new Gauge({
    name: 'sp_link_reconcile_dead_letters_open',
    help: 'Open (unresolved) dead letters per endpoint.',
    labelNames: ['endpoint'] as const,
    registers: [metricsRegistry],
  }),
  pollDuration: new Histogram({
    name: 'sp_link_reconcile_poll_duration_seconds',
    help: 'Duration of one change-feed run per endpoint.',
    labelNames: ['endpoint', 'trigger'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [metricsRegistry],
  }),
  notifications: new Counter({
    name: 'sp_link_reconcile_notifications_total',
    help: 'Rest-hook notifications received, by result (accepted, unauthorized, unknown-endpoint).',
    labelNames: ['endpoint', 'result'] as const,
    registers: [metricsRegistry],
  }),
  subscriptionFallbacks: new Counter({
    name: 'sp_link_reconcile_subscription_fallbacks_total',
    help: 'Times an endpoint fell back to polling because rest-hook notifications were not arriving.',
    labelNames: ['endpoint'] as const,
    registers: [metricsRegistry],
  }),
  notificationsActive: new Gauge({
    name: 'sp_link_reconcile_notifications_active',
    help: '1 while the endpoint has an active Subscription whose notifications arrive, else 0 (polling carries it).',
    labelNames: ['endpoint'] as const,
    registers: [metricsRegistry],
  }),
  outbox: new Counter({
    name: 'sp_link_reconcile_outbox_total',
    help: 'Outbox rows handled, by result (delivered, discarded, retry, dead-lettered).',
    labelNames: ['endpoint', 'result'] as const,
    registers: [metricsRegistry],
  }),
};
