import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { chromiumSuite, expectAxeClean } from '../helpers/browser.js';

/** Demo case in progress with a SWEMWBS taken at the start only (src/sandbox/demo/referrals.ts, referral 3). */
const CASE = 'task-ref-03';

async function noHorizontalScroll(page: Page, state: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `no horizontal scrolling at 320 px: ${state}`).to.be.at.most(0);
}

/** The workspace on a phone-sized screen (320 px), and completing a case without end measures, in Chromium. */
describe('link-worker workspace pages at 320 px, and completing without end measures (e2e, Chromium)', function () {
  this.timeout(240_000);
  const suite = chromiumSuite();
  let page: Page;

  before(async () => {
    page = await suite.page({ viewport: { width: 320, height: 640 } });
  });

  it('reflows the sign-in page, every caseload view and the manager’s page at 320 px, with no axe violations', async () => {
    await page.goto(`${suite.sys.url}/workspace`);
    await noHorizontalScroll(page, 'sign-in');
    await expectAxeClean(page, 'sign-in');
    await page.getByTestId('sign-in').click();
    await page.locator('[data-testid="sign-in-as"][data-username="nina.kaur"]').click();
    await page.waitForURL(/\/workspace\/caseload/);
    for (const view of ['new', 'open', 'closed', 'all']) {
      await page.goto(`${suite.sys.url}/workspace/caseload?view=${view}`);
      if (view === 'all') expect(await page.locator('[data-testid="caseload"] tr[data-case-id]').count(), 'demo cases listed').to.be.greaterThan(3);
      await noHorizontalScroll(page, `caseload ${view}`);
      await expectAxeClean(page, `caseload ${view}`);
    }
    await page.goto(`${suite.sys.url}/workspace/capacity`);
    await noHorizontalScroll(page, 'manager’s page');
    await expectAxeClean(page, 'manager’s page');
  });

  it('asks before completing a case without end measures; completing anyway closes it, and the closed case reads at 320 px', async () => {
    await page.goto(`${suite.sys.url}/workspace/cases/${CASE}`);
    await page.waitForSelector('[data-testid="case-title"]');
    await noHorizontalScroll(page, 'case in progress');
    await expectAxeClean(page, 'case in progress');
    await page.locator('summary', { hasText: 'Complete with a summary for the GP' }).click();
    await page.locator('#complete-summary').fill('Two sessions; now at a weekly walking group.');
    await page.getByRole('button', { name: 'Complete case' }).click();

    await page.getByTestId('confirm-complete').waitFor();
    expect(await page.getByTestId('end-measures-gap').innerText()).to.contain('Measured at the start but not again at the end');
    expect(await page.locator('main').innerText()).to.contain('Short Warwick-Edinburgh');
    await noHorizontalScroll(page, 'complete without end measures?');
    await expectAxeClean(page, 'complete without end measures?');
    // Going back writes nothing: the case is still open.
    await page.getByTestId('record-end-measures').click();
    await page.waitForSelector('[data-testid="case-title"]');
    expect(await page.getByTestId('case-status').innerText()).to.not.equal('Completed');

    await page.locator('summary', { hasText: 'Complete with a summary for the GP' }).click();
    await page.locator('#complete-summary').fill('Two sessions; now at a weekly walking group.');
    await page.getByRole('button', { name: 'Complete case' }).click();
    await page.getByTestId('complete-anyway').click();
    await page.getByText('Case completed.').waitFor();
    expect(await page.getByTestId('case-status').innerText()).to.equal('Completed');
    await noHorizontalScroll(page, 'completed case');
    await expectAxeClean(page, 'completed case');
  });
});
