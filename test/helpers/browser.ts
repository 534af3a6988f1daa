import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { eventually } from './eventually.js';
import { requireBuiltGpApp } from './gp-launch.js';
import { startTestSystem, type TestSystem } from './system.js';

/** Debian's Chromium (`apt-get install chromium`); `npx playwright install` is not used. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts headless Chromium, or fails saying how to install it. */
export async function startChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The axe violations of `page` (or of the part `include` selects), one `rule: targets` line each. */
export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const result = await (include ? builder.include(include) : builder).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Asserts `page` (or the part `include` selects) has no axe violations; `state` names it in the failure. */
export async function expectAxeClean(page: Page, state: string, include?: string): Promise<void> {
  expect(await axeViolations(page, include), `axe: ${state}`).to.deep.equal([]);
}

export interface ChromiumSuite {
  /** The system under test, started in `before`. */
  readonly sys: TestSystem;
  readonly browser: Browser;
  /** A page in a context of its own (its own cookies: one person each). */
  page(options?: BrowserContextOptions): Promise<Page>;
}

/**
 * The e2e suites' set-up, once: in the calling `describe`, `before` starts the whole system (background work on, as
 * `npm start` runs it; `options` as startTestSystem's) and Chromium, `after` stops both. `gpApp` first checks that
 * the GP app is built. Every e2e suite has one system for its file.
 */
export function chromiumSuite(options: Parameters<typeof startTestSystem>[0] & { gpApp?: boolean } = {}): ChromiumSuite {
  let sys: TestSystem | undefined;
  let browser: Browser | undefined;
  const { gpApp, ...start } = options;
  before(async function () {
    // Starting the whole system (database, sandbox seed) is not what the suite tests; on a loaded machine it can be slow.
    this.timeout(Math.max(this.timeout(), 600_000));
    if (gpApp) requireBuiltGpApp();
    sys = await startTestSystem({ background: true, ...start });
    browser = await startChromium();
  });
  after(async () => {
    await browser?.close();
    await sys?.stop();
  });
  const started = <T>(x: T | undefined, what: string): T => {
    if (!x) throw new Error(`${what} is not started: use the suite inside its describe's tests`);
    return x;
  };
  return {
    get sys() { return started(sys, 'the test system'); },
    get browser() { return started(browser, 'Chromium'); },
    async page(o) { return (await started(browser, 'Chromium').newContext(o)).newPage(); },
  };
}

/**
 * Reloads `page` until `check` passes (the outbox delivery and the reconciler run in the background). `ready` waits
 * for the page to finish loading what `check` looks at (the GP app fetches its referral list after `load`).
 */
export async function reloadUntil(page: Page, check: () => Promise<boolean>, what: string, ready: () => Promise<unknown> = async () => undefined, timeoutMs = 90_000): Promise<void> {
  await ready();
  await eventually(check, what, {
    timeoutMs,
    intervalMs: 2000,
    between: async () => {
      await page.reload();
      await ready();
    },
  });
}
