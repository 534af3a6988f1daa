import { expect } from 'chai';
import type { Aggregates } from '../../../src/reports/aggregate.js';
import { CSV_HEADER, csvField, csvFileName, reportCsv } from '../../../src/reports/report-csv.js';
import { NHS_SUPPRESSION } from '../../../src/reports/suppression.js';

const a: Aggregates = {
  filter: { from: '2026-01-01', to: '2026-12-31', pcn: 'Central, North' },
  referrals: 30,
  counts: [
    { dimension: 'connected', code: '=HYPERLINK("http://x")', split: 'all', category: 'all', n: 20 },
    { dimension: 'connected', code: 'Walking group', split: 'all', category: 'all', n: 3 },
  ],
  waits: { firstContact: [], firstSession: [], sessions: [] },
  outcomes: [],
  practices: [],
  services: [],
  gpDemand: [],
};

describe('reports/report-csv: long-form CSV, safe in a spreadsheet', () => {
  it('quotes commas and quotes, and defuses formulas but not signed numbers', () => {
    expect(csvField('a,b')).to.equal('"a,b"');
    expect(csvField('say "hi"')).to.equal('"say ""hi"""');
    expect(csvField('=1+1')).to.equal("'=1+1");
    expect(csvField('-1.5')).to.equal('-1.5');
    expect(csvField('+3.0')).to.equal('+3.0');
  });

  it('writes one figure a line for every split, with the filter on each line and the same suppression as the page', () => {
    const csv = reportCsv('services', a, NHS_SUPPRESSION);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).to.equal(CSV_HEADER.join(','));
    expect(lines).to.include(`services,2026-01-01,2026-12-31,,"Central, North",,,Services people were connected to,Everyone,Walking group,Referrals,<8`);
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://x"")"`))).to.equal(true);
    for (const split of ['Everyone', 'Age band', 'Sex', 'Ethnic group', 'Deprivation (IMD quintile)', 'Disability']) expect(lines.some((l) => l.includes(`,${split},`)), split).to.equal(true);
    expect(lines.slice(1).every((l) => l.startsWith('services,2026-01-01,2026-12-31,'))).to.equal(true);
    expect(csvFileName('services', a)).to.equal('sp-link-services-2026-01-01-to-2026-12-31.csv');
  });
});
