import { expect } from 'chai';
import type { MeasureReport } from '@medplum/fhirtypes';
import { REPORTS } from '../../../src/reports/report-builders.js';
import { SPLIT_KEYS } from '../../../src/reports/dimensions.js';
import { seedReportHistory } from '../../../src/sandbox/demo/report-history.js';
import { captureIdentifiableReferral, identifiersIn } from '../../helpers/report-identifiers.js';
import { Browser, startWorkspaceHarness, type WorkspaceHarness } from './harness.js';

describe('workspace: evaluation reports for commissioners and service managers (HTTP)', function () {
  // Every page and CSV aggregates a year of history (2,400 referrals) in the embedded store.
  this.timeout(300_000);
  let h: WorkspaceHarness;
  let carol: Browser;
  let identifiers: string[];

  before(async () => {
    h = await startWorkspaceHarness();
    await seedReportHistory(h.db);
    // A live referral captured from real records (names, NHS number, address, Task id), as the reconciler captures it.
    identifiers = await captureIdentifiableReferral(h.db);
    carol = new Browser(h.url);
    await carol.signIn('carol.evans');
  });
  after(async () => h?.stop());

  it('lands a commissioner on the reports, and keeps her out of cases and the portal', async () => {
    const home = await carol.get('/workspace/');
    expect(home.url).to.match(/\/workspace\/reports$/);
    expect(home.text).to.include('(commissioner)');
    for (const r of REPORTS) expect(home.text).to.include(`href="/workspace/reports/${r.id}"`);
    expect((await carol.get('/workspace/caseload')).url).to.match(/\/workspace\/reports$/);
    expect((await carol.get('/workspace/referrals')).url).to.match(/\/workspace\/reports$/);
  });

  it('shows a service manager the reports and keeps link workers out', async () => {
    const nina = new Browser(h.url);
    await nina.signIn('nina.kaur');
    const page = await nina.get('/workspace/reports/referrals');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('href="/workspace/reports"');
    const sarah = new Browser(h.url);
    await sarah.signIn('sarah.whitfield');
    const refused = await sarah.get('/workspace/reports/outcomes');
    expect(refused.url).to.match(/\/workspace\/caseload$/);
    expect(refused.text).to.not.include('data-testid="report-table"');
    expect((await sarah.raw('GET', '/workspace/reports/outcomes.csv')).status).to.equal(303);
  });

  it('sends an anonymous visitor to sign in, and back to the report after', async () => {
    const res = await new Browser(h.url).raw('GET', '/workspace/reports/outcomes?by=sex');
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal(`/workspace/sign-in?${new URLSearchParams({ returnTo: '/workspace/reports/outcomes?by=sex' })}`);
  });

  it('renders each report with a chart and a data table per figure, filtered, and downloads the same figures as CSV', async () => {
    const page = await carol.get('/workspace/reports/outcomes?practice=Y99903&by=imd-quintile');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Fernbridge Health Centre');
    const sections = page.text.split('data-testid="report-table"').length - 1;
    expect(sections).to.be.above(0);
    expect(page.text.split('<svg role="img"').length - 1).to.equal(sections);
    expect(page.text.split('data-testid="data-table"').length - 1).to.equal(sections);
    expect(page.text).to.include('1 (most deprived)');
    // Social outcomes at closing, counted by the same split, under the outcome measures.
    expect(page.text).to.include('data-table="social-outcome"').and.include('Housing secured or improved');
    const csv = await carol.raw('GET', '/workspace/reports/outcomes.csv?practice=Y99903');
    expect(csv.status).to.equal(200);
    expect(csv.headers.get('content-type')).to.match(/^text\/csv; charset=utf-8/);
    expect(csv.headers.get('content-disposition')).to.match(/^attachment; filename="sp-link-outcomes-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).to.equal('report,period_from,period_to,practice,pcn,service,source,table,split,row,column,value');
    expect(text).to.include(',Y99903,');
  });

  it('names each problem with a filter and shows nothing else (400)', async () => {
    const res = await carol.get('/workspace/reports/timeliness?from=2026-02-31&source=nobody&by=shoe-size');
    expect(res.status).to.equal(400);
    expect(res.text).to.include('There is a problem').and.include('Enter a real date as YYYY-MM-DD').and.include('Choose how to show the figures from the list');
    expect(res.text).to.not.include('data-testid="report-table"');
    expect((await carol.get('/workspace/reports/nonsense')).status).to.equal(404);
  });

  it('audits every view and download with the report and its filter, and the user', async () => {
    await carol.get('/workspace/reports/services?pcn=Vale%20North%20PCN');
    await carol.raw('GET', '/workspace/reports/services.csv?pcn=Vale%20North%20PCN');
    const { rows } = await h.db.query<{ actor: string; action: string; details: Record<string, unknown> }>(
      `SELECT actor, action, details FROM audit_events WHERE action LIKE 'reports.%' AND details->>'report' = 'services' ORDER BY id`);
    expect(rows.map((r) => r.action)).to.deep.equal(['reports.view', 'reports.csv']);
    expect(rows[0]!.actor).to.equal('icb-commissioner-1');
    expect(rows[0]!.details).to.deep.include({ report: 'services', pcn: 'Vale North PCN', by: 'all' });
  });

  it('shows a service manager only their own organisation’s services, in the page, the CSV and the MeasureReport', async () => {
    const nina = new Browser(h.url);
    await nina.signIn('nina.kaur');
    const page = await nina.get('/workspace/reports/referrals?from=2020-01-01');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Fernbridge Community Connect').and.not.include('Westshire Carers link service');
    const csv = await (await nina.raw('GET', '/workspace/reports/referrals.csv?from=2020-01-01')).text();
    expect(csv).to.include('Fernbridge Community Connect').and.not.include('Westshire Carers link service');
    const mr = await (await nina.raw('GET', '/workspace/reports/fhir/Measure/sp-link-referrals/$evaluate-measure?periodStart=2020-01-01')).json() as MeasureReport;
    const own = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM report_referrals WHERE service = 'demo-link-workers'`);
    const all = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM report_referrals');
    expect(own.rows[0]!.n).to.be.below(all.rows[0]!.n);
    expect(mr.group![0]!.population![0]!.count).to.equal(own.rows[0]!.n);
    // The GP appointments report too: the demo history's counts, within her services.
    const gp = await nina.get('/workspace/reports/gp-demand?from=2020-01-01');
    expect(gp.text).to.include('GP appointments in the 6 months before and after referral').and.include('regression to the mean');
  });

  it('shows the onward referrals to community groups in the services report: per service, outcome, need and reason, from the demo history', async () => {
    const page = await carol.get('/workspace/reports/services?by=sex');
    expect(page.status).to.equal(200);
    for (const table of ['onward-service', 'onward-state', 'onward-need', 'onward-reason']) expect(page.text).to.include(`data-table="${table}"`);
    expect(page.text).to.include('Onward referrals per community service').and.include('Healthy Steps walking group').and.include('Why onward referrals were declined or withdrawn');
    const csv = await (await carol.raw('GET', '/workspace/reports/services.csv')).text();
    const finished = csv.split('\r\n').find((l) => l.includes(',What became of onward referrals,Everyone,Finished,'));
    expect(Number(finished?.split(',').pop()), 'a year of demo history: enough finished to be shown').to.be.above(7);
  });

  it('puts no identifier in any report page or CSV: every report, every split, whole period and one practice', async () => {
    expect(identifiers.length).to.be.above(100);
    for (const r of REPORTS) {
      for (const filter of ['', 'practice=Y99901&from=2020-01-01']) {
        const docs: [string, string][] = [];
        for (const by of SPLIT_KEYS) docs.push([`${r.id}?by=${by}`, (await carol.get(`/workspace/reports/${r.id}?${filter}&by=${by}`)).text]);
        docs.push([`${r.id}.csv`, await (await carol.raw('GET', `/workspace/reports/${r.id}.csv?${filter}`)).text()]);
        for (const [where, text] of docs) {
          expect(text.length, where).to.be.above(500);
          expect(identifiersIn(text, identifiers), `${where} ${filter}`).to.deep.equal([]);
        }
      }
    }
  });
});

describe('workspace: a commissioner sees her area only, and nothing until one is configured (HTTP)', function () {
  this.timeout(300_000);
  let h: WorkspaceHarness;
  let carol: Browser;
  let vale: number;

  before(async () => {
    // Westshire ICB's area narrowed to one PCN.
    h = await startWorkspaceHarness({ configure: (c) => ({ ...c, reports: { ...c.reports, areas: [{ organisation: 'Y99990', pcns: ['Vale North PCN'], practices: [] }] } }) });
    await seedReportHistory(h.db);
    vale = (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM report_referrals WHERE pcn = 'Vale North PCN'`)).rows[0]!.n;
    carol = new Browser(h.url);
    await carol.signIn('carol.evans');
  });
  after(async () => h?.stop());

  it('keeps the page, the CSV and the MeasureReport to her area, whatever the filter asks for', async () => {
    const page = await carol.get('/workspace/reports/referrals?from=2020-01-01');
    expect(page.text).to.include('Oakfield Surgery').and.not.include('Riverside Medical Practice');
    const csv = await (await carol.raw('GET', '/workspace/reports/referrals.csv?from=2020-01-01')).text();
    expect(csv).to.include('Oakfield Surgery').and.not.include('Canal Street Surgery');
    const mr = await (await carol.raw('GET', '/workspace/reports/fhir/Measure/sp-link-referrals/$evaluate-measure?periodStart=2020-01-01')).json() as MeasureReport;
    expect(mr.group![0]!.population![0]!.count).to.equal(vale);
    // Asking for a practice outside her area finds nothing, not that practice's figures.
    const outside = await (await carol.raw('GET', '/workspace/reports/fhir/Measure/sp-link-referrals/$evaluate-measure?periodStart=2020-01-01&practice=Y99901')).json() as MeasureReport;
    expect(outside.group![0]!.population![0]!.count ?? 0).to.equal(0);
  });

  it('refuses a commissioner with no area, saying what to configure (403)', async () => {
    await h.stop();
    h = await startWorkspaceHarness({ configure: (c) => ({ ...c, reports: { ...c.reports, areas: [] } }) });
    carol = new Browser(h.url);
    await carol.signIn('carol.evans');
    const page = await carol.get('/workspace/reports/outcomes');
    expect(page.status).to.equal(403);
    expect(page.text).to.include('reports.areas');
    expect((await carol.raw('GET', '/workspace/reports/outcomes.csv')).status).to.equal(403);
    const fhir = await carol.raw('GET', '/workspace/reports/fhir/Measure/sp-link-reach/$evaluate-measure');
    expect(fhir.status).to.equal(403);
    expect(await fhir.text()).to.include('reports.areas');
  });
});
