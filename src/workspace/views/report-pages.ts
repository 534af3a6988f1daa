import type { Actor } from '../domain/actor.js';
import type { Aggregates } from '../../reports/aggregate.js';
import { SPLITS, type SplitKey } from '../../reports/dimensions.js';
import { REFERRAL_SOURCES } from '../../reports/referral-fact.js';
import { filterQuery, type ReportFilter } from '../../reports/report-filter.js';
import { REPORTS, type CountTable, type Report, type ReportId, type StatsTable } from '../../reports/report-builders.js';
import { shownText, type Shown } from '../../reports/suppression.js';
import { formatDate, html, type Html } from './html.js';
import { page } from './layout.js';
import { barChart } from './svg-chart.js';

/**
 * The evaluation report pages (commissioners and service managers): a filter form that works without script, and for
 * every table a chart (server-rendered SVG) with the data table under it, then a CSV download of the same figures.
 */

const query = (f: ReportFilter, split: SplitKey) => new URLSearchParams({ ...filterQuery(f), ...(split !== 'all' ? { by: split } : {}) }).toString();

export function reportsIndexPage(o: { actor: Actor; csrfToken: string }): string {
  const body = html`<h1>Reports</h1>
  <p>Who is referred, who is reached, what changes and for whom. Figures are aggregates of referrals: small numbers are hidden, and nobody can be identified from them.</p>
  <ul class="nhsuk-list">
    ${REPORTS.map((r) => html`<li><h2 class="nhsuk-heading-s nhsuk-u-margin-bottom-1"><a href="/workspace/reports/${r.id}">${r.title}</a></h2><p>${r.summary}</p></li>`)}
  </ul>`;
  return page({ title: 'Reports', actor: o.actor, csrfToken: o.csrfToken, nav: 'reports', body });
}

function select(id: string, label: string, value: string | undefined, options: readonly { value: string; label: string }[], any = 'All'): Html {
  return html`<div class="nhsuk-form-group sp-filter">
    <label class="nhsuk-label" for="${id}">${label}</label>
    <select class="nhsuk-select" id="${id}" name="${id}">
      ${any ? html`<option value="">${any}</option>` : ''}
      ${options.map((o) => html`<option value="${o.value}"${o.value === value ? ' selected' : ''}>${o.label}</option>`)}
    </select>
  </div>`;
}

export interface FilterFormOpts {
  id: ReportId;
  values: Record<string, string | undefined>;
  split: SplitKey;
  choices: Pick<Aggregates, 'practices' | 'services'>;
  errors?: { field: string; message: string }[];
}

function filterForm(o: FilterFormOpts): Html {
  const err = (field: string) => o.errors?.find((e) => e.field === field);
  const dateField = (id: string, label: string) => {
    const e = err(id);
    return html`<div class="nhsuk-form-group sp-filter${e ? ' nhsuk-form-group--error' : ''}">
      <label class="nhsuk-label" for="${id}">${label}</label>
      <div class="nhsuk-hint" id="${id}-hint">For example, 2026-04-01</div>
      ${e ? html`<span class="nhsuk-error-message" id="${id}-error"><span class="nhsuk-u-visually-hidden">Error:</span> ${e.message}</span>` : ''}
      <input class="nhsuk-input nhsuk-input--width-10${e ? ' nhsuk-input--error' : ''}" id="${id}" name="${id}" type="date" value="${o.values[id] ?? ''}" aria-describedby="${id}-hint${e ? ` ${id}-error` : ''}">
    </div>`;
  };
  const pcns = [...new Set(o.choices.practices.map((p) => p.pcn).filter((p): p is string => !!p))].sort();
  return html`<form method="get" action="/workspace/reports/${o.id}" class="sp-filters" data-testid="report-filters">
    <fieldset class="nhsuk-fieldset">
      <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Filter the referrals</legend>
      <div class="sp-filter-row">
        ${dateField('from', 'Referred from')}
        ${dateField('to', 'Referred to')}
        ${select('practice', 'Practice', o.values.practice, o.choices.practices.map((p) => ({ value: p.code, label: p.name })))}
        ${select('pcn', 'Primary care network', o.values.pcn, pcns.map((p) => ({ value: p, label: p })))}
        ${select('service', 'Service', o.values.service, o.choices.services.map((s) => ({ value: s.code, label: s.name })))}
        ${select('source', 'Source of referral', o.values.source, REFERRAL_SOURCES.map((s) => ({ value: s.code, label: s.display })))}
        ${select('by', 'Show figures by', o.split, SPLITS.map((s) => ({ value: s.key, label: s.key === 'all' ? 'Everyone together' : s.label })), '')}
      </div>
      <button class="nhsuk-button nhsuk-button--secondary" type="submit" data-testid="apply-filters">Apply filters</button>
    </fieldset>
  </form>`;
}

