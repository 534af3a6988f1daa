/**
 * Evaluation reports at volume: the figures of every report (counts by every dimension and equality split, waiting
 * time percentiles, paired outcome change) for a year of 10,000 and of 100,000 referrals in the embedded store,
 * aggregated in SQL (src/reports/aggregate.ts) against the same figures computed in the process from every fact
 * read out (test/helpers/reports-in-process.ts), side by side in one run; then all four reports built, suppressed
 * and written as CSV from the SQL figures. REPORTS_BENCH_SIZES overrides the sizes (comma-separated).
 */
import { openDb } from '../src/store/db.js';
import { aggregate } from '../src/reports/aggregate.js';
import { reportCsv } from '../src/reports/report-csv.js';
import { REPORTS, buildReport } from '../src/reports/report-builders.js';
import { SPLIT_KEYS } from '../src/reports/dimensions.js';
import { NHS_SUPPRESSION } from '../src/reports/suppression.js';
import { saveFacts } from '../src/reports/report-store.js';
import { demoReportHistory } from '../src/sandbox/demo/report-history.js';
import { aggregateInProcess } from '../test/helpers/reports-in-process.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const FILTER = { from: '2025-12-02', to: '2026-12-01' };

/** Wall time and the process's CPU time (the embedded database runs in this process, so it counts too). */
async function timed<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const t = performance.now();
  const c = process.cpuUsage();
  const v = await fn();
  const cpu = process.cpuUsage(c);
  return [v, performance.now() - t, (cpu.user + cpu.system) / 1000];
}

export async function run(print: (name: string, value: string | number) => void): Promise<void> {
  const sizes = (process.env.REPORTS_BENCH_SIZES ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
  for (const size of sizes) {
    const label = size >= 1000 ? `${size / 1000}k` : String(size);
    const db = await openDb({ memory: true });
    try {
      const facts = demoReportHistory({ now: NOW, count: size, seed: 7 });
      for (let i = 0; i < facts.length; i += 20_000) await saveFacts(db, facts.slice(i, i + 20_000), 'demo');
      await db.query('ANALYZE');
      await aggregate(db, FILTER); // warm the plan cache, as a running server has
      const [a, sqlMs, sqlCpu] = await timed(() => aggregate(db, FILTER));
      const [, inProcessMs, inProcessCpu] = await timed(() => aggregateInProcess(db, FILTER));
      const [, buildMs, buildCpu] = await timed(async () => {
        for (const r of REPORTS) {
          for (const s of SPLIT_KEYS) buildReport(r.id, a, s, NHS_SUPPRESSION);
          reportCsv(r.id, a, NHS_SUPPRESSION);
        }
      });
      print(`reports-${label}-referrals`, a.referrals);
      print(`reports-${label}-sql-aggregate-ms`, Math.round(sqlMs));
      print(`reports-${label}-in-process-aggregate-ms`, Math.round(inProcessMs));
      print(`reports-${label}-sql-aggregate-cpu-ms`, Math.round(sqlCpu));
      print(`reports-${label}-in-process-aggregate-cpu-ms`, Math.round(inProcessCpu));
      print(`reports-${label}-sql-speedup`, `${(inProcessMs / sqlMs).toFixed(1)}x wall, ${(inProcessCpu / sqlCpu).toFixed(1)}x cpu`);
      print(`reports-${label}-build-all-reports-and-csv-ms`, Math.round(buildMs));
      print(`reports-${label}-build-all-reports-and-csv-cpu-ms`, Math.round(buildCpu));
      // One report page = its SQL figures + building it (the bench builds all four reports in every split, and their CSV).
      print(`reports-${label}-report-total-ms`, Math.round(sqlMs + buildMs));
    } finally {
      await db.close();
    }
  }
}
