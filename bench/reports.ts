/**
 * Evaluation reports at volume, for a year of 10,000 and of 100,000 referrals in the embedded store, with their
 * onward referrals to community groups and GP appointment counts (the sandbox's demo history, as a running store has):
 * - every figure of every report in every split (what the CSVs of all the reports need), aggregated in SQL
 *   (src/reports/aggregate.ts) against the same figures computed in the process from every fact read out
 *   (test/helpers/reports-in-process.ts), side by side in one run;
 * - each report page as a commissioner opens it: only that report's statements for its own split, the report built
 *   and suppressed, the page rendered; per report, its slowest split (wall and CPU), and the slowest page of all
 *   (`reports-<n>-page-slowest-ms`, the figure held to 2 s), each the median of 3 runs, and the page that took the most
 *   CPU (`page-most-cpu-ms`: the steadier figure on a shared machine); then the load average, which says how far the
 *   wall times were stretched by other work;
 * - the CSV of each report (its statements for every split, then the CSV written).
 * REPORTS_BENCH_SIZES overrides the sizes (comma-separated).
 */
import os from 'node:os';
import { openDb } from '../src/store/db.js';
import { EVERY_FIGURE, aggregate } from '../src/reports/aggregate.js';
import { reportCsv } from '../src/reports/report-csv.js';
import { REPORTS, buildReport, reportScope } from '../src/reports/report-builders.js';
import { reportPage } from '../src/workspace/views/report-pages.js';
import type { Actor } from '../src/workspace/domain/actor.js';
import { SPLIT_KEYS } from '../src/reports/dimensions.js';
import { NHS_SUPPRESSION } from '../src/reports/suppression.js';
import { saveFacts, saveOnwardFacts } from '../src/reports/report-store.js';
import { saveGpDemand } from '../src/reports/gp-demand-store.js';
import { demoGpDemand, demoOnwardHistory, demoReportHistory } from '../src/sandbox/demo/report-history.js';
import { aggregateInProcess } from '../test/helpers/reports-in-process.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const FILTER = { from: '2025-12-02', to: '2026-12-01' };
const COMMISSIONER: Actor = { sub: 'bench', name: 'Bench Reader', practitioner: '', orgOds: 'Y99999', roles: ['commissioner'] };

const PAGE_RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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
      const BATCH = 20_000;
      for (let i = 0; i < facts.length; i += BATCH) await saveFacts(db, facts.slice(i, i + BATCH), 'demo');
      const onward = demoOnwardHistory(facts);
      for (let i = 0; i < onward.length; i += BATCH) await saveOnwardFacts(db, onward.slice(i, i + BATCH), 'demo');
      const gp = demoGpDemand(facts, NOW);
      for (let i = 0; i < gp.length; i += BATCH) await saveGpDemand(db, gp.slice(i, i + BATCH));
      await db.query('ANALYZE');
      await aggregate(db, FILTER, EVERY_FIGURE); // warm the plan cache, as a running server has
      const [a, sqlMs, sqlCpu] = await timed(() => aggregate(db, FILTER, EVERY_FIGURE));
      const [, inProcessMs, inProcessCpu] = await timed(() => aggregateInProcess(db, FILTER));
      print(`reports-${label}-referrals`, a.referrals);
      print(`reports-${label}-onward-referrals`, onward.length);
      print(`reports-${label}-gp-demand-counted`, gp.length);
      print(`reports-${label}-every-figure-sql-ms`, Math.round(sqlMs));
      print(`reports-${label}-every-figure-in-process-ms`, Math.round(inProcessMs));
      print(`reports-${label}-every-figure-sql-cpu-ms`, Math.round(sqlCpu));
      print(`reports-${label}-every-figure-in-process-cpu-ms`, Math.round(inProcessCpu));
      print(`reports-${label}-every-figure-sql-speedup`, `${(inProcessMs / sqlMs).toFixed(1)}x wall, ${(inProcessCpu / sqlCpu).toFixed(1)}x cpu`);

      // A page: its report's statements for its split, built, suppressed and rendered. Each is opened once to warm up,
      // then PAGE_RUNS times, and its median wall and median CPU time kept (one busy moment on a shared machine moves
      // a single run by seconds).
      let slowest = { ms: 0, cpu: 0, page: '' };
      let busiest = { ms: 0, cpu: 0, page: '' };
      for (const r of REPORTS) {
        let worst = { ms: 0, cpu: 0, split: '' };
        for (const split of SPLIT_KEYS) {
          const page = async () => {
            const pa = await aggregate(db, FILTER, reportScope(r.id, [split]));
            return reportPage({ actor: COMMISSIONER, csrfToken: 'bench', report: buildReport(r.id, pa, split, NHS_SUPPRESSION), aggregates: pa });
          };
          await page();
          const runs: [number, number][] = [];
          for (let i = 0; i < PAGE_RUNS; i++) runs.push((await timed(page)).slice(1) as [number, number]);
          const ms = median(runs.map((x) => x[0]));
          const cpu = median(runs.map((x) => x[1]));
          if (ms > worst.ms) worst = { ms, cpu, split };
          if (cpu > busiest.cpu) busiest = { ms, cpu, page: `${r.id}?by=${split}` };
        }
        print(`reports-${label}-page-${r.id}-ms`, `${Math.round(worst.ms)} wall, ${Math.round(worst.cpu)} cpu (slowest split: ${worst.split})`);
        if (worst.ms > slowest.ms) slowest = { ms: worst.ms, cpu: worst.cpu, page: `${r.id}?by=${worst.split}` };
        const [, csvMs, csvCpu] = await timed(async () => reportCsv(r.id, await aggregate(db, FILTER, reportScope(r.id, SPLIT_KEYS)), NHS_SUPPRESSION));
        print(`reports-${label}-csv-${r.id}-ms`, `${Math.round(csvMs)} wall, ${Math.round(csvCpu)} cpu`);
      }
      print(`reports-${label}-page-slowest-ms`, `${Math.round(slowest.ms)} wall, ${Math.round(slowest.cpu)} cpu (${slowest.page}; target 2000)`);
      print(`reports-${label}-page-most-cpu-ms`, `${Math.round(busiest.cpu)} cpu, ${Math.round(busiest.ms)} wall (${busiest.page})`);
      print(`reports-${label}-load-average`, os.loadavg().map((l) => l.toFixed(2)).join(' '));
      print(`reports-${label}-page-slowest-vs-every-figure`, `${(sqlMs / slowest.ms).toFixed(1)}x less wall, ${(sqlCpu / slowest.cpu).toFixed(1)}x less cpu`);
    } finally {
      await db.close();
    }
  }
}