function reportNav(current: ReportId, q: string): Html {
  return html`<nav class="nhsuk-contents-list" aria-label="Reports">
    <ol class="nhsuk-contents-list__list">
      ${REPORTS.map((r) => (r.id === current
        ? html`<li class="nhsuk-contents-list__item" aria-current="page"><span class="nhsuk-contents-list__current">${r.title}</span></li>`
        : html`<li class="nhsuk-contents-list__item"><a class="nhsuk-contents-list__link" href="/workspace/reports/${r.id}?${q}">${r.title}</a></li>`))}
    </ol>
  </nav>`;
}

/** A cell of a report table: its text, marked when it stands for a hidden (suppressed) figure. */
interface Cell {
  text: string;
  hidden?: boolean;
}

/**
 * One figure of a report: its heading, its chart, and the data table under the chart (a row header, numeric
 * columns, and an optional total row), then its note. Every table of every report is drawn here.
 */
function reportTableSection(o: {
  id: string; index: number; title: string; chart: Html; rowHeader: string; columns: readonly string[];
  rows: readonly { label: string; cells: readonly Cell[] }[]; total?: { label: string; cells: readonly Cell[] }; note?: string | undefined;
}): Html {
  const i = o.index;
  const cells = (cs: readonly Cell[], hiddenMarked: boolean) =>
    cs.map((c) => html`<td class="nhsuk-table__cell nhsuk-table__cell--numeric${hiddenMarked && c.hidden ? ' sp-hidden' : ''}">${c.text}</td>`);
  return html`<section class="sp-report-table" data-testid="report-table" data-table="${o.id}">
    <h2 class="nhsuk-heading-m" id="table-${i}">${o.title}</h2>
    ${o.chart}
    <div class="sp-table-scroll" role="region" aria-labelledby="table-${i}" tabindex="0">
    <table class="nhsuk-table" data-testid="data-table">
      <caption class="nhsuk-table__caption nhsuk-table__caption--s">${o.title}: the figures</caption>
      <thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
        <th class="nhsuk-table__header" scope="col">${o.rowHeader}</th>
        ${o.columns.map((c) => html`<th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">${c}</th>`)}
      </tr></thead>
      <tbody class="nhsuk-table__body">
        ${o.rows.map((r) => html`<tr class="nhsuk-table__row">
          <th class="nhsuk-table__header" scope="row">${r.label}</th>
          ${cells(r.cells, true)}
        </tr>`)}
        ${o.total ? html`<tr class="nhsuk-table__row sp-total">
          <th class="nhsuk-table__header" scope="row">${o.total.label}</th>
          ${cells(o.total.cells, false)}
        </tr>` : ''}
      </tbody>
    </table>
    </div>
    ${o.note ? html`<p class="nhsuk-body-s">${o.note}</p>` : ''}
  </section>`;
}

const cellOf = (s: Shown): Cell => ({ text: shownText(s), ...(s.hidden ? { hidden: true } : {}) });

function countSection(t: CountTable, i: number): Html {
  const split = t.columns.length > 1;
  const totals = split ? t.table.rowTotals : t.table.cells.map((c) => c[0]!);
  const chart = barChart({
    id: `chart-${i}`, title: t.title, description: `Bar chart of ${split ? 'row totals' : 'counts'}; the figures are in the table below.`,
    rows: t.rows.map((r, k) => ({ label: r.label, text: shownText(totals[k]!), ...(totals[k]!.hidden ? {} : { value: (totals[k] as { value: number }).value }) })),
  });
  const withTotal = (cs: Cell[], total: Shown) => (split ? [...cs, { text: shownText(total) }] : cs);
  return reportTableSection({
    id: t.id, index: i, title: t.title, chart, rowHeader: t.rowHeader, note: t.note,
    columns: [...t.columns.map((c) => c.label), ...(split ? ['Total'] : [])],
    rows: t.rows.map((r, k) => ({ label: r.label, cells: withTotal(t.table.cells[k]!.map(cellOf), t.table.rowTotals[k]!) })),
    total: { label: t.totalLabel, cells: withTotal(t.table.columnTotals.map((c) => ({ text: shownText(c) })), t.table.total) },
  });
}

function statsSection(t: StatsTable, i: number): Html {
  const chartCol = t.columns.findIndex((c) => /^(Median|Mean change)/.test(c));
  const chart = barChart({
    id: `chart-${i}`, title: `${t.title}: ${t.chartLabel}`, description: `${t.chartLabel}; the figures are in the table below.`,
    rows: t.rows.map((r) => ({ label: r.label, text: r.cells[chartCol]?.text ?? '', ...(r.chart ?? {}) })),
  });
  return reportTableSection({ id: t.id, index: i, title: t.title, chart, rowHeader: t.rowHeader, columns: t.columns, rows: t.rows, note: t.note });
}

function describeFilter(f: ReportFilter, a: Pick<Aggregates, 'practices' | 'services'>): string {
  const parts = [`Referrals made from ${formatDate(f.from)} to ${formatDate(f.to)}`];
  if (f.practice) parts.push(a.practices.find((p) => p.code === f.practice)?.name ?? f.practice);
  if (f.pcn) parts.push(f.pcn);
  if (f.service) parts.push(a.services.find((s) => s.code === f.service)?.name ?? f.service);
  if (f.source) parts.push(REFERRAL_SOURCES.find((s) => s.code === f.source)?.display ?? f.source);
  return parts.join(' · ');
}

export function reportPage(o: { actor: Actor; csrfToken: string; report: Report; aggregates: Aggregates }): string {
  const r = o.report;
  const q = query(r.filter, r.split);
  const body = html`<h1>${r.title}</h1>
  <p class="nhsuk-lede-text nhsuk-u-font-size-19" data-testid="report-scope">${describeFilter(r.filter, o.aggregates)}</p>
  ${reportNav(r.id, q)}
  ${filterForm({ id: r.id, values: { ...filterQuery(r.filter) }, split: r.split, choices: o.aggregates })}
  <p><a class="nhsuk-button nhsuk-button--secondary" href="/workspace/reports/${r.id}.csv?${q}" download data-testid="download-csv" role="button" draggable="false">Download CSV<span class="nhsuk-u-visually-hidden"> of the ${r.title.toLowerCase()} report</span></a></p>
  <div class="nhsuk-inset-text"><p>Referrals in this report: <strong data-testid="referral-count">${shownText(r.referrals)}</strong>.
    Counts from 1 to ${r.rule.threshold - 1} are shown as ${`<${r.rule.threshold}`}${r.rule.secondary ? ', and some other figures are hidden too so they cannot be worked out from the totals' : ''}; statistics from so few people are not shown.</p></div>
  ${r.tables.length === 0 ? html`<p>No figures for these referrals.</p>` : ''}
  ${r.tables.map((t, i) => (t.kind === 'counts' ? countSection(t, i) : statsSection(t, i)))}`;
  return page({ title: r.title, actor: o.actor, csrfToken: o.csrfToken, nav: 'reports', body });
}

/** The filter could not be read: the form again with each problem named (400). */
export function reportFilterErrorPage(o: { actor: Actor; csrfToken: string; id: ReportId; values: Record<string, string | undefined>; split: SplitKey; errors: { field: string; message: string }[]; choices: Pick<Aggregates, 'practices' | 'services'> }): string {
  const title = REPORTS.find((r) => r.id === o.id)!.title;
  const body = html`<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">
    <h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>
    <div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">
      ${o.errors.map((e) => html`<li><a href="#${['from', 'to', 'practice', 'pcn', 'service', 'source'].includes(e.field) ? e.field : 'from'}">${e.message}</a></li>`)}
    </ul></div>
  </div>
  <h1>${title}</h1>
  ${filterForm({ id: o.id, values: o.values, split: o.split, choices: o.choices, errors: o.errors })}`;
  return page({ title, actor: o.actor, csrfToken: o.csrfToken, nav: 'reports', body, hasErrors: true });
}
