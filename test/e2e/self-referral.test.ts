import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Bundle, Communication, ServiceRequest } from '@medplum/fhirtypes';
import { IDENTIFIER_SYSTEM } from '../../src/referral-model/codes.js';
import { patientId } from '../../src/sandbox/demo/patients.js';
import { axeViolations, chromiumSuite, reloadUntil } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { openRecordWithApp } from '../helpers/gp-launch.js';
import { sandboxFhir } from '../helpers/http.js';
import { signInToWorkspace } from '../helpers/workspace-sign-in.js';

/**
 * The self-referral form in Chromium: without JavaScript, axe-clean at 320 px; then the three identity outcomes end
 * to end. Matched: the link worker sees the evidence and completes the case, and the GP app shows the referral as a
 * self-referral with the message back. Ambiguous (the demo twins): nothing reaches any GP record until the service
 * manager links one of them. No match: worked and completed with nothing written to any GP record.
 */

interface Person { given: string; family: string; day: string; month: string; year: string; postcode: string; phone: string }

const PEGGY: Person = { given: 'Peggy', family: 'Ellis', day: '14', month: '3', year: '1941', postcode: 'FB1 2AB', phone: '01632 960 111' };
/** Demo patient 19, Samuel Reid, as he calls himself: "Sam" (the nickname rule). */
const SAM: Person = { given: 'Sam', family: 'Reid', day: '31', month: '12', year: '1952', postcode: 'FB1 2PN', phone: '01632 960 131' };
/** Demo patients 29 and 30 are twins, Christopher and Christine, at one address: "Chris" could be either. */
const CHRIS: Person = { given: 'Chris', family: 'Doyle', day: '21', month: '7', year: '1994', postcode: 'FB2 3JD', phone: '07700 900 929' };
/** Nobody the GP system knows. */
const OTTILIE: Person = { given: 'Ottilie', family: 'Quist', day: '2', month: '2', year: '1990', postcode: 'ZZ1 1ZZ', phone: '01632 960 177' };

const GP = 'gp-1';
const none = async () => undefined;

/**
 * Fills in every step of the self-referral form as a person would (labels, not selectors); `check` runs on each page.
 * `change` also goes back from "Check your answers" to change the phone number.
 */
async function refer(page: Page, url: string, who: Person, o: { check?: (step: string) => Promise<void>; change?: boolean } = {}): Promise<string> {
  const check = o.check ?? none;
  await page.goto(`${url}/refer`);
  await check('start');
  await page.getByRole('button', { name: 'Start now' }).click();
  await page.getByRole('heading', { name: 'About you' }).waitFor();
  await check('about you (empty)');
  // Continue with nothing filled in: the error summary and messages are checked too.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('There is a problem').waitFor();
  await check('about you (errors)');
  await page.getByLabel('First name').fill(who.given);
  await page.getByLabel('Last name').fill(who.family);
  await page.getByLabel('Day').fill(who.day);
  await page.getByLabel('Month').fill(who.month);
  await page.getByLabel('Year').fill(who.year);
  await page.getByLabel('Postcode').fill(who.postcode);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'How can we contact you?' }).waitFor();
  await check('contact');
  await page.getByLabel('Phone number').fill(who.phone);
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
  if (o.change) {
    // Change a step from "Check your answers": back to it, then straight back to the check.
    await page.getByRole('button', { name: 'Change phone' }).click();
    await page.getByLabel('Phone number').fill('01632 960 112');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Check your answers' }).waitFor();
    expect(await page.getByText('01632 960 112').count()).to.equal(1);
  }
  await page.getByRole('button', { name: 'Send my request' }).click();
  await page.getByRole('heading', { name: 'Request sent' }).waitFor();
  await check('confirmation');
  return (await page.getByTestId('reference').innerText()).trim();
}

