import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { axeViolations, chromiumSuite, reloadUntil } from '../helpers/browser.js';
import { signInToWorkspace } from '../helpers/workspace-sign-in.js';

/**
 * The agency form in Chromium: a community pharmacist refers someone without JavaScript and gets a reference; every
 * step is axe-clean at 320 px (an error state included); a pharmacist who signs in with their work account (the
 * sandbox IdP) sends a verified referral; the link worker finds both in new referrals, the first marked as from an
 * agency nobody verified, the second as from the agency. One system start for the file.
 */

/** Fills in every step as a pharmacist would (labels, not selectors); `check` runs on each page. */
async function refer(page: Page, url: string, who: { given: string; phone: string; concern?: string }, check: (step: string) => Promise<void>): Promise<string> {
  await page.goto(`${url}/refer`);
  await page.getByRole('link', { name: 'refer someone to a link worker' }).click();
  await page.getByRole('heading', { name: 'Refer someone to a social prescribing link worker' }).waitFor();
  await check('start');
  await page.getByRole('button', { name: 'Start now' }).click();
  await page.getByRole('heading', { name: 'About you' }).waitFor();
  await check('about you');
  await page.getByLabel('Your name').fill('Priya Shah');
  await page.getByLabel('Your job title or role').fill('Community pharmacist');
  await page.getByLabel('Your organisation', { exact: true }).fill('Fernbridge Pharmacy');
  await page.getByLabel('Your organisation’s ODS code (if it has one)').fill('FA-12');
  await page.getByRole('button', { name: 'Continue' }).click();
  // A wrong ODS code and no way to reach the pharmacist: the error summary and messages are checked too.
  await page.getByText('There is a problem').waitFor();
  await check('about you (errors)');
  await page.getByLabel('Your organisation’s ODS code (if it has one)').fill('FA123');
  await page.getByLabel('Your work phone number').fill('01632 960 500');
  await page.getByRole('button', { name: 'Continue' }).click();
  return referThePerson(page, who, check);
}

/** The steps about the person, from "About the person you are referring" to "Referral sent"; returns the reference. */
async function referThePerson(page: Page, who: { given: string; phone: string; concern?: string }, check: (step: string) => Promise<void>): Promise<string> {
  await page.getByRole('heading', { name: 'About the person you are referring' }).waitFor();
  await check('the person');
  await page.getByLabel('First name').fill(who.given);
  await page.getByLabel('Last name').fill('Brennan');
  await page.getByLabel('Day').fill('2');
  await page.getByLabel('Month').fill('11');
  await page.getByLabel('Year').fill('1958');
  await page.getByLabel('Postcode').fill('FB9 9ZZ');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'How can the link worker contact the person?' }).waitFor();
  await check('contact');
  await page.getByLabel('Phone number').fill(who.phone);
  await page.getByRole('radio', { name: 'No' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'What would the person like help with?' }).waitFor();
  await check('help');
  await page.getByRole('checkbox', { name: 'Loneliness' }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'How soon, and is there a safeguarding concern?' }).waitFor();
  await check('urgency and safeguarding');
  await page.getByRole('radio', { name: 'Routine', exact: true }).check();
  await page.getByRole('radio', { name: who.concern ? 'Yes' : 'No', exact: true }).check();
  if (who.concern) await page.getByLabel('Describe the concern and any action taken (if you answered yes)').fill(who.concern);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'The person’s agreement' }).waitFor();
  await check('agreement');
  await page.getByRole('radio', { name: 'Yes, they agreed' }).check();
  await page.locator('#consentGp').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Help for the person to talk to us' }).waitFor();
  await check('support');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Check your answers' }).waitFor();
  await check('check your answers');
  await page.getByRole('button', { name: 'Send referral' }).click();
  await page.getByRole('heading', { name: 'Referral sent' }).waitFor();
  await check('confirmation');
  return (await page.getByTestId('reference').innerText()).trim();
}

