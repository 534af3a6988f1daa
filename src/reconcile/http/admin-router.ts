import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { SpLinkError } from '../../errors.js';
import { apiErrorHandler } from '../../http/api-error.js';
import type { Db } from '../../store/db.js';
import { recordAudit } from '../../store/audit.js';
import { failedGpDemand, requeueGpDemand, type GpDemandFailedRow } from '../../reports/gp-demand-store.js';
import type { GpDemandSweepResult } from '../gp-demand-sweep.js';
import { replayAll, replayDeadLetter, type ReplayDeps, type ReplayResult } from '../replay.js';
import type { RunProgress } from '../feed/change-feed.js';
import { readAllCursors } from '../store/cursors.js';
import { countOpenDeadLetters, getDeadLetter, listDeadLetters, type DeadLetter, type DeadLetterStatus } from '../store/dead-letters.js';
import { bearerToken, secretMatches } from './secret.js';

/** `GET /admin/api/dead-letters`: a page of dead letters (without payloads); `next` is the `after` of the next page. */
export interface DeadLetterPage {
  readonly items: DeadLetter[];
  readonly next: number | null;
}

/** `POST /admin/api/dead-letters/replay`: how many were replayed and how many of them went through. */
export interface ReplayAllResult {
  readonly replayed: number;
  readonly resolved: number;
  readonly results: ReplayResult[];
}

/** `GET /admin/api/gp-demand/failed`: the referrals the GP demand sweep gave up on. */
export interface GpDemandFailedPage {
  readonly items: GpDemandFailedRow[];
}

/** `POST /admin/api/gp-demand/requeue`: the keys put back in the queue, and the sweep run at once when asked for. */
export interface GpDemandRequeueResult {
  readonly requeued: number;
  readonly keys: string[];
  readonly sweep?: GpDemandSweepResult;
}

export interface AdminDeps extends ReplayDeps {
  readonly db: Db;
  readonly adminToken: string;
  readonly logger: Logger;
  /** Failed runs in a row that raise an endpoint's alert. */
  readonly alertAfterFailedRuns: number;
  readonly control: {
    runOnce(): Promise<unknown>;
    backfill(since: string, onProgress: (endpointId: string, p: RunProgress) => void): Promise<unknown>;
    /** One GP demand sweep now, as the schedule runs it. */
    gpDemandSweep(): Promise<GpDemandSweepResult>;
  };
}

/**
 * The reconciler's admin API, `Authorization: Bearer <admin.token>` (constant-time check):
 *   GET  /admin/api/dead-letters?status=open|resolved|all&endpoint=…&limit=…&after=…
 *   GET  /admin/api/dead-letters/:id
 *   POST /admin/api/dead-letters/:id/replay
 *   POST /admin/api/dead-letters/replay?endpoint=…   (every open one)
 *   GET  /admin/api/reconcile/status                  (cursors, failures, next run per endpoint)
 *   POST /admin/api/reconcile/run                     (one run per endpoint + outbox, like `reconcile --once`)
 *   POST /admin/api/reconcile/backfill?since=<date>   (NDJSON progress stream)
 *   GET  /admin/api/gp-demand/failed?tenant=…&limit=…  (referrals the GP demand sweep gave up on)
 *   POST /admin/api/gp-demand/requeue?key=…|all=true&tenant=…&sweep=true   (audited `gp-demand.requeue`)
 */
