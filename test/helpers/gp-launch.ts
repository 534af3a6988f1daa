import { existsSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { startTestSystem, type TestSystem } from './system.js';
import type { Fetch } from './tls.js';

/**
 * Drives the SMART EHR launch over real HTTP, as a browser would, with a cookie jar and manual
 * redirects (no browser). Used by the GP-app integration tests.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** The launch handle of the app window this jar stands for (sent as `x-sp-link-context`, as the app does). */
  launchContext: string | undefined;
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  clone(): CookieJar {
    const j = new CookieJar();
    for (const [k, v] of this.cookies) j.cookies.set(k, v);
    j.launchContext = this.launchContext;
    return j;
  }
}

/** `send`: the fetch to use, e.g. one trusting a test CA (test/helpers/tls.ts). */
export async function request(jar: CookieJar, url: string, init: RequestInit = {}, send: Fetch = fetch): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size) headers.set('cookie', jar.header());
  if (jar.launchContext && !headers.has('x-sp-link-context')) headers.set('x-sp-link-context', jar.launchContext);
  const res = await send(url, { ...init, headers, redirect: 'manual' });
  jar.store(res);
  return res;
}

/** Follows redirects (same jar for every origin: the sandbox is one origin) until a non-redirect or `stopAt` matches. */
export async function follow(jar: CookieJar, url: string, stopAt?: (u: URL) => boolean, send: Fetch = fetch): Promise<{ res: Response; url: string; hops: string[] }> {
  const hops: string[] = [];
  let current = url;
  for (let i = 0; i < 20; i++) {
    if (stopAt?.(new URL(current))) return { res: new Response(null, { status: 299 }), url: current, hops };
    const res = await request(jar, current, {}, send);
    hops.push(current);
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      await res.arrayBuffer();
      current = new URL(loc, current).href;
      continue;
    }
    return { res, url: current, hops };
  }
  throw new Error(`too many redirects from ${url}`);
}

export interface LaunchTarget {
  patient: string;
  practitioner: string;
  needPatientBanner?: boolean;
}

/**
 * Asks the sandbox EHR for a launch, as its patient record does: "Open SP Link in a new window"
 * (`/sandbox/ehr/launch`, banner shown by the app) or embedded (the iframe's src, no banner needed).
 */
export async function launchUrl(sys: TestSystem, t: LaunchTarget): Promise<string> {
  const q = new URLSearchParams({ clinician: t.practitioner, patient: t.patient });
  if (t.needPatientBanner === false) {
    const page = await fetch(`${sys.url}/sandbox/ehr?${q}&app=sp-link`);
    const m = /<iframe[^>]*src="([^"]+)"/.exec(await page.text());
    if (!m) throw new Error(`no embedded launch on /sandbox/ehr (HTTP ${page.status})`);
    return new URL(m[1]!.replaceAll('&amp;', '&'), sys.url).href;
  }
  const res = await fetch(`${sys.url}/sandbox/ehr/launch?${q}`, { redirect: 'manual' });
  const loc = res.headers.get('location');
  if (!loc) throw new Error(`sandbox EHR launch: HTTP ${res.status}`);
  return new URL(loc, sys.url).href;
}

/** A complete launch: returns the jar holding the signed-in session and the context the app sees. */
export async function launch(sys: TestSystem, t: LaunchTarget, jar = new CookieJar()): Promise<{ jar: CookieJar; csrf: string; context: Record<string, unknown> }> {
  const { res, url } = await follow(jar, await launchUrl(sys, t));
  const ctx = appContextOf(url);
  if (!ctx) throw new Error(`launch ended at ${url} with HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  jar.launchContext = ctx;
  const ctxRes = await request(jar, `${sys.url}/app/api/context`);
  if (!ctxRes.ok) throw new Error(`context: HTTP ${ctxRes.status} ${await ctxRes.text()}`);
  const context = (await ctxRes.json()) as Record<string, unknown>;
  return { jar, csrf: String(context.csrfToken), context };
}

/** The launch handle when `url` is the app page the launch lands on (`/app/?ctx=…`), else undefined. */
export function appContextOf(url: string): string | undefined {
  const u = new URL(url);
  return u.pathname === '/app/' ? (u.searchParams.get('ctx') ?? undefined) : undefined;
}

export { startTestSystem, type TestSystem };

/** Fails saying how to build the GP app when its bundle is missing (`npm run test:e2e` builds it first). */
export function requireBuiltGpApp(): void {
  if (!existsSync('dist/smart-app/index.html')) throw new Error('the GP app is not built: run `npm run build:app` (npm run test:e2e does)');
}

/** The SP Link frame embedded in a sandbox GP system page, once it is there. */
export async function embeddedApp(page: Page): Promise<Frame> {
  const frame = await (await page.waitForSelector('iframe#sp-link-frame')).contentFrame();
  if (!frame) throw new Error('the SP Link iframe has no frame');
  return frame;
}

/**
 * Opens a patient's record in the sandbox GP system with SP Link embedded (a fresh launch each time), in Chromium,
 * and waits until the app has loaded the patient's referrals.
 */
export async function openRecordWithApp(page: Page, sys: Pick<TestSystem, 'url'>, t: { clinician: string; patient: string }): Promise<Frame> {
  await page.goto(`${sys.url}/sandbox/ehr?${new URLSearchParams({ clinician: t.clinician, patient: t.patient, app: 'sp-link' })}`);
  const app = await embeddedApp(page);
  await app.waitForSelector('[data-testid="referrals"]', { timeout: 60_000 });
  await app.getByText('Loading referrals…').waitFor({ state: 'detached', timeout: 60_000 });
  return app;
}
