import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { CliError, EXIT } from '../errors.js';
import { AdminClient } from '../reconcile/cli/admin-client.js';
import { REPORTS } from '../reports/report-builders.js';
import { INDICATORS } from '../reports/measures.js';

const USAGE = `Usage: sp-link report <report> [filters] [--out FILE]          a report as CSV (${REPORTS.map((r) => r.id).join(', ')})
       sp-link report measure-report <measure> [filters] [--out FILE]
                                                    a FHIR MeasureReport (${INDICATORS.map((i) => i.id).join(', ')})
       sp-link report measures [--out FILE]         the FHIR Measure definitions (a Bundle)

Filters: --from YYYY-MM-DD --to YYYY-MM-DD (default: the 12 months to today) --practice ODS --pcn NAME
         --service KEY --source gp-practice|self-referral|other-organisation|other
For scheduled exports (e.g. cron): asks the running instance with the admin token, as other commands do.
`;

/** `sp-link report …`: the evaluation reports for scheduled exports, through the running instance (docs/REPORTS.md). */
export async function runReportCommand(args: string[], configFile: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      from: { type: 'string' }, to: { type: 'string' }, practice: { type: 'string' }, pcn: { type: 'string' }, service: { type: 'string' },
      source: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [what, which] = positionals;
  if (values.help || !what) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const filter = new URLSearchParams();
  for (const k of ['from', 'to', 'practice', 'pcn', 'service', 'source'] as const) {
    const v = values[k];
    if (v !== undefined) filter.set(what === 'measure-report' ? (k === 'from' ? 'periodStart' : k === 'to' ? 'periodEnd' : k) : k, v);
  }
  let path: string;
  if (what === 'measures') path = '/workspace/reports/fhir/Measure';
  else if (what === 'measure-report') {
    if (!which || !INDICATORS.some((i) => i.id === which)) {
      process.stderr.write(`Name a measure: ${INDICATORS.map((i) => i.id).join(', ')}\n`);
      return 2;
    }
    path = `/workspace/reports/fhir/Measure/${which}/$evaluate-measure?${filter}`;
  } else if (REPORTS.some((r) => r.id === what)) path = `/workspace/reports/${what}.csv?${filter}`;
  else {
    process.stderr.write(`Unknown report "${what}".\n\n${USAGE}`);
    return 2;
  }
  const res = await AdminClient.fromConfig(await loadConfig(configFile)).request('GET', path);
  const body = await res.text();
  if (!res.ok) {
    let why = body.slice(0, 500);
    try {
      why = (JSON.parse(body) as { issue?: { diagnostics?: string }[] }).issue?.map((i) => i.diagnostics).join('; ') ?? why;
    } catch {
      // plain text already
    }
    throw new CliError(`SP Link answered ${res.status}: ${why}`, res.status === 400 ? 'correct the filters named above' : 'see the log of the running instance for the cause', res.status === 400 ? EXIT.usage : EXIT.failed);
  }
  if (values.out) await writeFile(values.out, body);
  else process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
  return 0;
}
