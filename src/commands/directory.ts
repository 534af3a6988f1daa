import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { instanceOwning } from '../config/instance-file.js';
import { loadConfig } from '../config/load.js';
import { createDirectoryImports, type ImportProgress, type ImportReport } from '../directory/index.js';
import type { ImportRun } from '../directory/import-store.js';
import { CliError, EXIT } from '../errors.js';
import { logger, setLogLevel } from '../observability/logger.js';
import { AdminClient } from '../reconcile/cli/admin-client.js';
import { configuredStore, openDb } from '../store/db.js';

const USAGE = `Usage: sp-link directory import [--feed ID] [--since last|<date>] [--allow-empty] [--direct]
       sp-link directory runs [--feed ID]
       sp-link directory show <run id>

  import         import the configured Open Referral UK feeds (directory.feeds) into the directory now
    --feed ID      only this feed
    --since        only records modified since the feed's last successful import (last) or a date; such a run
                   does not retire services the feed no longer lists
    --allow-empty  retire every service of a feed that now lists none (otherwise refused as a broken feed)
    --direct       work on the store in this process instead of asking the running instance
  runs           recent imports and what each did
  show           one import's change log: what changed, and each rejected record with its reasons
`;

/** `sp-link directory …`; exit 0 when every feed imported, 1 when one failed (its records are untouched). */
export async function runDirectoryCommand(args: string[], configFile: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { feed: { type: 'string' }, since: { type: 'string' }, 'allow-empty': { type: 'boolean' }, direct: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const [sub, arg] = positionals;
  if (values.help || !sub || !['import', 'runs', 'show'].includes(sub) || (sub === 'show' && !/^\d+$/.test(arg ?? ''))) {
    process.stdout.write(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (values.since && values.since !== 'last' && Number.isNaN(Date.parse(values.since))) {
    process.stderr.write(`--since: "${values.since}" is neither "last" nor a date (try 2026-01-31)\n`);
    return EXIT.usage;
  }
  const config = await loadConfig(configFile);
  if (config.directory.feeds.length === 0) throw new CliError('no directory feeds are configured', 'add one under directory.feeds (docs/CONFIGURATION.md, "Directory feeds")', EXIT.config);
  const api = AdminClient.fromConfig(config);
  const ask = async <T>(method: string, path: string): Promise<T> => {
    const { status, body } = await reach(() => api.json<T>(method, path));
    if (status !== 200) throw new CliError(`SP Link answered ${status}: ${JSON.stringify(body).slice(0, 300)}`, 'see the log of the running instance for the cause');
    return body;
  };
  if (sub === 'runs') {
    const { runs } = await ask<{ runs: ImportRun[] }>('GET', `/admin/api/directory/imports${values.feed ? `?feed=${encodeURIComponent(values.feed)}` : ''}`);
    process.stdout.write(runs.map(runLine).join('\n') + (runs.length ? '\n' : 'No imports yet.\n'));
    return EXIT.ok;
  }
  if (sub === 'show') {
    const body = await ask<{ run: ImportRun; changes: { change: string; name?: string; orukId?: string; detail: string[] }[] }>('GET', `/admin/api/directory/imports/${arg}`);
    process.stdout.write(`${runLine(body.run)}\n`);
    for (const c of body.changes) process.stdout.write(`  ${c.change.padEnd(11)} ${c.name ?? '(no name)'}${c.orukId ? ` [${c.orukId}]` : ''}${c.detail.length ? `: ${c.detail.join('; ')}` : ''}\n`);
    return EXIT.ok;
  }

  const bar = new ImportBar();
  let reports: ImportReport[] = [];
  try {
    if (values.direct) {
      const running = config.store.databaseUrl ? undefined : instanceOwning(configFile, config.dataDir);
      if (running) throw new CliError(`the embedded store belongs to the SP Link running with this configuration (pid ${running.pid}, ${running.url})`, 'run the command without --direct: it then asks that instance', EXIT.tempFail);
      setLogLevel(config.log.level === 'info' ? 'warn' : config.log.level);
      const db = await openDb(configuredStore(config));
      try {
        const imports = await createDirectoryImports({ config, db, logger });
        reports = await imports.run({
          trigger: 'cli',
          ...(values.feed ? { feedId: values.feed } : {}),
          ...(values.since ? { since: values.since === 'last' ? 'last' : new Date(values.since) } : {}),
          ...(values['allow-empty'] ? { allowEmpty: true } : {}),
          onProgress: (feed, p) => bar.update(feed, p),
        });
        await imports.close();
      } finally {
        await db.close();
      }
    } else {
      const q = new URLSearchParams();
      if (values.feed) q.set('feed', values.feed);
      if (values.since) q.set('since', values.since === 'last' ? 'last' : new Date(values.since).toISOString());
      if (values['allow-empty']) q.set('allowEmpty', 'true');
      for await (const line of reachLines(api.lines('POST', `/admin/api/directory/imports?${q}`))) {
        if (line.type === 'progress') bar.update(String(line.feed), line as unknown as ImportProgress);
        else if (line.type === 'result') reports.push(line as unknown as ImportReport);
        else if (line.type === 'error') throw new CliError(`the import stopped: ${String(line.message)}`, 'see the log of the running instance, then import again (it is safe to repeat)');
      }
    }
  } finally {
    bar.stop();
  }
  for (const r of reports) {
    process.stdout.write(`${runLine(r.run)}\n`);
    for (const x of r.rejected) process.stdout.write(`  rejected ${x.name ?? '(no name)'}${x.orukId ? ` [${x.orukId}]` : ''}: ${x.reasons.join('; ')}\n`);
  }
  return reports.every((r) => r.run.status === 'succeeded') ? EXIT.ok : EXIT.failed;
}

/** The CLI reaches the running instance; when it cannot, say how to import without one. */
async function reach<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw redirect(err);
  }
}
async function* reachLines(lines: AsyncGenerator<Record<string, unknown>>): AsyncGenerator<Record<string, unknown>> {
  try {
    yield* lines;
  } catch (err) {
    throw redirect(err);
  }
}
function redirect(err: unknown): unknown {
  return err instanceof CliError && err.exitCode === EXIT.unavailable
    ? new CliError(err.message, 'start it with `npm start` using the same --config, or import without it: `sp-link directory import --direct`', EXIT.unavailable)
    : err;
}

function runLine(r: ImportRun): string {
  const c = r.counts;
  const what = `${c.listed} listed: ${c.created} added, ${c.updated} updated, ${c.reactivated} listed again, ${c.unchanged} unchanged, ${c.inactivated} marked inactive, ${c.rejected} rejected, ${c.merged} held from another feed`;
  return `#${r.id} ${r.feedId} ${r.mode} ${r.status} ${r.startedAt}: ${what}${r.error ? `. Error: ${r.error}` : ''}`;
}

/** One progress bar per feed and phase on a terminal (cli-progress; a line every few seconds otherwise). */
class ImportBar {
  #bar: SingleBar | undefined;
  #key = '';

  update(feed: string, p: ImportProgress): void {
    const key = `${feed}:${p.phase}`;
    if (key !== this.#key) {
      this.#bar?.stop();
      this.#key = key;
            this.#bar = new SingleBar({ format: `${feed} ${p.phase.padEnd(8)} [{bar}] {value}/{total} services | ETA {eta_formatted}`, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000 }, Presets.shades_classic);
      this.#bar.start(Math.max(p.total ?? p.done, p.done, 1), 0);
    }
    if (p.total !== undefined) this.#bar!.setTotal(Math.max(p.total, p.done, 1));
    this.#bar!.update(p.done);
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}
