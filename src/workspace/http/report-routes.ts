import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Bundle, Measure } from '@medplum/fhirtypes';
import { aggregate, reportChoices } from '../../reports/aggregate.js';
import { SPLIT_KEYS, isSplitKey, type SplitKey } from '../../reports/dimensions.js';
import { filterQuery, parseReportFilter, withinOf, type ReportWithin } from '../../reports/report-filter.js';
import { buildReport, isReportId, reportScope } from '../../reports/report-builders.js';
import { csvFileName, reportCsv } from '../../reports/report-csv.js';
import { INDICATORS, MEASURES, indicatorScope, measureReport } from '../../reports/measures.js';
import { recordAudit } from '../../store/audit.js';
import { readsReports } from '../domain/actor.js';
import { reportAccess } from '../domain/report-access.js';
import { reportFilterErrorPage, reportPage, reportsIndexPage } from '../views/report-pages.js';
import { errorPage } from '../views/misc-pages.js';
import { todayOf, type WorkspaceDeps } from './context.js';
import { authed, forbidden, requireActor, type Authed } from './guards.js';

/** The version the published Measures carry (their content changes only with SP Link's indicator definitions). */
export const MEASURE_VERSION = '1.0.0';

const sameToken = (given: string, want: string | undefined) => {
  if (!want) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Who reads: a signed-in commissioner or manager (session), or a machine with the reports or admin Bearer token. */
type Reader = { kind: 'user'; authed: Authed; within: ReportWithin } | { kind: 'token'; sub: string };

function fhirError(res: Response, status: number, code: string, text: string): void {
  res.status(status).type('application/fhir+json').send(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] }));
}

/**
 * The evaluation reports for commissioners and service managers: `/reports`, `/reports/:id` (the page, filtered by
 * its query) and `/reports/:id.csv` (the same figures for download). Aggregates only, from the report store, with
 * the deploying organisation's suppression rule; every view and download is audited with its filter.
 */
