import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { axeViolations, chromiumSuite } from '../helpers/browser.js';

const CLINICIAN = 'gp-1';

/**
 * "Remember to refer": the sandbox GP system calls SP Link's CDS Hooks service when a record opens and shows the card
 * above the record. "Refer" opens SP Link in the record with the coded need already chosen; "Dismiss" with a reason
 * is stored as feedback and the card does not come back that day.
 */
describe('Decision-support card in the GP record (e2e, Chromium)', function () {
  this.timeout(240_000);
  const suite = chromiumSuite({ gpApp: true });
  let page: Page;

  const openRecord = (patient: string) => page.goto(`${suite.sys.url}/sandbox/ehr?clinician=${CLINICIAN}&patient=${patient}`);
  const cards = () => page.locator('[data-testid="cds-card"]');

  before(async () => {
    page = await suite.page({ viewport: { width: 1280, height: 900 } });
  });

  it('shows one card above the record of a patient with a coded need and no referral; none for a patient with an open referral', async () => {
    await openRecord('pat-01');
    expect(await cards().count()).to.equal(1);
    const summary = await page.locator('[data-testid="cds-summary"]').textContent();
    expect(summary).to.match(/^Loneliness .*on the record, no social prescribing referral/);
    // Above the record, as GP systems show decision support.
    const cardTop = await cards().first().evaluate((el) => el.getBoundingClientRect().top);
    const recordTop = await page.locator('[data-testid="patient-record"]').evaluate((el) => el.getBoundingClientRect().top);
    expect(cardTop).to.be.below(recordTop);
    expect(await axeViolations(page, '[data-testid="cds-cards"]')).to.deep.equal([]);

    await openRecord('pat-03'); // referred two days ago, still open
    expect(await cards().count()).to.equal(0);
  });

  it('"Refer" opens SP Link in the record with the need chosen, and the card is reported accepted', async () => {
    await openRecord('pat-01');
    await page.locator('[data-testid="cds-refer"]').click();
    const frameEl = await page.waitForSelector('iframe#sp-link-frame');
    const app = (await frameEl.contentFrame())!;
    const loneliness = app.locator('#need-loneliness');
    await loneliness.waitFor({ timeout: 60_000 });
    expect(await loneliness.isChecked()).to.equal(true);
    expect(await app.locator('#need-bereavement').isChecked()).to.equal(false);
    expect(await cards().count(), 'acted on: no card again today').to.equal(0);
    const { rows } = await suite.sys.db.query("SELECT f.outcome, c.need FROM cds_feedback f JOIN cds_cards c ON c.id = f.card_id WHERE c.patient_id = 'pat-01'");
    expect(rows).to.deep.equal([{ outcome: 'accepted', need: 'loneliness' }]);
  });

  it('"Dismiss" records the reason and suppresses the card for the rest of the day', async () => {
    await openRecord('pat-02');
    expect(await cards().count()).to.equal(1);
    await page.locator('[data-testid="cds-reason"]').selectOption('already-discussed');
    await page.locator('[data-testid="cds-dismiss"]').click();
    await page.waitForSelector('[data-testid="patient-record"][data-patient-id="pat-02"]');
    expect(await cards().count()).to.equal(0);
    await openRecord('pat-02');
    expect(await cards().count()).to.equal(0);
    const { rows } = await suite.sys.db.query("SELECT f.outcome, f.override_reason FROM cds_feedback f JOIN cds_cards c ON c.id = f.card_id WHERE c.patient_id = 'pat-02'");
    expect(rows).to.deep.equal([{ outcome: 'overridden', override_reason: 'already-discussed' }]);
    const { rows: held } = await suite.sys.db.query("SELECT count(*)::int AS n FROM cds_suppressions s JOIN cds_cards c ON c.id = s.card_id WHERE c.patient_id = 'pat-02'");
    expect(held[0]!.n).to.be.at.least(2);
  });

  it('the card’s local services link opens the practice’s service overview', async () => {
    await openRecord('pat-04');
    const href = await page.locator('[data-testid="cds-link"]').getAttribute('href');
    const res = await page.request.get(href!);
    expect(res.status()).to.equal(200);
    expect(await res.text()).to.include('Local social prescribing services');
  });
});