describe('agency referral form in Chromium (e2e)', function () {
  this.timeout(300_000);
  const suite = chromiumSuite();

  it('works without JavaScript: a pharmacist refers someone and gets a reference', async () => {
    const context = await suite.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const reference = await refer(page, suite.sys.url, { given: 'Olive', phone: '01632 960 601' }, async () => {
      expect(await page.locator('script').count()).to.equal(0);
    });
    expect(reference).to.match(/^SPL-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.getByText('They will contact Olive by phone').count()).to.equal(1);
    await context.close();
  });

  it('is axe-clean at 320 px on every step, errors included, with nothing wider than the screen', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    const problems: string[] = [];
    await refer(page, suite.sys.url, { given: 'Ivy', phone: '01632 960 602' }, async (step) => {
      for (const v of await axeViolations(page)) problems.push(`${step}: ${v}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      if (wide) problems.push(`${step}: scrolls sideways at 320 px`);
    });
    expect(problems).to.deep.equal([]);
    await context.close();
  });

  it('a pharmacist who signs in (axe-clean at 320 px on the way) sends a verified referral', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const check = async (step: string) => {
      for (const v of await axeViolations(page)) problems.push(`${step}: ${v}`);
      if (await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)) problems.push(`${step}: scrolls sideways at 320 px`);
    };
    await page.goto(`${suite.sys.url}/refer/agency`);
    await page.getByRole('link', { name: 'sign in with your work account' }).click();
    await page.getByRole('heading', { name: 'Sign in with your work account' }).waitFor();
    await check('sign-in: choose the organisation');
    await page.getByRole('button', { name: 'Continue to sign in' }).click();
    await page.getByText('Choose the organisation you work for').first().waitFor();
    await check('sign-in: nothing chosen');
    await page.getByRole('radio', { name: 'Fernbridge Pharmacy' }).check();
    await page.getByRole('button', { name: 'Continue to sign in' }).click();
    await page.locator('[data-testid="sign-in-as"][data-username="priya.shah"]').click();
    await page.getByRole('heading', { name: 'About you' }).waitFor();
    await check('about you (signed in)');
    expect(await page.getByTestId('signed-in').innerText()).to.contain('Signed in as Priya Shah, Fernbridge Pharmacy');
    expect(await page.getByLabel('Your name').count(), 'the name is the account’s').to.equal(0);
    await page.getByLabel('Your work phone number').fill('01632 960 500');
    await page.getByRole('button', { name: 'Continue' }).click();
    const reference = await referThePerson(page, { given: 'Rose', phone: '01632 960 603', concern: 'Lives alone; fell twice this month' }, check);
    expect(reference).to.match(/^SPL-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.getByText('marked as not verified').count()).to.equal(0);
    expect(problems).to.deep.equal([]);
    await context.close();
  });

  it('the link worker finds it in new referrals, from an agency nobody verified', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    await signInToWorkspace(page, suite.sys.url, 'sarah.whitfield');
    await page.waitForURL(/\/workspace\/caseload/);
    const row = page.locator('[data-testid="caseload"] tr', { hasText: 'Olive Brennan' });
    // The outbox delivers the Task in the background: look again until it is there.
    await reloadUntil(page, async () => (await row.count()) > 0, 'the referral in new referrals');
    expect(await row.count(), 'the referral reached the new referrals').to.equal(1);
    expect((await row.getByTestId('source').innerText()).trim()).to.equal('Agency (unverified)');
    await row.getByRole('link', { name: 'Olive Brennan' }).click();
    expect((await page.getByTestId('referral-source').innerText()).trim()).to.equal('Agency (unverified)');
    expect(await page.getByText('Priya Shah, Community pharmacist, Fernbridge Pharmacy (FA123)').count()).to.be.greaterThan(0);
    // The signed-in pharmacist's referral: verified, so the source reads "Agency".
    await page.goto(`${suite.sys.url}/workspace/caseload?view=new`);
    const verified = page.locator('[data-testid="caseload"] tr', { hasText: 'Rose Brennan' });
    for (let i = 0; i < 60 && (await verified.count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    expect((await verified.getByTestId('source').innerText()).trim()).to.equal('Agency');
    await verified.getByRole('link', { name: 'Rose Brennan' }).click();
    expect((await page.getByTestId('referral-source').innerText()).trim()).to.equal('Agency');
    await context.close();
  });
});
