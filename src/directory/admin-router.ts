import { Router, type NextFunction, type Request, type Response } from 'express';
import { SpLinkError } from '../errors.js';
import { ImportAlreadyRunning, UnknownFeed, type DirectoryImports } from './index.js';

/**
 * The directory's admin API (`Authorization: Bearer <admin.token>`, checked by `authorized`):
 *   GET  /admin/api/directory/imports?feed=…&limit=…   configured feeds with their last run, and recent runs
 *   GET  /admin/api/directory/imports/:id               one run with its change log (rejected records with reasons)
 *   POST /admin/api/directory/imports?feed=…&since=last|<date>&allowEmpty=true
 *        runs the import now: an NDJSON stream of progress lines, then one result line per feed
 */
export function directoryAdminRouter(deps: { imports: DirectoryImports; authorized: (authorization: string | undefined) => boolean }): Router {
  const router = Router();
  const { imports } = deps;
  router.use('/admin/api/directory', (req: Request, res: Response, next: NextFunction) => {
    if (!deps.authorized(req.get('authorization') ?? undefined)) {
      res.setHeader('www-authenticate', 'Bearer realm="sp-link-admin"');
      throw new SpLinkError('ERR_UNAUTHENTICATED', { message: 'Send Authorization: Bearer <admin.token>.' });
    }
    res.setHeader('cache-control', 'no-store');
    next();
  });

  router.get('/admin/api/directory/imports', async (req, res) => {
    const feedId = typeof req.query.feed === 'string' ? req.query.feed : undefined;
    const limit = Number(req.query.limit ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new SpLinkError('ERR_VALIDATION', { message: 'limit must be 1–500' });
    const runs = await imports.store.runs({ ...(feedId ? { feedId } : {}), limit });
    const feeds = await Promise.all(
      imports.feeds.map(async (f) => ({ ...f, lastRun: (await imports.store.runs({ feedId: f.id, limit: 1 }))[0] ?? null })),
    );
    res.json({ feeds, runs });
  });

  router.get('/admin/api/directory/imports/:id', async (req, res) => {
    const id = Number(req.params.id);
    const run = Number.isInteger(id) ? await imports.store.run(id) : undefined;
    if (!run) throw new SpLinkError('ERR_NOT_FOUND', { message: `no directory import run ${req.params.id}` });
    res.json({ run, changes: await imports.store.changes({ runId: id, limit: 5000 }) });
  });

  router.post('/admin/api/directory/imports', async (req, res) => {
    const feedId = typeof req.query.feed === 'string' && req.query.feed ? req.query.feed : undefined;
    const sinceText = typeof req.query.since === 'string' && req.query.since ? req.query.since : undefined;
    if (sinceText && sinceText !== 'last' && Number.isNaN(Date.parse(sinceText))) {
      throw new SpLinkError('ERR_VALIDATION', { message: 'since must be "last" or a date, e.g. 2026-01-31 or 2026-01-31T08:00:00Z' });
    }
    if (feedId && !imports.feeds.some((f) => f.id === feedId)) throw new SpLinkError('ERR_NOT_FOUND', { message: new UnknownFeed(feedId, imports.feeds.map((f) => f.id)).message });
    res.status(200).type('application/x-ndjson');
    const line = (o: unknown) => res.write(`${JSON.stringify(o)}\n`);
    const stopped = new AbortController();
    res.on('close', () => { if (!res.writableFinished) stopped.abort(new Error('the caller went away')); });
    try {
      const reports = await imports.run({
        trigger: 'admin',
        ...(feedId ? { feedId } : {}),
        ...(sinceText ? { since: sinceText === 'last' ? 'last' : new Date(sinceText) } : {}),
        allowEmpty: req.query.allowEmpty === 'true',
        // About a hundred progress lines per phase, whatever the feed's size.
        onProgress: (feed, p) => { if (p.total === undefined || p.done === p.total || p.done % Math.max(1, Math.floor(p.total / 100)) === 0) line({ type: 'progress', feed, ...p }); },
        signal: stopped.signal,
      });
      for (const r of reports) line({ type: 'result', ...r });
    } catch (err) {
      line({ type: 'error', message: err instanceof ImportAlreadyRunning ? `${err.message}; wait for it to finish` : (err as Error).message });
    }
    res.end();
  });
  return router;
}
