import type { Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { HealthRegistry } from '../../observability/health.js';
import type { EndpointRuntime } from '../runtime.js';
import { readCursor } from '../store/cursors.js';
import { NEXT_LINK_REFUSED } from '../../fhir/client.js';
import { alertRaised, lagSeconds, reconcileMetrics, registerEndpoint, reportStalled } from '../metrics.js';
import { SubscriptionMonitor } from './subscription-monitor.js';
import { processTaskIds, processTaskVersions, runEndpoint, type FeedDeps, type RunOptions, type RunResult } from './change-feed.js';

/** How long notified Task ids are gathered before one fetch (latency vs. requests per Task). */
const NOTIFY_GATHER_MS = 15;

/**
 * Serialises all reconcile work for one endpoint inside this process (no overlapping runs), and gathers
 * rest-hook notifications into one `Task?_id=…` fetch. Across processes the DB lease does the same job.
 */
export class EndpointWorker {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly pendingIds = new Set<string>();
  private pendingPoll = false;
  private gatherTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether this endpoint's notifications arrive (upkeep and the feed report to it). */
  readonly notifications: SubscriptionMonitor;

  constructor(
    private readonly deps: FeedDeps,
    readonly rt: EndpointRuntime,
    private readonly log: Logger,
    private readonly health?: HealthRegistry,
  ) {
    registerEndpoint(rt.id);
    this.notifications = new SubscriptionMonitor((rt.config.subscriptions.notificationTimeoutSeconds ?? 120) * 1000, Date.now());
  }

  /** Runs work after whatever is queued for this endpoint. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A scheduled tick: poll unless a run is queued already or the endpoint is backing off after failures. */
  async tick(): Promise<RunResult | undefined> {
    if (this.stopped || this.pendingPoll) return undefined;
    const row = await readCursor(this.deps.db, this.rt.id);
    if (row.nextRunAt && Date.parse(row.nextRunAt) > Date.now()) return undefined;
    return this.poll({ trigger: 'schedule' });
  }

  /** Queues a full change-feed run (coalesced with one already waiting). */
  poll(o: RunOptions): Promise<RunResult> {
    if (o.trigger === 'schedule' || o.trigger === 'notification') this.pendingPoll = true;
    return this.enqueue(async () => {
      this.pendingPoll = false;
      const r = await this.observe(() => runEndpoint(this.deps, this.rt, o));
      if ((o.trigger === 'schedule' || o.trigger === 'once') && this.notifications.polledChanges(r.oldestNew, Date.now())) this.fellBack();
      return r;
    });
  }

  /** Notifications are not arriving: say so once; polling carries the endpoint and upkeep re-requests the Subscription. */
  fellBack(): void {
    const s = this.notifications.status();
    reconcileMetrics.subscriptionFallbacks.inc({ endpoint: this.rt.id });
    reconcileMetrics.notificationsActive.set({ endpoint: this.rt.id }, 0);
    this.log.warn({ endpoint: this.rt.id, detail: s.detail, lastNotificationAt: s.lastNotificationAt }, 'rest-hook notifications are not arriving: falling back to polling');
  }

  /** A rest-hook notification named these Tasks: fetch and reconcile them shortly, in one batch. */
  notified(taskIds: readonly string[]): void {
    if (this.stopped) return;
    const wasActive = this.notifications.status().mode === 'active';
    this.notifications.notified(Date.now());
    if (!wasActive) {
      reconcileMetrics.notificationsActive.set({ endpoint: this.rt.id }, 1);
      this.log.info({ endpoint: this.rt.id }, 'rest-hook notifications arriving');
    }
    if (taskIds.length === 0) {
      // An empty ("ping") notification says only that something changed.
      void this.poll({ trigger: 'notification' }).catch((err: unknown) => this.log.error({ err }, 'notification poll failed'));
      return;
    }
    for (const id of taskIds) this.pendingIds.add(id);
    this.gatherTimer ??= setTimeout(() => {
      this.gatherTimer = undefined;
      void this.enqueue(() => this.flushNotified()).catch((err: unknown) => this.log.error({ err }, 'notified tasks failed'));
    }, NOTIFY_GATHER_MS);
  }

  private async flushNotified(): Promise<RunResult | undefined> {
    const ids = [...this.pendingIds];
    this.pendingIds.clear();
    if (ids.length === 0 || this.stopped) return undefined;
    const row = await readCursor(this.deps.db, this.rt.id);
    // While backing off after failures, leave the Tasks to the feed rather than burn their attempts.
    if (row.nextRunAt && Date.parse(row.nextRunAt) > Date.now()) return undefined;
    return this.observe(() => processTaskIds(this.deps, this.rt, ids));
  }

  /** Reconciles exactly these Task versions, in order (tooling, tests). */
  applyVersions(tasks: readonly Task[]): Promise<RunResult> {
    return this.enqueue(() => this.observe(() => processTaskVersions(this.deps, this.rt, tasks)));
  }

  /** Re-processes specific Tasks now (dead-letter replay), ignoring the applied-version de-dup. */
  replay(taskIds: readonly string[]): Promise<RunResult> {
    return this.enqueue(() => this.observe(() => processTaskIds(this.deps, this.rt, taskIds, { force: true })));
  }

  private async observe(fn: () => Promise<RunResult>): Promise<RunResult> {
    try {
      const r = await fn();
      this.report(r);
      return r;
    } catch (err) {
      this.log.error({ err, endpoint: this.rt.id }, 'reconcile run failed');
      this.health?.report(`reconcile:${this.rt.id}`, 'down', (err as Error).message);
      throw err;
    }
  }

  private report(r: RunResult): void {
    const lag = Math.round(lagSeconds(this.rt.id));
    // Detail only: an external endpoint's trouble never makes this instance unready (the check is not critical).
    const notifications = `notifications: ${this.notifications.status().mode}`;
    const stalled = r.status === 'stopped-on-failure' && r.error?.includes(NEXT_LINK_REFUSED) ? r.error : undefined;
    if (reportStalled(this.rt.id, stalled)) {
      if (stalled) {
        this.log.error({ endpoint: this.rt.id, reason: stalled }, 'ALERT: link-worker endpoint stalled: its search paging points to another base, so Tasks past the first page are not read; set nextLinkBase for it if a gateway rewrites its address');
      } else this.log.info({ endpoint: this.rt.id }, 'link-worker endpoint no longer stalled');
    }
    switch (r.status) {
      case 'caught-up':
        this.health?.report(`reconcile:${this.rt.id}`, 'up', `caught up; lag ${lag}s; ${notifications}`);
        break;
      case 'stopped-on-failure':
        if (stalled) {
          this.health?.report(`reconcile:${this.rt.id}`, 'down', `STALLED: changes are waiting past the first page, but the server's next link is refused (lag ${lag}s): ${stalled}`);
          break;
        }
        this.health?.report(`reconcile:${this.rt.id}`, 'down', `${alertRaised(this.rt.id) ? 'ALERT: failing every run; ' : ''}retrying after failure (lag ${lag}s; ${notifications}): ${r.error ?? 'unknown error'}`);
        break;
      case 'busy':
      case 'lease-lost':
        // Another instance holds the endpoint; its own health is reported there.
        break;
      default:
        r.status satisfies never;
    }
  }

  /** Waits for queued work to finish. */
  async idle(): Promise<void> {
    while (this.gatherTimer || this.pendingIds.size > 0) await new Promise((r) => setTimeout(r, NOTIFY_GATHER_MS));
    let c: Promise<unknown>;
    do {
      c = this.chain;
      await c;
    } while (c !== this.chain);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    this.pendingIds.clear();
    await this.chain;
  }
}
