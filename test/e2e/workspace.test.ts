import { expect } from 'chai';
import { axeViolations, chromiumSuite, reloadUntil } from '../helpers/browser.js';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('link-worker workspace in Chromium (e2e): GP referral → link worker → GP sees the outcome', () => {
  const suite = chromiumSuite();

  it('refers in the GP app, works the case in the workspace, and the GP app shows Completed with the score change, then the corrected score; sign-out ends the IdP session', async () => {
    // 1. The GP launches SP Link from the sandbox record (new-window SMART launch) and sends a referral.
    const gp = await suite.page();
    await gp.goto(`${suite.sys.url}/sandbox/ehr/launch?patient=pat-08&clinician=gp-1`);
    await gp.locator('[data-testid="new-referral"]').click();
    await gp.waitForSelector('[data-testid="referral-form"]');
    const patientName = (await gp.locator('[data-testid="patient-name"]').innerText()).trim();
    await gp.locator('#need-loneliness').check();
    await gp.locator('#what-matters').fill('Feeling less alone since her husband died');
    await gp.locator('#safeguarding-no').check();
    await gp.locator('#consent-given').check();
    await gp.locator('[data-testid="send-referral"]').click();
    const card = gp.locator('[data-testid="referral"]').first();
    await card.waitFor();
    const referralId = await card.getAttribute('data-referral-id');
    expect(referralId).to.match(/^SPL-/);

    // 2. A link worker signs in (sandbox IdP, "Sign in as") and finds the new referral.
    const lw = await suite.page();
    await lw.goto(`${suite.sys.url}/workspace`);
    expect(await axeViolations(lw)).to.deep.equal([]);
    await lw.getByTestId('sign-in').click();
    await lw.locator('[data-testid="sign-in-as"][data-username="sarah.whitfield"]').click();
    await lw.waitForURL(/\/workspace\/caseload/);
    expect(await lw.getByTestId('signed-in-as').innerText()).to.equal('Sarah Whitfield');
    // Banner shows "FAMILY, Given"; the workspace shows "Given Family".
    const [family, given] = patientName.split(',').map((s) => s.trim());
    const shownName = `${given} ${family!.charAt(0)}${family!.slice(1).toLowerCase()}`;
    const row = lw.locator('[data-testid="caseload"] a', { hasText: shownName });
    await reloadUntil(lw, async () => (await row.count()) > 0, 'the referral to reach the link-worker service');
    expect(await axeViolations(lw)).to.deep.equal([]);
    await row.first().focus();
    await lw.keyboard.press('Enter');
    await lw.waitForSelector('[data-testid="case-title"]');
    expect(await lw.getByTestId('referral').innerText()).to.include('Feeling less alone since her husband died');
    expect(await axeViolations(lw)).to.deep.equal([]);

    // 3. Accept, a failed and a successful contact, two sessions, start and end SWEMWBS, complete.
    await lw.getByRole('button', { name: 'Accept referral' }).click();
    await lw.getByText('Referral accepted.').waitFor();

    async function openForm(summary: string) {
      await lw.locator('summary', { hasText: summary }).click();
    }
    await openForm('Record a contact attempt');
    await lw.locator('#contact-date').fill(day(-1));
    await lw.locator('#contact-method').selectOption('phone');
    await lw.getByLabel('No, no contact').check();
    await lw.getByRole('button', { name: 'Save contact attempt' }).click();
    await lw.getByText('Contact attempt saved.').waitFor();

    await openForm('Record a contact attempt');
    await lw.locator('#contact-date').fill(day(-1));
    await lw.locator('#contact-method').selectOption('phone');
    await lw.getByLabel('Yes, we spoke').check();
    await lw.getByRole('button', { name: 'Save contact attempt' }).click();
    await lw.getByText('Contact attempt saved.').waitFor();
    expect(await lw.getByTestId('contact-counts').innerText()).to.equal('1 successful, 1 failed');

    async function session(date: string, mode: string, minutes: string) {
      await openForm('Record a session');
      await lw.locator('#session-date').fill(date);
      await lw.getByLabel(mode, { exact: true }).check();
      await lw.locator('#session-durationMinutes').fill(minutes);
      await lw.locator('#session-notes').fill(`${mode} session`);
      await lw.getByRole('button', { name: 'Save session' }).click();
      await lw.getByText('Session saved.').waitFor();
    }
    async function swemwbs(date: string, score: string) {
      await openForm('Outcome measure: Short Warwick-Edinburgh');
      await lw.locator('#outcome-swemwbs-date').fill(date);
      await lw.locator('#outcome-swemwbs-score-total').fill(score);
      await lw.locator('form[data-form="outcome-swemwbs"] button[type="submit"]').click();
      await lw.getByText('Outcome measure saved.').waitFor();
    }
    await session(day(-1), 'Face to face', '60');
    await swemwbs(day(-1), '18');
    await session(day(0), 'Accompanied to an activity', '90');
    await swemwbs(day(0), '24');
    expect(await lw.getByTestId('sessions-held').innerText()).to.equal('2');
    expect(await axeViolations(lw)).to.deep.equal([]);

    await openForm('Complete with a summary for the GP');
    await lw.locator('#complete-summary').fill('Joined the walking group; feels more connected.');
    await lw.getByRole('button', { name: 'Complete case' }).click();
    await lw.getByText('Case completed.').waitFor();
    expect(await lw.getByTestId('case-status').innerText()).to.equal('Completed');

    // 4. The reconciler carries it back: the GP app shows Completed and the SWEMWBS change.
    const gpCard = gp.locator(`[data-testid="referral"][data-referral-id="${referralId}"]`);
    await reloadUntil(gp, async () => (await gpCard.count()) > 0 && (await gpCard.getByTestId('status').innerText()).trim() === 'Completed', 'the GP app to show Completed', () =>
      gp.getByTestId('referral-list').waitFor(),
    );
    const chart = await gpCard.getByTestId('outcomes').innerText();
    expect(chart).to.match(/18 on .*then 24 on .*improved/s);

    // 5. The link worker finds she mistyped the last score: corrected after completion, the GP record follows.
    await lw.locator('summary', { hasText: /^Correct / }).last().click();
    const fix = lw.locator('form[data-form^="correct-"]').last();
    await fix.locator('input[name="score-total"]').fill('26');
    await fix.locator('textarea[name="reason"]').fill('Typed 24, the form said 26');
    await fix.getByRole('button', { name: 'Save correction' }).click();
    await lw.getByText('Outcome measure corrected.').waitFor();
    expect(await lw.getByTestId('corrected').count()).to.equal(1);
    expect(await axeViolations(lw)).to.deep.equal([]);
    await reloadUntil(
      gp,
      async () => (await gpCard.count()) > 0 && /then 26 \(corrected\) on /.test(await gpCard.getByTestId('outcomes').innerText()),
      'the GP app to show the corrected score',
      () => gp.getByTestId('referral-list').waitFor(),
    );
    expect(await gpCard.getByTestId('outcomes').innerText()).to.match(/18 on .*then 26 \(corrected\) on .*improved/s);

    // 6. A shared practice PC: signing out ends the IdP session too, so the next person signs in as themselves.
    await lw.getByRole('button', { name: 'Sign out' }).click();
    await lw.locator('#sign-out').click(); // the IdP asks before ending its own session
    await lw.getByTestId('signed-out').waitFor();
    expect(await axeViolations(lw)).to.deep.equal([]);
    await lw.getByTestId('sign-in-again').click();
    await lw.locator('[data-testid="sign-in-as"]').first().waitFor();
    expect(new URL(lw.url()).pathname).to.match(/^\/sandbox\/idp\//);
  });
});
