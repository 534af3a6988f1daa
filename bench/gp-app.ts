/**
 * GP app figures: launch-to-interactive time of the referral form in Chromium (from opening the EHR's
 * launch URL to the form with its directory choices ready), FHIR requests per page view (everything the
 * app's first screen costs the EHR and link-worker servers), and the JS bundle size gzipped.
 * Runs against the embedded sandbox servers (Medplum FhirRouter + MemoryRepository) on loopback, with
 * background work off so the reconciler's polling does not count as page traffic.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startTestSystem } from '../test/helpers/system.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist/smart-app');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function ensureBuilt(): Promise<void> {
  if (existsSync(path.join(DIST, 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'smart-app/vite.config.ts'), logLevel: 'warn' });
}

async function bundleSizes(): Promise<{ js: number; jsGzip: number; cssGzip: number }> {
  const assets = path.join(DIST, 'assets');
  let js = 0;
  let jsGzip = 0;
  let cssGzip = 0;
  for (const f of await readdir(assets)) {
    const buf = await readFile(path.join(assets, f));
    if (f.endsWith('.js')) {
      js += buf.length;
      jsGzip += gzipSync(buf, { level: 9 }).length;
    } else if (f.endsWith('.css')) cssGzip += gzipSync(buf, { level: 9 }).length;
  }
  return { js, jsGzip, cssGzip };
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export async function run(print: (name: string, value: string | number) => void): Promise<void> {
  await ensureBuilt();
  const size = await bundleSizes();
  print('gp_app_js_bytes', size.js);
  print('gp_app_js_gzip_bytes', size.jsGzip);
  print('gp_app_css_gzip_bytes_own', size.cssGzip);

  const rounds = Math.max(3, Number(process.env.GP_APP_BENCH_ROUNDS ?? 7));
  const sys = await startTestSystem({ background: false });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  let fhirRequests = 0;
  let counting = false;
  const fhirPaths = [new URL(sys.config.tenants[0]!.ehr.fhirBase).pathname, new URL(sys.config.linkWorkerEndpoints[0]!.fhirBase).pathname];
  // Before express's own listener: it rewrites req.url as it routes into mounted routers.
  sys.server.prependListener('request', (req) => {
    const url = req.url ?? '';
    if (counting && fhirPaths.some((p) => url.startsWith(`${p}/`)) && !url.includes('/.well-known/')) fhirRequests++;
  });
  try {
    const times: number[] = [];
    const perView: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // A patient with referrals and outcomes (the costliest first screen), then others.
      const patient = i === 0 ? 'pat-15' : `pat-${String((i % 25) + 1).padStart(2, '0')}`;
      const ctx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
      const page = await ctx.newPage();
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/app/') {
          fhirRequests = 0;
          counting = true;
        }
      });
      const t0 = performance.now();
      await page.goto(`${sys.url}/sandbox/ehr/launch?clinician=gp-1&patient=${patient}`);
      await page.waitForSelector('[data-testid="referral-form"]');
      await page.waitForSelector('[data-testid="service-list"]:not(:has-text("Loading services"))');
      times.push(performance.now() - t0);
      await page.waitForSelector('#referrals-heading ~ ul, #referrals-heading ~ p:not([role="status"])');
      perView.push(fhirRequests);
      counting = false;
      await ctx.close();
    }
    print('gp_app_fhir_server', 'embedded sandbox (Medplum FhirRouter + MemoryRepository, loopback)');
    print('gp_app_launch_to_interactive_ms_median', Math.round(percentile(times, 50)));
    print('gp_app_launch_to_interactive_ms_max', Math.round(Math.max(...times)));
    print('gp_app_fhir_requests_per_page_view_max', Math.max(...perView));
    print('gp_app_fhir_requests_per_page_view_median', percentile(perView, 50));
  } finally {
    await browser.close();
    await sys.stop();
  }
}
