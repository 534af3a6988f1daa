import { parseArgs } from 'node:util';
import { instanceOwning } from '../../config/instance-file.js';
import { loadConfig } from '../../config/load.js';
import { CliError, EXIT } from '../../errors.js';
import { setLogLevel } from '../../observability/logger.js';
import { configuredStore, openDb } from '../../store/db.js';
import { startReconciler } from '../index.js';
import { AdminClient } from './admin-client.js';
import { BackfillProgress } from './progress.js';

const USAGE = `Usage: sp-link reconcile --once [--direct]
       sp-link reconcile --backfill --since <date> [--direct]

  --once              one change-feed run per link-worker endpoint, plus one outbox pass
  --backfill --since  re-read every Task changed since <date> (e.g. 2026-01-31); safe to repeat
  --direct            work on the store in this process instead of asking the running instance
                      (PostgreSQL, or the embedded store when no sp-link process is running)
`;

/**
 * `sp-link reconcile …`; exit 0 when every endpoint caught up, 1 when one stopped on a failure, 75 (EX_TEMPFAIL)
 * when the only endpoints not done are being reconciled by another instance right now (it holds their lease).
 */
export async function runReconcileCommand(args: string[], configFile: string): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { once: { type: 'boolean' }, backfill: { type: 'boolean' }, since: { type: 'string' }, direct: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help || (!values.once && !values.backfill) || (values.backfill && !values.since)) {
    process.stdout.write(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (values.since && Number.isNaN(Date.parse(values.since))) {
    process.stderr.write(`--since: "${values.since}" is not a date (try 2026-01-31 or 2026-01-31T08:00:00Z)\n`);
    return EXIT.usage;
  }
  const config = await loadConfig(configFile);
  const since = values.since ? new Date(values.since).toISOString() : undefined;
  const progress = new BackfillProgress();
  let result: unknown;
  if (values.direct) {
    const running = config.store.databaseUrl ? undefined : instanceOwning(configFile, config.dataDir);
    if (running) {
      throw new CliError(`the embedded store belongs to the SP Link running with this configuration (pid ${running.pid}, ${running.url})`, 'run the command without --direct: it then asks that instance', EXIT.tempFail);
    }
    setLogLevel(config.log.level === 'info' ? 'warn' : config.log.level);
    const db = await openDb(configuredStore(config));
    const r = await startReconciler({ config, db, background: false });
    try {
      result = since ? await r.backfill(since, (e, p) => progress.update(e, p.processed, p.total)) : await r.runOnce();
    } finally {
      progress.stop();
      await r.stop();
      await db.close();
    }
  } else {
    const api = AdminClient.fromConfig(config);
    if (since) {
      for await (const line of api.lines('POST', `/admin/api/reconcile/backfill?since=${encodeURIComponent(since)}`)) {
        if (line.type === 'progress') progress.update(String(line.endpoint), Number(line.processed), line.total === undefined ? undefined : Number(line.total));
        else if (line.type === 'result') result = line.result;
        else if (line.type === 'error') throw new CliError(`the backfill stopped: ${String(line.message)}`, 'see the log of the running instance, then run the backfill again (it is safe to repeat)');
      }
      progress.stop();
    } else {
      const { status, body } = await api.json('POST', '/admin/api/reconcile/run');
      if (status !== 200) throw new CliError(`SP Link answered ${status}: ${JSON.stringify(body).slice(0, 200)}`, 'see the log of the running instance for the cause');
      result = body;
    }
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const endpoints = (result as { endpoints?: Record<string, { status: string }> }).endpoints ?? (result as Record<string, { status: string }>);
  return exitFor(endpoints);
}

/** Another instance is on it: not a failure, and not done here (the run's statuses, src/reconcile/feed/change-feed.ts). */
const ELSEWHERE = new Set(['busy', 'lease-lost']);

export function exitFor(endpoints: Record<string, { status: string }>): number {
  const notDone = Object.entries(endpoints).filter(([, e]) => e.status !== 'caught-up');
  if (notDone.length === 0) return EXIT.ok;
  if (notDone.every(([, e]) => ELSEWHERE.has(e.status))) {
    const ids = notDone.map(([id]) => id).join(', ');
    process.stderr.write(`sp-link reconcile: another SP Link instance is reconciling ${ids} right now (it holds the lease), so this run left ${notDone.length === 1 ? 'it' : 'them'} alone. Nothing failed; run again later (exit ${EXIT.tempFail}).\n`);
    return EXIT.tempFail;
  }
  return EXIT.failed;
}
