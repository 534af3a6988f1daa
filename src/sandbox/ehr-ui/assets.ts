import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { SANDBOX_CSS } from './styles.js';

const NHSUK_DIST = path.dirname(fileURLToPath(import.meta.resolve('nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css')));

/**
 * nhsuk-frontend's stylesheet as served here: its @font-face rules load Frutiger from assets.nhs.uk, which
 * would make every page wait on a third-party (often unreachable) host, so they are dropped (the design
 * system's fallback font stack applies), and its icon URLs are pointed at our own copy of the images.
 */
export function localiseNhsukCss(css: string): string {
  return css.replace(/@font-face\{[^}]*https?:\/\/[^}]*\}/g, '').replace(/url\(\/assets\/images\//g, 'url(/sandbox/assets/images/');
}

let nhsukCss: Promise<string> | undefined;

/** `/sandbox/assets/*`: the NHS design-system stylesheet and images, and the sandbox pages' own rules (no inline styles: CSP). */
export function sandboxAssetsRouter(): Router {
  const router = Router();
  router.get('/sandbox/assets/nhsuk-frontend.min.css', async (_req, res, next) => {
    try {
      nhsukCss ??= readFile(path.join(NHSUK_DIST, 'nhsuk-frontend.min.css'), 'utf8').then(localiseNhsukCss);
      res.set('Cache-Control', 'public, max-age=3600').type('text/css').send(await nhsukCss);
    } catch (err) {
      nhsukCss = undefined;
      next(err);
    }
  });
  router.get('/sandbox/assets/sandbox.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('text/css').send(SANDBOX_CSS);
  });
  router.use('/sandbox/assets/images', express.static(path.join(NHSUK_DIST, 'assets', 'images'), { maxAge: '1h', fallthrough: false }));
  return router;
}
