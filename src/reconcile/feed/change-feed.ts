import type { Task } from '@medplum/fhirtypes';
import { FhirError } from '../../fhir/errors.js';
import { markCaughtUp, reconcileMetrics, reportFailedRuns } from '../metrics.js';
import { sweepRevocations } from './revocations.js';
import type { EndpointRuntime } from '../runtime.js';
import { processBatch, type EngineDeps } from '../engine/process-batch.js';
import { advanceCursor, readCursor, recordRun } from '../store/cursors.js';
import { acquireLease, keepLease, LeaseLostError, releaseLease, renewLease, type Lease } from '../store/leases.js';

export interface FeedDeps extends EngineDeps {
  /** This process's lease holder id. */
  readonly instanceId: string;
  readonly leaseTtlMs: number;
  readonly skewSeconds: number;
  readonly pageSize: number;
  /** Consecutive failed runs of an endpoint that raise its alert (metric sp_link_reconcile_endpoint_alert). */
  readonly alertAfterFailedRuns: number;
}

export interface RunProgress {
  processed: number;
  /** Total matching Tasks when the server reports it (first page `total`). */
  total?: number;
}

export interface RunOptions {
  trigger: 'schedule' | 'notification' | 'once' | 'backfill' | 'replay';
  /** Start here instead of at the stored cursor (backfill). */
  since?: string;
  onProgress?: (p: RunProgress) => void;
}

export type RunStatus = 'caught-up' | 'stopped-on-failure' | 'busy' | 'lease-lost';

export interface RunResult {
  status: RunStatus;
  processed: number;
  applied: number;
  duplicates: number;
  deadLettered: number;
  failed: number;
  cursor?: string;
  error?: string;
  /** meta.lastUpdated of the oldest Task change this run was first to see (for notification health). */
  oldestNew?: string;
}

/** Passes over the feed restart when paging shifted under us; past this many the next run carries on. */
const MAX_PASSES = 10;

/**
 * Pages one pass follows before the run searches afresh from the last Task it applied. A pass remembers each Task it
 * saw (to notice one that moved to the end), so this bounds what a run holds to this many pages, whatever the
 * backlog: a day's outage drains in the same memory as a minute's.
 */
export const PAGES_PER_PASS = 20;

/**
 * One change-feed run for one endpoint, under its lease: `Task?_lastUpdated=ge{cursor − skew}&_sort=_lastUpdated`
 * following `next` links. Offset-based `next` links shift when a Task already paged past is updated during
 * the run (it moves to the end); when a Task id shows up again the run re-queries from the start of the page
 * where it was first seen, so nothing is skipped. Every PAGES_PER_PASS pages the run searches afresh from the last
 * Task it applied, so it holds a few pages of Tasks at most, whatever the backlog. The cursor advances after each
 * page's effects are durable, never past a Task version that failed and will be retried.
 */
export async function runEndpoint(deps: FeedDeps, rt: EndpointRuntime, o: RunOptions): Promise<RunResult> {
  const lease = await acquireLease(deps.db, rt.id, deps.instanceId, deps.leaseTtlMs);
  const result: RunResult = { status: 'busy', processed: 0, applied: 0, duplicates: 0, deadLettered: 0, failed: 0 };
  if (!lease) return result;
  const end = reconcileMetrics.pollDuration.startTimer({ endpoint: rt.id, trigger: o.trigger });
  const startedAt = new Date();
  const keeper = keepLease(deps.db, lease, deps.leaseTtlMs);
  try {
    const row = await readCursor(deps.db, rt.id);
    let from = o.since ?? (row.cursor ? new Date(Date.parse(row.cursor) - deps.skewSeconds * 1000).toISOString() : undefined);
    result.cursor = row.cursor;
    let passes = 0;
    let total: number | undefined;
    for (;;) {
      const pass = await onePass(deps, rt, lease, from, result, (n) => {
        total ??= n;
        o.onProgress?.({ processed: result.processed, ...(total !== undefined ? { total } : {}) });
      });
      if (pass.kind === 'done') break;
      if (pass.kind === 'failed') {
        result.status = 'stopped-on-failure';
        break;
      }
      if (pass.kind === 'restart' && ++passes >= MAX_PASSES) break;
      from = pass.from;
    }
    if (result.status !== 'stopped-on-failure') {
      await sweepRevocations(deps, rt, lease);
      result.status = 'caught-up';
      markCaughtUp(rt.id, startedAt);
      await recordRun(deps.db, rt.id, { ok: true });
      reportFailedRuns(rt.id, 0);
    } else {
      await recordFailure(deps, rt.id, row.consecutiveFailures, result.error ?? 'failed');
    }
    return result;
  } catch (err) {
    if (err instanceof LeaseLostError) {
      result.status = 'lease-lost';
      return result;
    }
    // The run failed as a whole (endpoint down, or something unexpected): nothing after the cursor was applied.
    // It is recorded like any failed run, never thrown: one endpoint's failure must not fail another's run.
    result.status = 'stopped-on-failure';
    result.error = describeFailure(err);
    if (!(err instanceof FhirError)) deps.logger.error({ err, endpoint: rt.id }, 'unexpected change-feed failure');
    await recordFailure(deps, rt.id, (await readCursor(deps.db, rt.id).catch(() => ({ consecutiveFailures: 0 }))).consecutiveFailures, result.error).catch(
      (e: unknown) => deps.logger.error({ err: e, endpoint: rt.id }, 'could not record the failed run'),
    );
    return result;
  } finally {
    keeper.stop();
    end();
    await releaseLease(deps.db, lease).catch(() => undefined);
  }
}