describe('self-referral form in Chromium (e2e)', function () {
  this.timeout(300_000);
  const suite = chromiumSuite({ gpApp: true });
  const { fhir, search, deliveredTask } = sandboxFhir(() => suite.sys);

  /** The referral as the GP record holds it (none until it is written there). */
  const inGpRecord = async (reference: string) => search<ServiceRequest>('ehr', `ServiceRequest?identifier=${encodeURIComponent(`${IDENTIFIER_SYSTEM.referral}|${reference}`)}`);
  /** Every ServiceRequest and Communication in the GP system that names the referral anywhere (each read whole: one page). */
  const anythingInGpRecord = async (reference: string) => {
    const all = async (type: 'ServiceRequest' | 'Communication') => {
      const page = await fhir<Bundle<ServiceRequest | Communication>>('ehr', `${type}?_count=1000`);
      expect(page.link?.some((l) => l.relation === 'next'), `every ${type} on one page`).to.not.equal(true);
      expect(page.entry?.length, `the GP system holds ${type}s to look through`).to.be.greaterThan(0);
      return (page.entry ?? []).map((e) => e.resource!);
    };
    return [...(await all('ServiceRequest')), ...(await all('Communication'))].filter((r) => JSON.stringify(r).includes(reference));
  };

  /** The link worker opens the referral from new referrals, reads its identity check, accepts and completes it. */
  async function workAndComplete(name: RegExp, outcome: string, summary: string): Promise<Page> {
    const lw = await suite.page();
    await signInToWorkspace(lw, suite.sys.url, 'sarah.whitfield');
    await lw.waitForURL(/\/workspace\/caseload/);
    const row = lw.locator('[data-testid="caseload"] tr', { hasText: name });
    await reloadUntil(lw, async () => (await row.count()) > 0, 'the referral in new referrals');
    expect((await row.getByTestId('source').innerText()).trim()).to.equal('Self-referral');
    await row.getByRole('link', { name }).click();
    await lw.getByTestId('case-title').waitFor();
    expect((await lw.getByTestId('referral-source').innerText()).trim()).to.equal('Self-referral');
    expect(await lw.getByTestId('match-outcome').innerText()).to.contain(outcome);
    await lw.getByRole('button', { name: 'Accept referral' }).click();
    await lw.getByText('Referral accepted.').waitFor();
    await lw.locator('summary', { hasText: 'Complete with a summary for the GP' }).click();
    await lw.locator('#complete-summary').fill(summary);
    await lw.getByRole('button', { name: 'Complete case' }).click();
    // No measure was taken at the end: the workspace asks before completing without one.
    await lw.getByRole('button', { name: 'Complete without end measures' }).click();
    await lw.getByText('Case completed.').waitFor();
    expect(await lw.getByTestId('case-status').innerText()).to.equal('Completed');
    return lw;
  }

  it('works without JavaScript: a person refers themselves and gets a reference', async () => {
    const page = await suite.page({ javaScriptEnabled: false });
    const reference = await refer(page, suite.sys.url, PEGGY, {
      change: true,
      check: async () => {
        expect(await page.locator('script').count()).to.equal(0);
      },
    });
    expect(reference).to.match(/^SPL-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await page.context().close();
  });

  it('is axe-clean at 320 px on every step, errors included, with nothing wider than the screen', async () => {
    const page = await suite.page({ viewport: { width: 320, height: 640 } });
    const problems: string[] = [];
    await refer(page, suite.sys.url, PEGGY, {
      change: true,
      check: async (step) => {
        for (const v of await axeViolations(page)) problems.push(`${step}: ${v}`);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        if (wide) problems.push(`${step}: scrolls sideways at 320 px`);
      },
    });
    expect(problems).to.deep.equal([]);
    await page.context().close();
  });

  it('matched: "Sam" Reid refers himself; the link worker sees the match and its evidence and completes; his GP app shows a self-referral, Completed, with the message back', async () => {
    const reference = await refer(await suite.page(), suite.sys.url, SAM);

    const lw = await workAndComplete(/Sam(uel)? Reid/, 'Matched', 'Joined the lunch club on Thursdays; feels less alone.');
    // The evidence, field by field: the given name he goes by, the rest the same as his record.
    await lw.locator('summary', { hasText: 'Evidence:' }).click();
    const evidence = lw.locator(`[data-testid="candidate"][data-patient="${patientId(19)}"]`);
    expect(await evidence.count()).to.equal(1);
    const rows = (await evidence.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    expect(rows.find((r) => r.startsWith('Given name'))).to.contain('Known as');
    expect(rows.find((r) => r.startsWith('Date of birth'))).to.contain('Same');
    expect(rows.find((r) => r.startsWith('Score'))).to.contain('(confident)');
    expect(await axeViolations(lw)).to.deep.equal([]);

    // The GP record: the referral with the person as its true requester, then Completed with the message back.
    const [sr] = await eventually(async () => {
      const found = await inGpRecord(reference);
      return found[0]?.status === 'completed' && found;
    }, 'the referral to be completed in the GP record');
    expect(sr!.subject?.reference).to.equal(`Patient/${patientId(19)}`);
    expect(sr!.requester?.reference, 'the requester is the person, not a GP').to.equal(`Patient/${patientId(19)}`);

    const gp = await suite.page({ viewport: { width: 1280, height: 900 } });
    const card = (await openRecordWithApp(gp, suite.sys, { clinician: GP, patient: patientId(19) })).locator(`[data-testid="referral"][data-referral-id="${reference}"]`);
    expect(await card.count()).to.equal(1);
    expect((await card.getByTestId('source').innerText()).trim()).to.equal('Self-referral');
    expect((await card.getByTestId('status').innerText()).trim()).to.equal('Completed');
    const message = card.locator('[data-testid="message-back"]', { hasText: 'Joined the lunch club' });
    await message.waitFor({ timeout: 60_000 });
    expect(await message.innerText()).to.match(/self-referral/i);
  });

  it('ambiguous: "Chris" Doyle could be either twin; nothing reaches any GP record until the service manager links one; then only that twin’s GP app shows it', async () => {
    const reference = await refer(await suite.page(), suite.sys.url, CHRIS);
    await deliveredTask(reference);

    // The service manager's queue: the evidence for both records, and a decision with its reason.
    const nina = await suite.page();
    await signInToWorkspace(nina, suite.sys.url, 'nina.kaur');
    await nina.waitForURL(/\/workspace\//);
    await nina.goto(`${suite.sys.url}/workspace/identity-reviews`);
    const queued = nina.locator(`[data-testid="reviews"] tr[data-referral="${reference}"]`);
    await queued.waitFor();
    expect(await queued.innerText()).to.contain('More than one patient could be this person');
    // Nothing was written to any GP record while it waited (the outbox has run: the Task is delivered).
    await suite.sys.reconciler!.runOutbox();
    expect(await anythingInGpRecord(reference)).to.deep.equal([]);

    await queued.getByRole('link').click();
    await nina.getByRole('heading', { name: /^Who is Chris Doyle\?/ }).waitFor();
    const candidates = nina.getByTestId('review-candidate');
    expect((await candidates.evaluateAll((els) => els.map((e) => e.getAttribute('data-patient')))).sort()).to.deep.equal([patientId(29), patientId(30)]);
    expect(await axeViolations(nina)).to.deep.equal([]);
    await nina.locator(`[data-testid="review-candidate"][data-patient="${patientId(29)}"] input[type="radio"]`).check();
    await nina.getByLabel('Why did you decide this?').fill('Spoke to Chris: he is Christopher, date of birth and address confirmed');
    await nina.getByRole('button', { name: 'Save decision' }).click();
    await nina.waitForURL(/\/workspace\/identity-reviews$/);

    // Written to Christopher's record only, and only his GP app shows it.
    const [sr] = await eventually(async () => {
      const found = await inGpRecord(reference);
      return found.length > 0 && found;
    }, 'the linked referral in the GP record');
    expect(sr!.subject?.reference).to.equal(`Patient/${patientId(29)}`);
    const gp = await suite.page({ viewport: { width: 1280, height: 900 } });
    const his = await openRecordWithApp(gp, suite.sys, { clinician: GP, patient: patientId(29) });
    expect((await his.locator(`[data-testid="referral"][data-referral-id="${reference}"]`).getByTestId('source').innerText()).trim()).to.equal('Self-referral');
    const hers = await openRecordWithApp(gp, suite.sys, { clinician: GP, patient: patientId(30) });
    expect(await hers.locator(`[data-testid="referral"][data-referral-id="${reference}"]`).count()).to.equal(0);
    expect(await hers.getByText(reference).count()).to.equal(0);
  });

  it('no match: someone the GP system does not know; the link worker works and completes it; nothing is written to any GP record', async () => {
    const reference = await refer(await suite.page(), suite.sys.url, OTTILIE);
    await workAndComplete(/Ottilie Quist/, 'No registered patient found', 'Met twice; now goes to the Tuesday walking group.');
    // Give the outbox and the reconciler their passes: still nothing anywhere in the GP system.
    await suite.sys.reconciler!.runOnce();
    expect(await anythingInGpRecord(reference)).to.deep.equal([]);
  });
});
