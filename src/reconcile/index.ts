import { createReportCapture, type ReportCapture } from '../reports/capture.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Task } from '@medplum/fhirtypes';
import type { Router } from 'express';
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { HealthRegistry } from '../observability/health.js';
import { libraryLogger, logger as rootLogger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { describeFailure, type FeedDeps, type RunProgress, type RunResult } from './feed/change-feed.js';
import { EndpointWorker } from './feed/endpoint-worker.js';
import { ensureSubscription, type SubscriptionState } from './feed/subscriptions.js';
import { adminRouter } from './http/admin-router.js';
import { webhookRouter } from './http/webhook-router.js';
import { reconcileMetrics, setAlertThreshold } from './metrics.js';
import { outbox as outboxStore, runOutbox, type Outbox, type OutboxDeps, type OutboxRunResult } from './outbox/index.js';
import { replayAll, replayDeadLetter, type ReplayDeps, type ReplayResult } from './replay.js';
import { buildRuntimes, type EndpointRuntime, type ValidateFn } from './runtime.js';
import { countOpenDeadLetters } from './store/dead-letters.js';
import { escalateOverdue, type EscalationResult } from './escalate.js';
import { responseTargets } from '../referral-model/response-targets.js';
import { defaultValidate } from './validate.js';
import { sweepGpDemand, type GpDemandSweepResult } from './gp-demand-sweep.js';

export interface ReconcilerContext {
  readonly config: Config;
  readonly db: Db;
  readonly logger?: Logger;
  /** Per-endpoint readiness (`reconcile:<endpoint>`) is reported here. */
  readonly health?: HealthRegistry;
  /** Default: `validateForWrite` (SP Link profiles). */
  readonly validate?: ValidateFn;
  /** Start the poll schedule, outbox timer and subscription upkeep (default true). CLI commands pass false. */
  readonly background?: boolean;
  /** Lease holder id of this process (default host:pid:random). */
  readonly instanceId?: string;
  readonly tuning?: Partial<ReconcilerTuning>;
  /** Test hook: runs after a batch's EHR write, before its progress is saved (crash simulation). */
  readonly afterEhrWrite?: () => void | Promise<void>;
  /** Counts write-back HTTP requests (bench). */
  readonly onRequest?: () => void;
  /** The clock of the escalation sweep (tests). */
  readonly now?: () => Date;
  /** Where applied referrals are captured for reports (default: the report store in `db`). */
  readonly reports?: ReportCapture;
}

export interface ReconcilerTuning {
  leaseTtlMs: number;
  /** Most entries per EHR transaction; servers cap transactions with conditional entries (Medplum: 8). */
  maxTransactionEntries: number;
  outboxIntervalMs: number;
  outboxGraceMs: number;
  subscriptionRefreshMs: number;
  retry: { timeoutMs?: number; maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
}

const DEFAULT_TUNING: ReconcilerTuning = {
  leaseTtlMs: 60_000,
  maxTransactionEntries: 8,
  outboxIntervalMs: 2_000,
  outboxGraceMs: 120_000,
  subscriptionRefreshMs: 300_000,
  retry: {},
};

export interface Reconciler {
  /** Mount on the app root: `POST /reconcile/webhook/:endpointId`. */
  readonly webhookRouter: Router;
  /** Mount on the app root: `/admin/api/dead-letters…`, `/admin/api/reconcile/status` (Bearer admin.token). */
  readonly adminRouter: Router;
  /** Transactional outbox for referral creation (src/referrals/outbox-port.ts contract). */
  readonly outbox: Outbox;
  readonly instanceId: string;
  /** One change-feed run per endpoint plus one outbox pass (`sp-link reconcile --once`). */
  runOnce(): Promise<{ endpoints: Record<string, RunResult>; outbox: OutboxRunResult }>;
  /** Re-reads every Task changed since `since` (ISO date) at each endpoint; de-dup keeps it idempotent. */
  backfill(since: string, onProgress?: (endpointId: string, p: RunProgress) => void): Promise<Record<string, RunResult>>;
  /** A rest-hook notification (also what the webhook calls). */
  notify(endpointId: string, taskIds: readonly string[]): boolean;
  ensureSubscriptions(): Promise<Record<string, SubscriptionState | string>>;
  /** Reconciles exactly these Task versions of one endpoint, in order (e.g. read from `_history`; tooling, tests). */
  applyTaskVersions(endpointId: string, tasks: readonly Task[]): Promise<RunResult>;
  runOutbox(): Promise<OutboxRunResult>;
  replay(id: number): Promise<ReplayResult | undefined>;
  replayAll(endpointId?: string): Promise<ReplayResult[]>;
  /**
   * One escalation sweep of every endpoint (docs/OPERATIONS.md, "Escalation"): referrals not accepted within their
   * response target get a note for the service manager and a message to the GP, once. `now` defaults to the clock.
   */
  escalate(now?: Date): Promise<Record<string, EscalationResult | { error: string }>>;
  /**
   * One GP demand sweep (docs/REPORTS.md, "GP demand"): queued referrals whose 6 months after have passed get their GP
   * appointments counted from the EHR. `now` defaults to the clock.
   */
  sweepGpDemand(now?: Date): Promise<GpDemandSweepResult>;
  /** Resolves when queued work (notifications, runs) has finished. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the reconciler (docs/ARCHITECTURE.md, the loop, step 4): a change feed per link-worker endpoint (node-cron
 * polling + rest-hook notifications), the pure rules, EHR write-back, the outbox, dead letters and replay.
 * Wiring (src/system.ts): `app.use(r.webhookRouter); app.use(r.adminRouter);` and `await r.stop()` on shutdown.
 */
export async function startReconciler(ctx: ReconcilerContext): Promise<Reconciler> {
  const { config, db } = ctx;
  const log = (ctx.logger ?? rootLogger).child({ module: 'reconcile' });
  const tuning = { ...DEFAULT_TUNING, ...ctx.tuning };
  const validate = ctx.validate ?? defaultValidate;
  const instanceId = ctx.instanceId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const runtimes: Map<string, EndpointRuntime> = await buildRuntimes(config, { logger: log, retry: tuning.retry });
  setAlertThreshold(config.reconcile.alertAfterFailedRuns);
  const feedDeps: FeedDeps = {
    db, validate, logger: log, instanceId,
    maxAttempts: config.reconcile.maxAttempts,
    maxTransactionEntries: tuning.maxTransactionEntries,
    leaseTtlMs: tuning.leaseTtlMs,
    skewSeconds: config.reconcile.skewSeconds,
    pageSize: config.reconcile.pageSize,
    alertAfterFailedRuns: config.reconcile.alertAfterFailedRuns,
    afterEhrWrite: ctx.afterEhrWrite,
    onRequest: ctx.onRequest,
    reports: ctx.reports ?? (await createReportCapture({ db, config, logger: log })),
    runtimes,
  };
  const workers = new Map([...runtimes.values()].map((rt) => [rt.id, new EndpointWorker(feedDeps, rt, log, ctx.health)]));
  const outboxDeps: OutboxDeps = { db, runtimes, validate, logger: log, maxAttempts: config.reconcile.maxAttempts, graceMs: tuning.outboxGraceMs };
  const replayDeps: ReplayDeps = { db, workers, outbox: outboxDeps };
  for (const id of workers.keys()) ctx.health?.report(`reconcile:${id}`, 'up', 'not polled yet');

  let outboxRunning: Promise<OutboxRunResult> | undefined;
  const outboxPass = (): Promise<OutboxRunResult> => {
    outboxRunning ??= runOutbox(outboxDeps).finally(() => {
      outboxRunning = undefined;
    });
    return outboxRunning;
  };
  const kickOutbox = () => {
    if (ctx.background !== false) void outboxPass().catch((err: unknown) => log.error({ err }, 'outbox pass failed'));
  };

  const ensureSubscriptions = async (): Promise<Record<string, SubscriptionState | string>> => {
    const out: Record<string, SubscriptionState | string> = {};
    for (const w of workers.values()) {
      const rt = w.rt;
      try {
        const check = await ensureSubscription(rt, {
          publicUrl: config.server.publicUrl,
          secret: config.reconcile.webhookSecret,
          validate,
          log,
          activationWaitMs: (rt.config.subscriptions.activationWaitSeconds ?? 5) * 1000,
          renew: w.notifications.needsRenewal(),
        });
        out[rt.id] = check.state;
        if (w.notifications.ensured(check, Date.now())) w.fellBack();
        else reconcileMetrics.notificationsActive.set({ endpoint: rt.id }, w.notifications.status().mode === 'active' ? 1 : 0);
      } catch (err) {
        reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'subscription' });
        log.warn({ err, endpoint: rt.id }, 'could not maintain the rest-hook subscription; polling continues');
        out[rt.id] = `error: ${(err as Error).message}`;
        if (config.linkWorkerEndpoints.find((e) => e.id === rt.id)?.subscriptions.enabled && w.notifications.upkeepFailed((err as Error).message, Date.now())) w.fellBack();
      }
    }
    return out;
  };

  const refreshDeadLetterGauge = async () => {
    const counts = await countOpenDeadLetters(db);
    for (const id of workers.keys()) reconcileMetrics.openDeadLetters.set({ endpoint: id }, counts.get(id) ?? 0);
  };

  const targets = responseTargets(config.responseTargetHours);
  const clock = ctx.now ?? (() => new Date());
  const escalate = async (now = clock()): Promise<Record<string, EscalationResult | { error: string }>> => {
    const out: Record<string, EscalationResult | { error: string }> = {};
    for (const w of workers.values()) {
      try {
        out[w.rt.id] = await escalateOverdue(w.rt, { now, targets, validate, logger: log });
      } catch (err) {
        reconcileMetrics.failures.inc({ endpoint: w.rt.id, stage: 'escalation' });
        log.warn({ err, endpoint: w.rt.id }, 'escalation sweep failed; tried again on the next one');
        out[w.rt.id] = { error: describeFailure(err) };
      }
    }
    return out;
  };

  // Every endpoint's runtime shares one EHR client per tenant.
  const ehrClients = [...runtimes.values()][0]?.ehr ?? new Map();
  const gpDemand = (now = clock()) => sweepGpDemand({ db, ehr: ehrClients, logger: log, now });

  const timers: NodeJS.Timeout[] = [];
  let cronTask: ScheduledTask | undefined;
  let escalationTask: ScheduledTask | undefined;
  let gpDemandTask: ScheduledTask | undefined;
  if (ctx.background !== false && config.reconcile.enabled) {
    let lastSubscriptionCheck = 0;
    cronTask = schedule(config.reconcile.pollSchedule, async () => {
      if (Date.now() - lastSubscriptionCheck > tuning.subscriptionRefreshMs) {
        lastSubscriptionCheck = Date.now();
        await ensureSubscriptions();
      }
      await Promise.all([...workers.values()].map((w) => w.tick().catch((err: unknown) => log.error({ err, endpoint: w.rt.id }, 'poll failed'))));
      await refreshDeadLetterGauge().catch(() => undefined);
    }, { name: 'sp-link-reconcile', noOverlap: true, logger: libraryLogger(log, 'node-cron') });
    timers.push(setInterval(kickOutbox, tuning.outboxIntervalMs));
    if (config.reconcile.escalation.enabled) {
      escalationTask = schedule(config.reconcile.escalation.schedule, async () => {
        await escalate();
      }, { name: 'sp-link-escalation', noOverlap: true, logger: libraryLogger(log, 'node-cron') });
    }
    gpDemandTask = schedule(config.reports.gpDemandSchedule, async () => {
      await gpDemand().catch((err: unknown) => log.error({ err }, 'GP demand sweep failed; tried again on the next one'));
    }, { name: 'sp-link-gp-demand', noOverlap: true, logger: libraryLogger(log, 'node-cron') });
  }

  const outbox: Outbox = {
    ...outboxStore,
    async markReferralWritten(d, rowId, url) {
      await outboxStore.markReferralWritten(d, rowId, url);
      kickOutbox();
    },
    async enqueueGpRecord(d, row) {
      const id = await outboxStore.enqueueGpRecord(d, row);
      kickOutbox();
      return id;
    },
  };

  const reconciler: Reconciler = {
    webhookRouter: webhookRouter({ secret: config.reconcile.webhookSecret, knows: (id) => workers.has(id), notify: (id, ids) => notify(id, ids) }, log),
    adminRouter: adminRouter({
      ...replayDeps,
      adminToken: config.admin.token,
      logger: log,
      alertAfterFailedRuns: config.reconcile.alertAfterFailedRuns,
      control: { runOnce: () => reconciler.runOnce(), backfill: (since, onProgress) => reconciler.backfill(since, onProgress), gpDemandSweep: () => gpDemand() },
    }),
    outbox,
    instanceId,
    async runOnce() {
      // Each endpoint on its own: one that fails is reported as such and the others still run.
      const endpoints: Record<string, RunResult> = {};
      for (const w of workers.values()) endpoints[w.rt.id] = await isolated(w.rt.id, () => w.poll({ trigger: 'once' }));
      const ob = await outboxPass().catch((err: unknown): OutboxRunResult => {
        log.error({ err }, 'outbox pass failed');
        reconcileMetrics.failures.inc({ endpoint: 'outbox', stage: 'outbox' });
        return { delivered: 0, discarded: 0, retried: 0, deadLettered: 0, resolvedFromEhr: 0, error: describeFailure(err) };
      });
      await refreshDeadLetterGauge().catch(() => undefined);
      return { endpoints, outbox: ob };
    },
    async backfill(since, onProgress) {
      const out: Record<string, RunResult> = {};
      for (const w of workers.values()) {
        out[w.rt.id] = await isolated(w.rt.id, () => w.poll({ trigger: 'backfill', since, onProgress: (p) => onProgress?.(w.rt.id, p) }));
      }
      return out;
    },
    notify,
    ensureSubscriptions,
    applyTaskVersions(endpointId, tasks) {
      const w = workers.get(endpointId);
      if (!w) throw new Error(`unknown link-worker endpoint ${endpointId}`);
      return w.applyVersions(tasks);
    },
    runOutbox: outboxPass,
    escalate,
    sweepGpDemand: gpDemand,
    replay: (id) => replayDeadLetter(replayDeps, id),
    replayAll: (endpointId) => replayAll(replayDeps, { endpointId }),
    async idle() {
      await Promise.all([...workers.values()].map((w) => w.idle()));
      await outboxRunning;
    },
    async stop() {
      await cronTask?.destroy();
      await escalationTask?.destroy();
      await gpDemandTask?.destroy();
      for (const t of timers) clearInterval(t);
      await Promise.all([...workers.values()].map((w) => w.stop()));
      await outboxRunning?.catch(() => undefined);
    },
  };
  return reconciler;

  /** A run that threw (it should not: the feed records its own failures) still yields a failed result, counted and logged. */
  async function isolated(endpointId: string, run: () => Promise<RunResult>): Promise<RunResult> {
    try {
      return await run();
    } catch (err) {
      log.error({ err, endpoint: endpointId }, 'reconcile run failed');
      reconcileMetrics.failures.inc({ endpoint: endpointId, stage: 'feed' });
      return { status: 'stopped-on-failure', processed: 0, applied: 0, duplicates: 0, deadLettered: 0, failed: 0, error: describeFailure(err) };
    }
  }

  function notify(endpointId: string, taskIds: readonly string[]): boolean {
    const w = workers.get(endpointId);
    if (!w) return false;
    w.notified(taskIds);
    return true;
  }
}

export type { RunResult, RunProgress } from './feed/change-feed.js';
export type { OutboxRunResult } from './outbox/index.js';
export type { ReplayResult } from './replay.js';
export type { ValidateFn } from './runtime.js';
export type { EscalationResult } from './escalate.js';
export type { GpDemandSweepResult } from './gp-demand-sweep.js';