/** Backoff between failed runs: 5 s doubling to 5 min, with jitter (half to full). */
export function runBackoffMs(consecutiveFailures: number, random: () => number = Math.random): number {
  const cap = Math.min(300_000, 5_000 * 2 ** Math.min(consecutiveFailures, 10));
  return Math.floor(cap * (0.5 + 0.5 * random()));
}

/** An operator-readable cause: FHIR errors say what failed where; anything else is named as unexpected. */
export function describeFailure(err: unknown): string {
  if (err instanceof FhirError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return `unexpected error (see the log): ${message}`.slice(0, 2000);
}

async function recordFailure(deps: FeedDeps, endpointId: string, previousFailures: number, error: string): Promise<void> {
  reconcileMetrics.failures.inc({ endpoint: endpointId, stage: 'feed' });
  reportFailedRuns(endpointId, previousFailures + 1);
  const failures = await recordRun(deps.db, endpointId, { ok: false, error, retryInMs: runBackoffMs(previousFailures) });
  reportFailedRuns(endpointId, failures);
  if (failures === deps.alertAfterFailedRuns) {
    deps.logger.error({ endpoint: endpointId, consecutiveFailures: failures, error }, 'link-worker endpoint has failed every run in a row: alert raised');
  }
}

/** `restart`: paging shifted under the pass; `continue`: the pass read PAGES_PER_PASS pages and the run goes on from `from`. */
type PassResult = { kind: 'done' } | { kind: 'failed' } | { kind: 'restart' | 'continue'; from: string };

async function onePass(
  deps: FeedDeps, rt: EndpointRuntime, lease: Lease, from: string | undefined, result: RunResult, onTotal: (n: number | undefined) => void,
): Promise<PassResult> {
  const params: Record<string, string> = { _sort: '_lastUpdated', _count: String(deps.pageSize) };
  if (from) params._lastUpdated = `ge${from}`;
  const firstSeenAt = new Map<string, string>();
  let pages = 0;
  for await (const page of rt.lw.searchAll<Task>('Task', params)) {
    onTotal(page.total);
    const tasks = (page.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Task' ? [e.resource] : []));
    if (tasks.length === 0) break;
    const pageStart = tasks[0]!.meta?.lastUpdated ?? from ?? '';
    let restartFrom: string | undefined;
    for (const t of tasks) {
      const earlier = t.id ? firstSeenAt.get(t.id) : undefined;
      if (earlier !== undefined) restartFrom = restartFrom === undefined || earlier < restartFrom ? earlier : restartFrom;
      else if (t.id) firstSeenAt.set(t.id, pageStart);
    }
    const out = await processBatch(deps, rt, lease, tasks);
    addBatch(result, tasks.length, out);
    if (out.oldestNew && (!result.oldestNew || Date.parse(out.oldestNew) < Date.parse(result.oldestNew))) result.oldestNew = out.oldestNew;
    onTotal(undefined);
    const last = tasks[tasks.length - 1]!.meta?.lastUpdated;
    const minFailed = out.failed.map((f) => f.lastUpdated).filter(Boolean).sort()[0];
    const candidate = [last, minFailed, restartFrom].filter((x): x is string => Boolean(x)).sort()[0];
    if (candidate) {
      await deps.db.transaction((tx) => advanceCursor(tx, lease, candidate));
      result.cursor = result.cursor && result.cursor > candidate ? result.cursor : candidate;
    }
    if (!(await renewLease(deps.db, lease, deps.leaseTtlMs))) throw new LeaseLostError(lease);
    if (out.failed.length > 0) {
      result.error = out.failed[0]!.error;
      return { kind: 'failed' };
    }
    if (restartFrom !== undefined) return { kind: 'restart', from: restartFrom };
    // Searching afresh from the last Task re-reads only the Tasks stamped alike with it (duplicates); a pass whose
    // pages all carry one stamp goes on following links, or it would read the same page again.
    if (++pages >= PAGES_PER_PASS && last && (from === undefined || Date.parse(last) > Date.parse(from))) return { kind: 'continue', from: last };
  }
  return { kind: 'done' };
}

/** Fetches the given Tasks now (`Task?_id=…`) and reconciles them; the cursor is left to the feed. */
export async function processTaskIds(deps: FeedDeps, rt: EndpointRuntime, ids: readonly string[], o: { force?: boolean } = {}): Promise<RunResult> {
  return underLease(deps, rt, async (lease, result) => {
    for (let i = 0; i < ids.length; i += 100) {
      const part = ids.slice(i, i + 100);
      const tasks: Task[] = [];
      for await (const page of rt.lw.searchAll<Task>('Task', { _id: part.join(','), _count: String(part.length) })) {
        for (const e of page.entry ?? []) if (e.resource?.resourceType === 'Task') tasks.push(e.resource);
      }
      await processInto(deps, rt, lease, tasks, o, result);
    }
  });
}

/** Reconciles exactly these Task versions (e.g. read from `_history`), in the order given. */
export async function processTaskVersions(deps: FeedDeps, rt: EndpointRuntime, tasks: readonly Task[]): Promise<RunResult> {
  return underLease(deps, rt, async (lease, result) => {
    for (const t of tasks) await processInto(deps, rt, lease, [t], {}, result);
  });
}

async function processInto(deps: FeedDeps, rt: EndpointRuntime, lease: Lease, tasks: readonly Task[], o: { force?: boolean }, result: RunResult): Promise<void> {
  const out = await processBatch(deps, rt, lease, tasks, o);
  addBatch(result, tasks.length, out);
  if (out.failed.length > 0) result.error = out.failed[0]!.error;
}

/** Adds what one batch of `processed` Task versions came to, to the run's counts. */
function addBatch(result: RunResult, processed: number, out: Awaited<ReturnType<typeof processBatch>>): void {
  result.processed += processed;
  result.applied += out.applied;
  result.duplicates += out.duplicates;
  result.deadLettered += out.deadLettered;
  result.failed += out.failed.length;
}

async function underLease(deps: FeedDeps, rt: EndpointRuntime, fn: (lease: Lease, result: RunResult) => Promise<void>): Promise<RunResult> {
  const result: RunResult = { status: 'busy', processed: 0, applied: 0, duplicates: 0, deadLettered: 0, failed: 0 };
  const lease = await acquireLease(deps.db, rt.id, deps.instanceId, deps.leaseTtlMs);
  if (!lease) return result;
  const keeper = keepLease(deps.db, lease, deps.leaseTtlMs);
  try {
    await fn(lease, result);
    result.status = result.failed > 0 ? 'stopped-on-failure' : 'caught-up';
    return result;
  } catch (err) {
    if (err instanceof LeaseLostError) return { ...result, status: 'lease-lost' };
    reconcileMetrics.failures.inc({ endpoint: rt.id, stage: 'notification' });
    if (!(err instanceof FhirError)) deps.logger.error({ err, endpoint: rt.id }, 'unexpected failure reconciling notified Tasks');
    // The Tasks are left to the change feed, which records the failure if it persists.
    return { ...result, status: 'stopped-on-failure', error: describeFailure(err) };
  } finally {
    keeper.stop();
    await releaseLease(deps.db, lease).catch(() => undefined);
  }
}
