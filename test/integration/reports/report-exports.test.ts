import { expect } from 'chai';
import { runCli } from '../../helpers/cli.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bundle, Measure, MeasureReport, OperationOutcome } from '@medplum/fhirtypes';
import { INDICATORS, MEASURES, measureReportProblems } from '../../../src/reports/measures.js';
import { MEASURE_VERSION } from '../../../src/workspace/http/report-routes.js';
import { countFacts } from '../../../src/reports/report-store.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { captureIdentifiableReferral, identifiersIn } from '../../helpers/report-identifiers.js';

const REPORTS_TOKEN = 'reports-api-token-for-tests-0123456789';
const ADMIN_TOKEN = 'sandbox-admin-token';
const CSV_HEADER = 'report,period_from,period_to,practice,pcn,service,source,table,split,row,column,value';

/**
 * Scheduled exports and analytics platforms: the reports pulled with a Bearer token (`reports.apiToken` or the admin
 * token) and through `sp-link report` as a real process against the running instance, with every export scanned
 * for identifiers and every pull in the audit trail.
 */
describe('reports: exports by Bearer token and the sp-link report command', function () {
  // Boots the whole system, waits for its year of history, and spawns the CLI a few times: minutes on a loaded machine.
  this.timeout(300_000);
  let sys: TestSystem;
  let outDir: string;
  let identifiers: string[];

  before(async () => {
    sys = await startTestSystem({
      background: false,
      edit: (raw) => {
        (raw.reports as Record<string, unknown>).apiToken = REPORTS_TOKEN;
      },
    });
    outDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-report-out-'));
    // The sandbox seeds its year of history in the background at start: wait for it, then add a live referral.
    for (let i = 0; i < 120 && (await countFacts(sys.db)) < 2000; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await countFacts(sys.db)).to.be.at.least(2000);
    identifiers = await captureIdentifiableReferral(sys.db);
  });
  after(async () => {
    await sys?.stop();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  const get = (p: string, token?: string, accept?: string) =>
    fetch(`${sys.url}${p}`, { headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(accept ? { accept } : {}) }, redirect: 'manual' });
  const auditOf = async (action: string) =>
    (await sys.db.query<{ actor: string; details: Record<string, unknown> }>(`SELECT actor, details FROM audit_events WHERE action = $1 ORDER BY id`, [action])).rows;

  /** `sp-link report …` as a process, with the configuration the instance was started with: its port (publicUrl) and admin token. */
  const sp = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['report', ...args], { PORT: new URL(sys.url).port, ...env });

  describe('Bearer token (reports.apiToken)', () => {
    it('lists the Measures, evaluates one for a period and scope, and downloads a report as CSV', async () => {
      const list = await get('/workspace/reports/fhir/Measure', REPORTS_TOKEN);
      expect(list.status).to.equal(200);
      expect(list.headers.get('content-type')).to.match(/^application\/fhir\+json/);
      const bundle = (await list.json()) as Bundle<Measure>;
      expect(bundle.entry?.map((e) => e.resource?.id)).to.deep.equal(INDICATORS.map((i) => i.id));

      const one = await get('/workspace/reports/fhir/Measure/sp-link-reach', REPORTS_TOKEN);
      expect(one.status).to.equal(200);
      expect(((await one.json()) as Measure).id).to.equal('sp-link-reach');

      const evaluated = await get('/workspace/reports/fhir/Measure/sp-link-reach/$evaluate-measure?periodStart=2020-01-01&pcn=Vale%20North%20PCN', REPORTS_TOKEN);
      expect(evaluated.status).to.equal(200);
      const report = (await evaluated.json()) as MeasureReport;
      expect(report.resourceType).to.equal('MeasureReport');
      expect(report.period).to.deep.include({ start: '2020-01-01' });
      expect(measureReportProblems(report, MEASURES(MEASURE_VERSION).find((m) => m.id === 'sp-link-reach')!)).to.deep.equal([]);
      expect(report.group?.[0]?.population?.[0]?.count).to.be.above(0);

      const csv = await get('/workspace/reports/referrals.csv?practice=Y99904', REPORTS_TOKEN);
      expect(csv.status).to.equal(200);
      expect(csv.headers.get('content-type')).to.match(/^text\/csv; charset=utf-8/);
      const lines = (await csv.text()).trimEnd().split('\r\n');
      expect(lines[0]).to.equal(CSV_HEADER);
      expect(lines.length).to.be.above(50);
      expect(lines.slice(1).every((l) => l.startsWith('referrals,') && l.includes(',Y99904,'))).to.equal(true);
    });

    it('refuses a page to a token (406): pages are for people signed in', async () => {
      for (const p of ['/workspace/reports/outcomes', '/workspace/reports/outcomes?by=sex']) {
        const res = await get(p, REPORTS_TOKEN, 'text/html');
        expect(res.status, p).to.equal(406);
        const body = (await res.json()) as OperationOutcome;
        expect(body.issue?.[0]?.code).to.equal('not-supported');
        expect(body.issue?.[0]?.diagnostics).to.include('.csv');
      }
    });

    it('refuses a wrong or malformed token (401 with WWW-Authenticate) without sending the caller to sign in', async () => {
      for (const auth of [`Bearer ${REPORTS_TOKEN}x`, `Bearer ${REPORTS_TOKEN.slice(0, -1)}`, 'Bearer ', `Basic ${REPORTS_TOKEN}`]) {
        for (const p of ['/workspace/reports/fhir/Measure', '/workspace/reports/fhir/Measure/sp-link-reach/$evaluate-measure', '/workspace/reports/outcomes.csv']) {
          const res = await fetch(`${sys.url}${p}`, { headers: { authorization: auth }, redirect: 'manual' });
          expect(res.status, `${auth} ${p}`).to.equal(401);
          expect(res.headers.get('www-authenticate')).to.equal('Bearer');
          expect(((await res.json()) as OperationOutcome).issue?.[0]?.code).to.equal('login');
        }
      }
      // No token at all: the workspace's sign-in, as for any page.
      expect((await get('/workspace/reports/outcomes.csv')).status).to.equal(303);
    });

    it('audits each pull as the token that made it, with the report and its filter', async () => {
      await get('/workspace/reports/timeliness.csv?service=demo-link-workers', REPORTS_TOKEN);
      await get('/workspace/reports/fhir/Measure/sp-link-referrals/$evaluate-measure?periodStart=2020-01-01', ADMIN_TOKEN);
      const csv = (await auditOf('reports.csv')).filter((r) => r.details.report === 'timeliness');
      expect(csv.map((r) => r.actor)).to.deep.equal(['token:reports-api']);
      expect(csv[0]!.details).to.deep.include({ service: 'demo-link-workers' });
      const measure = (await auditOf('reports.measure-report')).filter((r) => r.details.measure === 'sp-link-referrals');
      expect(measure.map((r) => r.actor)).to.deep.equal(['token:admin']);
      expect(measure[0]!.details).to.deep.include({ from: '2020-01-01' });
    });
  });

  describe('sp-link report (a real process against the running instance)', () => {
    it('writes a report as CSV to a file or to stdout, a MeasureReport and the Measures, with no identifier in any of them, audited as the admin token', async () => {
      const file = path.join(outDir, 'outcomes.csv');
      const toFile = await sp(['outcomes', '--from', '2020-01-01', '--out', file]);
      expect(toFile.stderr).to.equal('');
      expect(toFile.code).to.equal(0);
      expect(toFile.stdout).to.equal('');
      const toStdout = await sp(['services', '--from', '2020-01-01', '--pcn', 'Vale North PCN']);
      expect(toStdout.stderr).to.equal('');
      expect(toStdout.code).to.equal(0);
      const exported: [string, string][] = [['outcomes', await readFile(file, 'utf8')], ['services', toStdout.stdout]];
      for (const [id, text] of exported) {
        const lines = text.trimEnd().split('\r\n');
        expect(lines[0], id).to.equal(CSV_HEADER);
        expect(lines.length, id).to.be.above(20);
        expect(lines.slice(1).every((l) => l.startsWith(`${id},2020-01-01,`)), id).to.equal(true);
      }
      expect(exported[1]![1].trimEnd().split('\r\n').slice(1).every((l) => l.includes(',Vale North PCN,'))).to.equal(true);

      const mr = await sp(['measure-report', 'sp-link-swemwbs-improvement', '--from', '2020-01-01', '--practice', 'Y99903']);
      expect(mr.stderr).to.equal('');
      expect(mr.code).to.equal(0);
      const report = JSON.parse(mr.stdout) as MeasureReport;
      expect(measureReportProblems(report, MEASURES(MEASURE_VERSION).find((m) => m.id === 'sp-link-swemwbs-improvement')!)).to.deep.equal([]);
      exported.push(['measure-report', mr.stdout]);
      // What became of onward referrals (the probe's onward referral names its person): every group, every stratum.
      const onward = await sp(['measure-report', 'sp-link-onward-referrals', '--from', '2020-01-01']);
      expect(onward.stderr).to.equal('');
      expect(onward.code).to.equal(0);
      const onwardReport = JSON.parse(onward.stdout) as MeasureReport;
      expect(measureReportProblems(onwardReport, MEASURES(MEASURE_VERSION).find((m) => m.id === 'sp-link-onward-referrals')!)).to.deep.equal([]);
      expect(onwardReport.group?.find((g) => g.code?.coding?.[0]?.code === 'finished')?.population?.[2]?.count).to.be.above(0);
      exported.push(['onward measure-report', onward.stdout]);

      const measuresFile = path.join(outDir, 'measures.json');
      const ms = await sp(['measures', '--out', measuresFile]);
      expect(ms.code).to.equal(0);
      const bundle = JSON.parse(await readFile(measuresFile, 'utf8')) as Bundle<Measure>;
      expect(bundle.entry?.map((e) => e.resource?.id)).to.deep.equal(INDICATORS.map((i) => i.id));

      expect(identifiers.length).to.be.above(100);
      for (const [where, text] of exported) expect(identifiersIn(text, identifiers), where).to.deep.equal([]);

      const audited = (await auditOf('reports.csv')).filter((r) => r.details.from === '2020-01-01');
      expect(audited.map((r) => [r.actor, r.details.report])).to.deep.equal([['token:admin', 'outcomes'], ['token:admin', 'services']]);
    });

    it('names a bad filter (exit 2), an unknown report (exit 2) or a token the instance refuses (exit 77) and writes no file', async () => {
      const file = path.join(outDir, 'bad.csv');
      const bad = await sp(['timeliness', '--from', '2026-02-31', '--out', file]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.include('from: Enter a real date as YYYY-MM-DD');
      expect(await readFile(file, 'utf8').catch(() => 'absent')).to.equal('absent');

      const unknown = await sp(['shoe-sizes']);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.include('Unknown report "shoe-sizes"');

      const wrongToken = await sp(['measures'], { SP_LINK_ADMIN_TOKEN: 'not-the-instance-token' });
      expect(wrongToken.code).to.equal(77);
      expect(wrongToken.stderr).to.include('refused the admin token');
    });
  });
});
