import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { chromiumSuite, expectAxeClean } from '../helpers/browser.js';
import { signInToWorkspace } from '../helpers/workspace-sign-in.js';

/** Demo case in progress with a SWEMWBS taken at the start only (src/sandbox/demo/referrals.ts, referral 3). */
const CASE = 'task-ref-03';

async function noHorizontalScroll(page: Page, state: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `no horizontal scrolling at 320 px: ${state}`).to.be.at.most(0);
}

/** Presses Tab until the focused element matches `selector` (keyboard only), or fails naming it. */
async function tabTo(page: Page, selector: string, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`${selector} not reached with the Tab key`);
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

  it('the manager’s directory pages and the provider portal reflow at 320 px, with no axe violations, and work from the keyboard', async () => {
    // An onward referral first, so the workload table has a row (demo case 7 is in progress).
    await page.goto(`${suite.sys.url}/workspace/cases/task-ref-07`);
    await page.locator('summary', { hasText: 'Refer to community groups or services' }).click();
    await page.getByLabel('Name, activity or place').fill('walking');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const form = page.locator('form[data-form="onward"]');
    await form.getByLabel('Healthy Steps walking group').check();
    await form.getByLabel('The person agreed that their name and contact details go to these services').check();
    await page.getByRole('button', { name: 'Send referrals' }).click();
    await page.getByText('Referred to Healthy Steps walking group.').waitFor();

    // Directory to check: the demo keeps a few services stale on purpose; one is marked checked with the keyboard alone.
    await page.goto(`${suite.sys.url}/workspace/directory/to-check`);
    const cooking = page.locator('tr[data-service="svc-cooking"]');
    await cooking.waitFor();
    expect(await page.locator('tr[data-service="svc-debt-advice"]').count(), 'a service checked lately is not listed').to.equal(0);
    await noHorizontalScroll(page, 'directory to check');
    await expectAxeClean(page, 'directory to check');
    await tabTo(page, 'tr[data-service="svc-cooking"] button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.getByText('Cook and Eat Together: marked as checked.').waitFor();
    expect(await cooking.count(), 'checked: off the list').to.equal(0);
    await noHorizontalScroll(page, 'directory to check, after a save');
    await expectAxeClean(page, 'directory to check, after a save');

    await page.goto(`${suite.sys.url}/workspace/directory/workload`);
    const row = page.locator('tr[data-service-name="Healthy Steps walking group"]');
    expect(await row.locator('[data-count="received"]').innerText()).to.equal('1');
    await noHorizontalScroll(page, 'service workload');
    await expectAxeClean(page, 'service workload');

    // The provider portal's "Your services": capacity and waits changed from the keyboard; their own workload shown.
    const group = await suite.page({ viewport: { width: 320, height: 640 } });
    try {
      await signInToWorkspace(group, suite.sys.url, 'gail.hughes');
      await group.waitForURL(/\/workspace\/referrals$/);
      await group.goto(`${suite.sys.url}/workspace/our-services`);
      const walking = group.locator('[data-service="svc-walking"]');
      expect(await walking.locator('[data-testid="own-workload"] [data-count="received"]').innerText()).to.equal('1');
      await noHorizontalScroll(group, 'provider’s services');
      await expectAxeClean(group, 'provider’s services');
      await tabTo(group, '[data-service="svc-walking"] input[name="waitDays"]');
      await group.keyboard.press('Control+A');
      await group.keyboard.type('abc');
      await tabTo(group, '[data-service="svc-walking"] button[type="submit"]', 5);
      await group.keyboard.press('Enter');
      await group.locator('.nhsuk-error-summary').first().waitFor();
      await noHorizontalScroll(group, 'provider’s services with an error');
      await expectAxeClean(group, 'provider’s services with an error');
      await group.locator('[data-service="svc-walking"] input[name="waitDays"]').focus();
      await group.keyboard.press('Control+A');
      await group.keyboard.type('3');
      await tabTo(group, '[data-service="svc-walking"] button[type="submit"]', 5);
      await group.keyboard.press('Enter');
      await group.getByText('Healthy Steps walking group: saved.').waitFor();
      expect(await group.locator('[data-service="svc-walking"] input[name="waitDays"]').inputValue()).to.equal('3');
      expect(await walking.getByTestId('service-verified').innerText()).to.match(/by the provider \(Gail Hughes\)/);
    } finally {
      await group.context().close();
    }
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
