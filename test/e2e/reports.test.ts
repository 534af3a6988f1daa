import { readFile } from 'node:fs/promises';
import type { Patient } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { patientResources } from '../../src/sandbox/demo/patients.js';
import { chromiumSuite, expectAxeClean, reloadUntil } from '../helpers/browser.js';
import { identifiersIn, identifiersOf } from '../helpers/report-identifiers.js';
import { signInToWorkspace } from '../helpers/workspace-sign-in.js';

describe('evaluation reports in Chromium (e2e): a commissioner filters the outcomes and GP appointments reports, reads a chart’s table, downloads the CSV', function () {
  this.timeout(300_000);
  const suite = chromiumSuite();

  it('signs in as a commissioner, filters by practice, sees charts with tables and suppressed small numbers, downloads the CSV', async () => {
    const page = await suite.page({ acceptDownloads: true });
    await signInToWorkspace(page, suite.sys.url, 'carol.evans');
    await page.waitForURL(/\/workspace\/reports$/);
    await expectAxeClean(page, 'reports index');
    await page.getByRole('link', { name: 'Outcomes' }).click();
    await page.waitForURL(/\/workspace\/reports\/outcomes/);
    // The year of history is seeded in the background at start: wait for it.
    await reloadUntil(page, async () => (await page.getByTestId('referral-count').innerText()) !== '0', 'the year of history');
    expect(Number(await page.getByTestId('referral-count').innerText())).to.be.above(1000);

    // Filter: one practice, figures by deprivation quintile, without any script on the page.
    await page.getByLabel('Practice').selectOption({ label: 'Hill Top Medical Centre' });
    await page.getByLabel('Show figures by').selectOption({ label: 'Deprivation (IMD quintile)' });
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(/practice=Y99905/);
    expect(await page.getByTestId('report-scope').innerText()).to.contain('Hill Top Medical Centre');

    // Each figure: a chart (an image with a name) and the data table under it.
    const section = page.getByTestId('report-table').first();
    expect(await section.locator('svg[role="img"]').count()).to.equal(1);
    const table = section.getByTestId('data-table');
    const headers = await table.locator('thead th').allInnerTexts();
    expect(headers).to.include.members(['Complete pairs', 'Mean change', '95% confidence interval']);
    const rows = await table.locator('tbody th[scope="row"]').allInnerTexts();
    expect(rows).to.include('1 (most deprived)');
    // One practice split five ways: small groups are hidden, never shown as their number.
    expect(await page.locator('td.sp-hidden', { hasText: '<8' }).count()).to.be.above(0);
    await expectAxeClean(page, 'outcomes report, filtered');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(download.suggestedFilename()).to.match(/^sp-link-outcomes-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).to.equal('report,period_from,period_to,practice,pcn,service,source,table,split,row,column,value');
    expect(lines.slice(1).every((l) => l.startsWith('outcomes,') && l.includes(',Y99905,'))).to.equal(true);
    expect(lines.some((l) => l.endsWith(',<8'))).to.equal(true);

    // Services connected, with the onward referrals to community groups from the demo history: charts and tables, accessible.
    await page.goto(`${suite.sys.url}/workspace/reports/services?by=sex`);
    const outcomes = page.locator('[data-table="onward-state"]');
    expect(await outcomes.locator('svg[role="img"]').count()).to.equal(1);
    expect(await outcomes.getByTestId('data-table').locator('tbody th[scope="row"]').allInnerTexts()).to.include.members(['Finished', 'Declined', 'Withdrawn']);
    expect(await page.locator('[data-table="onward-service"] [data-testid="data-table"] tbody th[scope="row"]').count()).to.be.above(3);
    await expectAxeClean(page, 'services report with onward referrals');
  });

  it('opens GP appointments: the chart with its table and the caveats, suppressed small numbers, and a CSV without identifiers', async () => {
    const page = await suite.page({ acceptDownloads: true });
    await signInToWorkspace(page, suite.sys.url, 'carol.evans');
    await page.waitForURL(/\/workspace\/reports$/);
    await page.getByRole('link', { name: 'GP appointments' }).click();
    await page.waitForURL(/\/workspace\/reports\/gp-demand/);
    // The demo history (with its GP appointment counts) is seeded in the background at start.
    await reloadUntil(page, async () => (await page.getByTestId('referral-count').innerText()) !== '0', 'the year of history');

    // Everyone together: one chart (an image with a name), its table, and the caveats printed with it.
    const section = page.locator('[data-table="gp-demand"]');
    expect(await section.locator('svg[role="img"]').count()).to.equal(1);
    expect(await section.locator('svg[role="img"]').getAttribute('aria-labelledby')).to.match(/-title .*-desc$/);
    const table = section.getByTestId('data-table');
    expect(await table.locator('thead th').allInnerTexts()).to.include.members(['Should have a pair', 'Complete pairs', 'Missing', 'Mean before', 'Mean after', 'Mean change', '95% confidence interval', 'Fewer after']);
    expect(await table.locator('tbody th[scope="row"]').allInnerTexts()).to.deep.equal(['Everyone']);
    const everyone = await table.locator('tbody tr').first().locator('td').allInnerTexts();
    // A year of history: half of it past its 6 months after, so many complete pairs and a mean change with its interval.
    expect(Number(everyone[1])).to.be.above(100);
    expect(everyone[5]).to.match(/^[+-]?\d+\.\d$/);
    expect(everyone[6]).to.match(/^-?\d+\.\d to -?\d+\.\d$/);
    const caveats = await section.locator('p.nhsuk-body-s').innerText();
    expect(caveats).to.contain('There is no comparison group');
    expect(caveats).to.contain('regression to the mean');
    expect(caveats).to.match(/Not counted yet: (\d+|<8)\./);
    await expectAxeClean(page, 'GP appointments report');

    // One practice split by ethnic group: small groups are hidden, never shown as their number, with their statistics.
    await page.getByLabel('Practice').selectOption({ label: 'Hill Top Medical Centre' });
    await page.getByLabel('Show figures by').selectOption({ label: 'Ethnic group' });
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(/practice=Y99905.*by=ethnicity|by=ethnicity.*practice=Y99905/);
    expect(await page.getByTestId('report-scope').innerText()).to.contain('Hill Top Medical Centre');
    expect(await section.locator('svg[role="img"]').count()).to.equal(1);
    expect(await table.locator('tbody th[scope="row"]').allInnerTexts()).to.include.members(['White', 'Not known']);
    expect(await table.locator('td.sp-hidden', { hasText: '<8' }).count()).to.be.above(0);
    await expectAxeClean(page, 'GP appointments report, filtered and split');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
    expect(download.suggestedFilename()).to.match(/^sp-link-gp-demand-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).to.equal('report,period_from,period_to,practice,pcn,service,source,table,split,row,column,value');
    expect(lines.slice(1).every((l) => l.startsWith('gp-demand,') && l.includes(',Y99905,'))).to.equal(true);
    // Every split, as on the page: everyone together and each equality field.
    for (const split of ['Everyone', 'Age band', 'Sex', 'Ethnic group', 'Deprivation (IMD quintile)', 'Disability']) expect(lines.some((l) => l.includes(`,${split},`)), split).to.equal(true);
    expect(lines.some((l) => l.includes(',Complete pairs,<8'))).to.equal(true);
    // No identifier of anyone behind the figures: the demo patients' names, NHS numbers, addresses, dates of birth, record ids, and every key in the store.
    const keys = (await suite.sys.db.query<{ key: string }>('SELECT referral_key AS key FROM report_referrals UNION SELECT referral_key FROM report_gp_demand')).rows.map((r) => r.key);
    const patients = patientResources().filter((r): r is Patient => r.resourceType === 'Patient');
    expect(identifiersIn(csv, identifiersOf(patients, keys))).to.deep.equal([]);

    // Split by disability, as the GP was asked it: a chart and table per category, accessible.
    await page.getByLabel('Practice').selectOption({ label: 'All' });
    await page.getByLabel('Show figures by').selectOption({ label: 'Disability' });
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(/by=disability/);
    expect(await section.locator('svg[role="img"]').count()).to.equal(1);
    expect(await table.locator('tbody th[scope="row"]').allInnerTexts()).to.deep.equal(['Disabled', 'Not disabled', 'Prefer not to say', 'Not known']);
    await expectAxeClean(page, 'GP appointments report by disability');
  });
});
