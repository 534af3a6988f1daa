import { Router } from 'express';
import { nhsukAssetsRouter } from '../../http/nhsuk-assets.js';
import { SANDBOX_CSS } from './styles.js';

/** `/sandbox/assets/*`: the NHS design-system stylesheet and images, and the sandbox pages' own rules (no inline styles: CSP). */
export function sandboxAssetsRouter(): Router {
  const router = Router();
  router.use(nhsukAssetsRouter({ routePrefix: '/sandbox/assets' }));
  router.get('/sandbox/assets/sandbox.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('text/css').send(SANDBOX_CSS);
  });
  return router;
}
