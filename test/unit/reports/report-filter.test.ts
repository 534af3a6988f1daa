import { expect } from 'chai';
import { filterQuery, filterSql, parseReportFilter } from '../../../src/reports/report-filter.js';

describe('reports/report-filter: what a report is about, parsed strictly', () => {
  it('defaults to the 12 months to today, inclusive', () => {
    expect(parseReportFilter({}, '2026-12-01')).to.deep.equal({ ok: true, filter: { from: '2025-12-02', to: '2026-12-01' } });
  });

  it('takes a period, practice, PCN, service and source, and ignores empty fields and the keys it is told to', () => {
    const r = parseReportFilter({ from: '2026-01-01', to: '2026-03-31', practice: 'y99904', pcn: 'Vale North PCN', service: '', source: 'self-referral', by: 'sex' }, '2026-12-01', ['by']);
    expect(r).to.deep.equal({ ok: true, filter: { from: '2026-01-01', to: '2026-03-31', practice: 'Y99904', pcn: 'Vale North PCN', source: 'self-referral' } });
  });

  it('refuses impossible dates, a period that ends before it starts, unknown sources and unknown fields, naming the field', () => {
    const fields = (input: Record<string, unknown>) => {
      const r = parseReportFilter(input, '2026-12-01');
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(fields({ from: '2026-02-30' })).to.deep.equal(['from']);
    expect(fields({ from: '2026-05-01', to: '2026-04-01' })).to.deep.equal(['from']);
    expect(fields({ source: 'carrier-pigeon' })).to.deep.equal(['source']);
    expect(fields({ practice: "Y1' OR 1=1" })).to.deep.equal(['practice']);
    expect(fields({ nhsNumber: '9434765919' })).to.have.length(1);
  });

  it('puts every value in parameters, never in the SQL text, with the period as calendar days in England', () => {
    const f = { from: '2026-01-01', to: '2026-01-31', practice: 'Y99901', service: "O'Brien's group" };
    const { where, params } = filterSql(f);
    expect(where).not.to.include("O'Brien");
    expect(where).to.include("AT TIME ZONE 'Europe/London'");
    expect(params).to.deep.equal(['2026-01-01', '2026-01-31', 'Y99901', "O'Brien's group"]);
    expect(filterQuery(f)).to.deep.equal(f);
  });
});