export function adminRouter(deps: AdminDeps): Router {
  const router = Router();
  router.use('/admin/api', (req: Request, res: Response, next: NextFunction) => {
    if (!secretMatches(bearerToken(req.get('authorization') ?? undefined), deps.adminToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="sp-link-admin"');
      throw new SpLinkError('ERR_UNAUTHENTICATED', { message: 'Send Authorization: Bearer <admin.token>.' });
    }
    res.setHeader('cache-control', 'no-store');
    next();
  });
  router.get('/admin/api/dead-letters', async (req, res) => {
    const status = String(req.query.status ?? 'open');
    if (!['open', 'resolved', 'all'].includes(status)) throw new SpLinkError('ERR_VALIDATION', { message: 'status must be open, resolved or all' });
    const limit = Number(req.query.limit ?? 100);
    const after = Number(req.query.after ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(after) || after < 0) throw new SpLinkError('ERR_VALIDATION', { message: 'limit must be 1–1000 and after a non-negative id' });
    const endpointId = typeof req.query.endpoint === 'string' ? req.query.endpoint : undefined;
    const items = await listDeadLetters(deps.db, { status: status as DeadLetterStatus | 'all', endpointId, limit, afterId: after });
    res.json({ items, next: items.length === limit ? items[items.length - 1]!.id : null } satisfies DeadLetterPage);
  });

  router.post('/admin/api/dead-letters/replay', async (req, res) => {
    const endpointId = typeof req.query.endpoint === 'string' ? req.query.endpoint : undefined;
    const results = await replayAll(deps, { endpointId });
    res.json({ replayed: results.length, resolved: results.filter((r) => r.resolved).length, results } satisfies ReplayAllResult);
  });

  router.get('/admin/api/dead-letters/:id', async (req, res) => {
    const id = Number(req.params.id);
    const d = Number.isInteger(id) ? await getDeadLetter(deps.db, id) : undefined;
    if (!d) throw new SpLinkError('ERR_DEAD_LETTER_NOT_FOUND');
    res.json(d);
  });

  router.post('/admin/api/dead-letters/:id/replay', async (req, res) => {
    const id = Number(req.params.id);
    const d = Number.isInteger(id) ? await getDeadLetter(deps.db, id) : undefined;
    if (!d) throw new SpLinkError('ERR_DEAD_LETTER_NOT_FOUND');
    if (d.status !== 'open') throw new SpLinkError('ERR_DEAD_LETTER_NOT_OPEN', { message: `dead letter ${id} is ${d.status}, not open` });
    const r = await replayDeadLetter(deps, id);
    if (!r) throw new SpLinkError('ERR_DEAD_LETTER_NOT_OPEN', { message: `dead letter ${id} is being replayed elsewhere` });
    res.json(r satisfies ReplayResult);
  });

  router.get('/admin/api/reconcile/status', async (_req, res) => {
    res.json({ endpoints: await endpointStatus(deps) });
  });

  router.post('/admin/api/reconcile/run', async (_req, res) => {
    res.json(await deps.control.runOnce());
  });

  // Streams NDJSON: {"type":"progress",endpoint,processed,total?} lines, then {"type":"result",…}.
  router.post('/admin/api/reconcile/backfill', async (req, res) => {
    const since = String(req.query.since ?? '');
    if (!since || Number.isNaN(Date.parse(since))) throw new SpLinkError('ERR_VALIDATION', { message: 'since must be a date, e.g. 2026-01-31 or 2026-01-31T08:00:00Z' });
    res.status(200).type('application/x-ndjson');
    const line = (o: unknown) => res.write(`${JSON.stringify(o)}\n`);
    try {
      const result = await deps.control.backfill(new Date(since).toISOString(), (endpoint, p) => line({ type: 'progress', endpoint, ...p }));
      line({ type: 'result', result });
    } catch (err) {
      line({ type: 'error', message: (err as Error).message });
    }
    res.end();
  });
  router.get('/admin/api/gp-demand/failed', async (req, res) => {
    const limit = Number(req.query.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new SpLinkError('ERR_VALIDATION', { message: 'limit must be 1–1000' });
    const tenantId = typeof req.query.tenant === 'string' && req.query.tenant ? req.query.tenant : undefined;
    res.json({ items: await failedGpDemand(deps.db, { limit, ...(tenantId ? { tenantId } : {}) }) } satisfies GpDemandFailedPage);
  });

  // After the cause is fixed (a scope granted, a tenant's EHR back): the rows the sweep gave up on, due again at once.
  router.post('/admin/api/gp-demand/requeue', async (req, res) => {
    const key = typeof req.query.key === 'string' && req.query.key ? req.query.key : undefined;
    const all = req.query.all === 'true';
    const tenantId = typeof req.query.tenant === 'string' && req.query.tenant ? req.query.tenant : undefined;
    // Every one only when asked for in so many words, as for dead letters.
    if (key ? all : !all) throw new SpLinkError('ERR_VALIDATION', { message: 'name one referral (key) or ask for all=true (optionally with tenant), not both' });
    const keys = await requeueGpDemand(deps.db, { ...(key ? { referralKey: key } : {}), ...(tenantId ? { tenantId } : {}) });
    if (key && keys.length === 0) throw new SpLinkError('ERR_GP_DEMAND_NOT_FAILED', { message: `no referral the sweep gave up on has the key ${key}${tenantId ? ` at tenant ${tenantId}` : ''}` });
    const sweep = req.query.sweep === 'true' ? await deps.control.gpDemandSweep() : undefined;
    await recordAudit(deps.db, {
      actor: 'token:admin', action: 'gp-demand.requeue', ...(tenantId ? { tenantId } : {}),
      details: { requeued: keys.length, ...(key ? { key } : { all: true }), ...(sweep ? { sweep } : {}) },
    });
    res.json({ requeued: keys.length, keys, ...(sweep ? { sweep } : {}) } satisfies GpDemandRequeueResult);
  });

  router.use('/admin/api', apiErrorHandler(deps.logger.child({ module: 'reconcile-admin' }), 'admin api call'));
  return router;
}

/**
 * Every configured endpoint (polled yet or not): its cursor and last error, whether its alert is raised (that many
 * failed runs in a row), its open dead letters, and whether its notifications arrive or polling carries it.
 */
async function endpointStatus(deps: AdminDeps) {
  const cursors = new Map((await readAllCursors(deps.db)).map((c) => [c.endpointId, c]));
  const open = await countOpenDeadLetters(deps.db);
  return [...deps.workers.values()].map((w) => {
    const id = w.rt.id;
    const c = cursors.get(id) ?? { endpointId: id, cursor: undefined, lastRunAt: undefined, lastSuccessAt: undefined, lastError: undefined, consecutiveFailures: 0, nextRunAt: undefined };
    return { ...c, alert: c.consecutiveFailures >= deps.alertAfterFailedRuns, openDeadLetters: open.get(id) ?? 0, notifications: w.notifications.status() };
  });
}