export function reportRoutes(deps: WorkspaceDeps): express.Router {
  const r = express.Router();
  const rule = deps.config.reports.suppression;
  const tokens = [['reports-api', deps.config.reports.apiToken], ['admin', deps.config.admin.token]] as const;

  /** Bearer token first (analytics platforms, the CLI); otherwise the workspace session, as for every page. */
  function reader(req: Request, res: Response, next: NextFunction): void {
    const auth = req.get('authorization');
    if (auth !== undefined) {
      const given = /^Bearer (.+)$/i.exec(auth)?.[1] ?? '';
      const match = tokens.find(([, want]) => sameToken(given, want));
      if (!match) {
        res.set('WWW-Authenticate', 'Bearer');
        return fhirError(res, 401, 'login', 'The Bearer token is not one SP Link accepts for reports.');
      }
      res.locals.reader = { kind: 'token', sub: `token:${match[0]}` } satisfies Reader;
      return next();
    }
    requireActor(req, res, () => {
      const a = authed(res);
      if (!readsReports(a.actor)) return forbidden(res, 'Reports are for commissioners and service managers.');
      // Only their own part of the store: their services, their area (report-access.ts), applied in SQL.
      const access = reportAccess(a.actor, deps.config);
      if (!access.ok) {
        if (req.path.includes('/fhir/')) return fhirError(res, 403, 'forbidden', access.message);
        return forbidden(res, access.message);
      }
      res.locals.reader = { kind: 'user', authed: a, within: access.within } satisfies Reader;
      next();
    });
  }
  const readerOf = (res: Response) => res.locals.reader as Reader;
  const subOf = (x: Reader) => (x.kind === 'user' ? x.authed.actor.sub : x.sub);
  /** The reader's part of the store (a token reads everything: it is the deploying organisation's own export). */
  const withinFor = (x: Reader) => (x.kind === 'user' ? x.within : undefined);
  const fhirJson = (res: Response, body: unknown) => res.type('application/fhir+json').send(JSON.stringify(body));

  // FHIR: the published Measures and $evaluate-measure (a summary MeasureReport for a period and scope).
  r.get('/reports/fhir/Measure', reader, (_req, res) => {
    const measures = MEASURES(MEASURE_VERSION);
    const bundle: Bundle<Measure> = { resourceType: 'Bundle', type: 'searchset', total: measures.length, entry: measures.map((m) => ({ fullUrl: m.url, resource: m })) };
    fhirJson(res, bundle);
  });
  r.get('/reports/fhir/Measure/:id', reader, (req, res) => {
    const m = MEASURES(MEASURE_VERSION).find((x) => x.id === String(req.params.id));
    if (!m) return fhirError(res, 404, 'not-found', 'No such Measure.');
    fhirJson(res, m);
  });
  r.get('/reports/fhir/Measure/:id/:operation', reader, async (req, res) => {
    const indicator = INDICATORS.find((x) => x.id === String(req.params.id));
    if (!indicator || req.params.operation !== '$evaluate-measure') return fhirError(res, 404, 'not-found', 'No such Measure or operation.');
    const q = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : v]));
    const { periodStart, periodEnd, reportType, ...rest } = q;
    if (reportType !== undefined && reportType !== 'summary') return fhirError(res, 400, 'not-supported', 'Only summary reports: figures about people are never reported individually.');
    const parsed = parseReportFilter({ ...rest, ...(periodStart ? { from: periodStart } : {}), ...(periodEnd ? { to: periodEnd } : {}) }, todayOf(deps.now()));
    if (!parsed.ok) return fhirError(res, 400, 'invalid', parsed.errors.map((e) => `${e.field === 'from' ? 'periodStart' : e.field === 'to' ? 'periodEnd' : e.field}: ${e.message}`).join('; '));
    const a = await aggregate(deps.db, withinOf(parsed.filter, withinFor(readerOf(res))), indicatorScope(indicator));
    await recordAudit(deps.db, { actor: subOf(readerOf(res)), action: 'reports.measure-report', details: { measure: indicator.id, ...filterQuery(parsed.filter) } });
    fhirJson(res, measureReport(indicator, a, rule, { version: MEASURE_VERSION, generatedAt: deps.now().toISOString() }));
  });

  r.get('/reports', reader, (_req, res) => {
    const who = readerOf(res);
    if (who.kind !== 'user') return fhirError(res, 406, 'not-supported', 'With a token, ask for the CSV (/reports/ID.csv) or the FHIR MeasureReport.');
    const { actor, csrf } = who.authed;
    res.type('html').send(reportsIndexPage({ actor, csrfToken: csrf }));
  });

  r.get('/reports/:file', reader, async (req, res) => {
    const who = readerOf(res);
    const { actor, csrf } = who.kind === 'user' ? who.authed : { actor: undefined, csrf: undefined };
    const m = /^([a-z][a-z-]*)(\.csv)?$/.exec(String(req.params.file ?? ''));
    const id = m?.[1];
    if (!m || !isReportId(id)) {
      if (!actor) return fhirError(res, 404, 'not-found', 'There is no such report.');
      res.status(404).type('html').send(errorPage({ actor, csrfToken: csrf, status: 404, title: 'Page not found', message: 'There is no such report.', link: { href: '/workspace/reports', text: 'All reports' } }));
      return;
    }
    const csv = m[2] === '.csv';
    // A token reads the CSV only; the pages are for people.
    if (!actor && !csv) return fhirError(res, 406, 'not-supported', 'With a token, ask for the CSV (/reports/ID.csv) or the FHIR MeasureReport.');
    const input = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : v]));
    const byRaw = input.by ?? 'all';
    const split: SplitKey = isSplitKey(byRaw) ? byRaw : 'all';
    const parsed = parseReportFilter(input, todayOf(deps.now()), ['by']);
    const errors = parsed.ok ? [] : [...parsed.errors];
    if (!isSplitKey(byRaw)) errors.push({ field: 'by', message: 'Choose how to show the figures from the list' });
    if ((!parsed.ok || errors.length) && !actor) {
      res.status(400).type('text/plain').send(errors.map((e) => `${e.field}: ${e.message}`).join('\n'));
      return;
    }
    if (!parsed.ok || errors.length) {
      const values = Object.fromEntries(['from', 'to', 'practice', 'pcn', 'service', 'source'].map((k) => [k, typeof input[k] === 'string' ? (input[k] as string).slice(0, 200) : undefined]));
      const fallback = parseReportFilter({}, todayOf(deps.now()));
      const choices = fallback.ok ? await reportChoices(deps.db, withinOf(fallback.filter, withinFor(who))) : { practices: [], services: [] };
      res.status(400).type('html').send(reportFilterErrorPage({ actor: actor!, csrfToken: csrf!, id, values, split, errors, choices }));
      return;
    }
    // Only this report's figures: for the page, in its own split; for the CSV, in every split.
    const a = await aggregate(deps.db, withinOf(parsed.filter, withinFor(who)), reportScope(id, csv ? SPLIT_KEYS : [split]));
    await recordAudit(deps.db, { actor: subOf(who), action: csv ? 'reports.csv' : 'reports.view', details: { report: id, ...filterQuery(parsed.filter), ...(csv ? {} : { by: split }) } });
    if (csv) {
      res.set('Content-Disposition', `attachment; filename="${csvFileName(id, a)}"`).type('text/csv; charset=utf-8').send(reportCsv(id, a, rule));
      return;
    }
    res.type('html').send(reportPage({ actor: actor!, csrfToken: csrf!, report: buildReport(id, a, split, rule), aggregates: a }));
  });

  return r;
}
