import { Router, type NextFunction, type Request, type Response } from 'express';
import { ERROR_CODES, type ErrorCode } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { replayAll, replayDeadLetter, type ReplayDeps } from '../replay.js';
import type { RunProgress } from '../feed/change-feed.js';
import { readAllCursors } from '../store/cursors.js';
import { getDeadLetter, listDeadLetters, type DeadLetterStatus } from '../store/dead-letters.js';
import { bearerToken, secretMatches } from './secret.js';

export interface AdminDeps extends ReplayDeps {
  readonly db: Db;
  readonly adminToken: string;
  readonly control: {
    runOnce(): Promise<unknown>;
    backfill(since: string, onProgress: (endpointId: string, p: RunProgress) => void): Promise<unknown>;
  };
}

function sendError(res: Response, status: number, code: ErrorCode, message: string = ERROR_CODES[code]): void {
  res.status(status).json({ error: { code, message } });
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
 */
export function adminRouter(deps: AdminDeps): Router {
  const router = Router();
  router.use('/admin/api', (req: Request, res: Response, next: NextFunction) => {
    if (!secretMatches(bearerToken(req.get('authorization') ?? undefined), deps.adminToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="sp-link-admin"');
      return sendError(res, 401, 'ERR_UNAUTHENTICATED', 'Send Authorization: Bearer <admin.token>.');
    }
    res.setHeader('cache-control', 'no-store');
    next();
  });
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };

  router.get('/admin/api/dead-letters', wrap(async (req, res) => {
    const status = String(req.query.status ?? 'open');
    if (!['open', 'resolved', 'all'].includes(status)) return sendError(res, 400, 'ERR_VALIDATION', 'status must be open, resolved or all');
    const limit = Number(req.query.limit ?? 100);
    const after = Number(req.query.after ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(after) || after < 0) return sendError(res, 400, 'ERR_VALIDATION', 'limit must be 1–1000 and after a non-negative id');
    const endpointId = typeof req.query.endpoint === 'string' ? req.query.endpoint : undefined;
    const items = await listDeadLetters(deps.db, { status: status as DeadLetterStatus | 'all', endpointId, limit, afterId: after });
    res.json({ items, next: items.length === limit ? items[items.length - 1]!.id : null });
  }));

  router.post('/admin/api/dead-letters/replay', wrap(async (req, res) => {
    const endpointId = typeof req.query.endpoint === 'string' ? req.query.endpoint : undefined;
    const results = await replayAll(deps, { endpointId });
    res.json({ replayed: results.length, resolved: results.filter((r) => r.resolved).length, results });
  }));

  router.get('/admin/api/dead-letters/:id', wrap(async (req, res) => {
    const id = Number(req.params.id);
    const d = Number.isInteger(id) ? await getDeadLetter(deps.db, id) : undefined;
    if (!d) return sendError(res, 404, 'ERR_DEAD_LETTER_NOT_FOUND');
    res.json(d);
  }));

  router.post('/admin/api/dead-letters/:id/replay', wrap(async (req, res) => {
    const id = Number(req.params.id);
    const d = Number.isInteger(id) ? await getDeadLetter(deps.db, id) : undefined;
    if (!d) return sendError(res, 404, 'ERR_DEAD_LETTER_NOT_FOUND');
    if (d.status !== 'open') return sendError(res, 409, 'ERR_VALIDATION', `dead letter ${id} is ${d.status}, not open`);
    const r = await replayDeadLetter(deps, id);
    if (!r) return sendError(res, 409, 'ERR_VALIDATION', `dead letter ${id} is being replayed elsewhere`);
    res.json(r);
  }));

  router.get('/admin/api/reconcile/status', wrap(async (_req, res) => {
    res.json({ endpoints: await readAllCursors(deps.db) });
  }));

  router.post('/admin/api/reconcile/run', wrap(async (_req, res) => {
    res.json(await deps.control.runOnce());
  }));

  // Streams NDJSON: {"type":"progress",endpoint,processed,total?} lines, then {"type":"result",…}.
  router.post('/admin/api/reconcile/backfill', wrap(async (req, res) => {
    const since = String(req.query.since ?? '');
    if (!since || Number.isNaN(Date.parse(since))) return sendError(res, 400, 'ERR_VALIDATION', 'since must be a date, e.g. 2026-01-31 or 2026-01-31T08:00:00Z');
    res.status(200).type('application/x-ndjson');
    const line = (o: unknown) => res.write(`${JSON.stringify(o)}\n`);
    try {
      const result = await deps.control.backfill(new Date(since).toISOString(), (endpoint, p) => line({ type: 'progress', endpoint, ...p }));
      line({ type: 'result', result });
    } catch (err) {
      line({ type: 'error', message: (err as Error).message });
    }
    res.end();
  }));
  return router;
}
