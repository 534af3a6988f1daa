import { Router } from 'express';
import type { OrukFeed } from './feed.js';

export const ORUK_PATH = '/sandbox/oruk';
const MAX_PER_PAGE = 100;

/**
 * The sandbox's Open Referral UK API (the profile's read endpoints): `/` (what the API is), `/services` (pages of
 * one-to-one fields, `page` from 1, `per_page` up to 100, `modified_after`) and `/services/{id}` (fully nested).
 * Bad parameters get 400, unknown ids 404, as the profile's API describes.
 */
export function orukRouter(feed: OrukFeed, opts: { publicUrl: string }): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ version: '3.0', profile: 'Open Referral UK', services: `${opts.publicUrl}${ORUK_PATH}/services` });
  });
  router.get('/services', (req, res) => {
    const page = intParam(req.query.page, 1);
    const perPage = intParam(req.query.per_page, 50);
    const after = typeof req.query.modified_after === 'string' ? new Date(req.query.modified_after) : undefined;
    if (page === undefined || page < 1 || perPage === undefined || perPage < 1 || perPage > MAX_PER_PAGE || (after && Number.isNaN(after.getTime()))) {
      res.status(400).json({ error: `page must be 1 or more, per_page 1 to ${MAX_PER_PAGE}, modified_after a date-time` });
      return;
    }
    const all = feed.list(after);
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const contents = all.slice((page - 1) * perPage, page * perPage);
    res.json({
      total_items: all.length,
      total_pages: totalPages,
      page_number: page,
      size: contents.length,
      first_page: page === 1,
      last_page: page >= totalPages,
      empty: all.length === 0,
      contents,
    });
  });
  router.get('/services/:id', (req, res) => {
    const record = feed.get(req.params.id);
    if (!record) {
      res.status(404).json({ error: `no service ${req.params.id}` });
      return;
    }
    res.json(record);
  });
  return router;
}

function intParam(v: unknown, fallback: number): number | undefined {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}
