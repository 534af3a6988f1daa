import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Fills in every step of the self-referral form as a person would (labels, not selectors); `check` runs on each page. */
async function refer(page: Page, url: string, check: (step: string) => Promise<void>): Promise<string> {
  await page.goto(`${url}/refer`);
  await check('start');
  await page.getByRole('button', { name: 'Start now' }).click();
  await page.getByRole('heading', { name: 'About you' }).waitFor();
  await check('about you (empty)');
  // Continue with nothing filled in: the error summary and messages are checked too.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('There is a problem').waitFor();
  await check('about you (errors)');
  await page.getByLabel('First name').fill('Peggy');
  await page.getByLabel('Last name').fill('Ellis');
  await page.getByLabel('Day').fill('14');
  await page.getByLabel('Month').fill('3');
  await page.getByLabel('Year').fill('1941');
  await page.getByLabel('Postcode').fill('FB1 2AB');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'How can we contact you?' }).waitFor();
  await check('contact');
  await page.getByLabel('Phone number').fill('01632 960 111');
  await page.getByRole('radio', { name: 'Yes' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'What would you like help with?' }).waitFor();
  await check('help');
  await page.getByRole('checkbox', { name: 'Loneliness' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Sharing your information' }).waitFor();
  await check('sharing');
  await page.getByRole('radio', { name: 'Yes, I agree' }).check();
  await page.locator('#consentGp').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Help to talk to us' }).waitFor();
  await check('support');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Check your answers' }).waitFor();
  await check('check your answers');
  // Change a step from "Check your answers": back to it, then straight back to the check.
  await page.getByRole('button', { name: 'Change phone' }).click();
  await page.getByLabel('Phone number').fill('01632 960 112');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Check your answers' }).waitFor();
  expect(await page.getByText('01632 960 112').count()).to.equal(1);
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByRole('heading', { name: 'Request sent' }).waitFor();
  await check('confirmation');
  return (await page.getByTestId('reference').innerText()).trim();
}

describe('self-referral form in Chromium (e2e)', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let browser: Browser;

  before(async () => {
    sys = await startTestSystem({ background: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await sys?.stop();
  });

  it('works without JavaScript: a person refers themselves and gets a reference', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const reference = await refer(page, sys.url, async () => {
      expect(await page.locator('script').count()).to.equal(0);
    });
    expect(reference).to.match(/^SPL-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await context.close();
  });

  it('is axe-clean at 320 px on every step, errors included, with nothing wider than the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    const problems: string[] = [];
    await refer(page, sys.url, async (step) => {
      for (const v of await axeViolations(page)) problems.push(`${step}: ${v}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      if (wide) problems.push(`${step}: scrolls sideways at 320 px`);
    });
    expect(problems).to.deep.equal([]);
    await context.close();
  });
});
