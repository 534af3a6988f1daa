import { expect } from 'chai';
import { axeViolations, chromiumSuite } from '../helpers/browser.js';
import { signInToWorkspace } from '../helpers/workspace-sign-in.js';

/** Demo referral 7 (src/sandbox/demo/referrals.ts): in progress with Megan Pritchard, plan agreed; patient 9, GP 3. */
const CASE = '/workspace/cases/task-ref-07';

describe('onward referral to a community group in Chromium (e2e): link worker → group portal → case and GP message back', function () {
  // Three people's sessions and a reconciler pass in one story: longer than the suite's default on a loaded machine.
  this.timeout(300_000);
  const suite = chromiumSuite();

  it('the link worker refers onward; the group accepts and records attendance; the case and the GP’s message back show it', async () => {
    // 1. The link worker refers the person from their case to the walking group, with consent to share.
    const lw = await suite.page();
    await signInToWorkspace(lw, suite.sys.url, 'megan.pritchard');
    await lw.waitForURL(/\/workspace\/caseload/);
    await lw.goto(`${suite.sys.url}${CASE}`);
    await lw.getByTestId('onward-empty').waitFor();
    await lw.locator('summary', { hasText: 'Refer to community groups or services' }).click();
    // The picker searches the directory as the GP app's does: each service says why it is listed where it is.
    await lw.getByLabel('Name, activity or place').fill('walking');
    await lw.getByRole('button', { name: 'Search', exact: true }).click();
    const form = lw.locator('form[data-form="onward"]');
    await form.getByLabel('Healthy Steps walking group').waitFor();
    expect(await form.getByTestId('why-here').first().innerText()).to.match(/^Why here: .*taking referrals/);
    expect(await axeViolations(lw)).to.deep.equal([]);
    await form.getByLabel('Healthy Steps walking group').check();
    await lw.getByRole('button', { name: 'Send referrals' }).click();
    expect(await lw.locator('#onward-consent-error').innerText(), 'consent to share is required').to.contain('Confirm that the person agreed');
    await form.getByLabel('The person agreed that their name and contact details go to these services').check();
    await form.getByLabel('What the service should know (optional)').fill('Would like to be met at the leisure centre door the first time.');
    await lw.getByRole('button', { name: 'Send referrals' }).click();
    await lw.getByText('Referred to Healthy Steps walking group.').waitFor();
    const row = lw.locator('[data-onward-service="Healthy Steps walking group"]');
    expect(await row.getByTestId('onward-status').innerText()).to.equal('Sent');
    expect(await axeViolations(lw)).to.deep.equal([]);

    // 2. The group's organiser signs in to the portal, sees the referral, accepts it and records the first session.
    const group = await suite.page();
    await signInToWorkspace(group, suite.sys.url, 'gail.hughes');
    await group.waitForURL(/\/workspace\/referrals$/);
    expect(await group.getByTestId('portal-org').innerText()).to.equal('Fernbridge Leisure Trust');
    expect(await axeViolations(group)).to.deep.equal([]);
    await group.locator('[data-testid="portal-open"] a').first().click();
    await group.getByTestId('portal-person').waitFor();
    expect(await group.getByTestId('portal-note').innerText()).to.contain('met at the leisure centre door');
    await group.locator('summary', { hasText: /^Accept$/ }).click();
    await group.locator('form[data-form="accept"] button[type="submit"]').click();
    await group.getByText('Referral accepted.').waitFor();
    await group.locator('summary', { hasText: 'Attended first session' }).click();
    await group.locator('form[data-form="attended"] textarea').fill('Came along on Tuesday and walked the full route.');
    await group.locator('form[data-form="attended"] button[type="submit"]').click();
    await group.getByText('Attendance recorded.').waitFor();
    expect(await group.getByTestId('onward-status').innerText()).to.equal('Attended');
    expect(await axeViolations(group)).to.deep.equal([]);
    // The portal is the group's only view: the case is not theirs.
    await group.goto(`${suite.sys.url}${CASE}`);
    expect(new URL(group.url()).pathname).to.equal('/workspace/referrals');

    // 3. The link worker's case shows the group's answer; they complete the case.
    await lw.reload();
    expect(await row.getByTestId('onward-status').innerText()).to.equal('Attended');
    await lw.locator('summary', { hasText: 'Complete with a summary for the GP' }).click();
    await lw.locator('#complete-summary').fill('Plan agreed and connected to the walking group, which she now attends.');
    await lw.getByRole('button', { name: 'Complete case' }).click();
    await lw.getByRole('button', { name: 'Complete without end measures' }).click();
    await lw.getByText('Case completed.').waitFor();

    // 4. The reconciler carries it to the GP: the message back in the GP system's record names the group and the outcome.
    const ehr = await suite.page();
    const message = ehr.locator('[data-testid="messages"] [data-testid="message-back"]', { hasText: 'Referred on to Healthy Steps walking group' });
    const until = Date.now() + 90_000;
    await ehr.goto(`${suite.sys.url}/sandbox/ehr?clinician=gp-3&patient=pat-09`);
    while ((await message.count()) === 0) {
      if (Date.now() > until) throw new Error('timed out waiting for the message back in the GP record');
      await ehr.waitForTimeout(2000);
      await ehr.reload();
    }
    expect(await message.innerText()).to.contain('Referred on to Healthy Steps walking group (Fernbridge Leisure Trust): attended');
  });
});
