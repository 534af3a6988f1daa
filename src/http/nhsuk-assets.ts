import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

const NHSUK_DIST = path.dirname(fileURLToPath(import.meta.resolve('nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css')));
let raw: string | undefined;

/**
 * nhsuk-frontend's stylesheet as SP Link serves it: its @font-face rules load Frutiger from assets.nhs.uk, which
 * would make every page wait on a third-party (often unreachable, and CSP-blocked) host, so they are dropped and
 * the design system's fallback font stack applies; its icon URLs point at our own copy of the images.
 */
export function localiseNhsukCss(css: string, imagesUrl: string): string {
  return css.replace(/@font-face\{[^}]*https?:\/\/[^}]*\}/g, '').replaceAll('url(/assets/images/', `url(${imagesUrl}/`);
}

/**
 * Serves `{routePrefix}/nhsuk-frontend.min.css` and `{routePrefix}/images/*`. `publicPrefix` is where the same
 * path is reached from the browser (differs from `routePrefix` when the router is mounted under a path).
 */
export function nhsukAssetsRouter(opts: { routePrefix: string; publicPrefix?: string }): Router {
  const publicPrefix = opts.publicPrefix ?? opts.routePrefix;
  let css: string | undefined;
  const router = Router();
  router.get(`${opts.routePrefix}/nhsuk-frontend.min.css`, (_req, res) => {
    raw ??= readFileSync(path.join(NHSUK_DIST, 'nhsuk-frontend.min.css'), 'utf8');
    css ??= localiseNhsukCss(raw, `${publicPrefix}/images`);
    res.set('Cache-Control', 'public, max-age=86400').type('text/css').send(css);
  });
  router.use(`${opts.routePrefix}/images`, express.static(path.join(NHSUK_DIST, 'assets', 'images'), { maxAge: '1d', index: false, fallthrough: false }));
  return router;
}
