import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { FhirClient } from '../fhir/client.js';
import { createFhirClientFor } from '../fhir/from-config.js';
import { libraryLogger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { DirectoryImportStore, ImportAlreadyRunning, type ImportTrigger } from './import-store.js';
import { importFeed, type DirectoryFeed, type ImportDeps, type ImportProgress, type ImportReport } from './importer.js';

export { ImportAlreadyRunning } from './import-store.js';
export type { ImportReport, ImportProgress, DirectoryFeed } from './importer.js';

/** The link-worker endpoint whose FHIR server holds the directory: configured, else the workspace's, else the first. */
export function directoryEndpointId(config: Config): string {
  return config.directory.endpoint ?? config.workspace?.linkWorkerEndpoint ?? config.linkWorkerEndpoints[0]!.id;
}

export interface ImportRequest {
  readonly trigger: ImportTrigger;
  /** One feed; absent: every configured feed, one after the other. */
  readonly feedId?: string;
  /** Incremental: only records modified since this date; `last` = since the feed's last successful run. */
  readonly since?: Date | 'last';
  readonly allowEmpty?: boolean;
  readonly onProgress?: (feedId: string, p: ImportProgress) => void;
  readonly signal?: AbortSignal;
}

/** The directory's imports: on demand (CLI, admin API), on each feed's schedule, and in the background on start. */
export interface DirectoryImports {
  readonly feeds: readonly DirectoryFeed[];
  readonly store: DirectoryImportStore;
  /** Runs the feeds asked for; a feed that fails is reported as failed and the others still run. */
  run(req: ImportRequest): Promise<ImportReport[]>;
  /** Starts schedules and the imports on start (call once the HTTP server answers: a sandbox feed is served by it). */
  startBackground(): void;
  close(): Promise<void>;
}

export class UnknownFeed extends Error {
  constructor(readonly feedId: string, known: readonly string[]) {
    super(`no feed "${feedId}" in directory.feeds (configured: ${known.join(', ') || 'none'})`);
  }
}

export async function createDirectoryImports(ctx: {
  config: Config;
  db: Db;
  logger: Logger;
  /** Tests: the directory's FHIR client and feed readers. */
  directory?: FhirClient;
  feedClient?: ImportDeps['feedClient'];
}): Promise<DirectoryImports> {
  const { config, logger } = ctx;
  const log = logger.child({ module: 'directory' });
  const endpointId = directoryEndpointId(config);
  const endpoint = config.linkWorkerEndpoints.find((e) => e.id === endpointId)!;
  const directory = ctx.directory ?? (await createFhirClientFor(endpoint, { logger: log }));
  const store = new DirectoryImportStore(ctx.db);
  const feeds: DirectoryFeed[] = config.directory.feeds.map((f) => ({ id: f.id, name: f.name, url: f.url, perPage: f.perPage }));
  const deps: ImportDeps = { store, directory, configuredFeedIds: feeds.map((f) => f.id), logger, ...(ctx.feedClient ? { feedClient: ctx.feedClient } : {}) };
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const stop = new AbortController();

  const imports: DirectoryImports = {
    feeds,
    store,
    async run(req) {
      const chosen = req.feedId ? feeds.filter((f) => f.id === req.feedId) : feeds;
      if (req.feedId && chosen.length === 0) throw new UnknownFeed(req.feedId, feeds.map((f) => f.id));
      const reports: ImportReport[] = [];
      for (const feed of chosen) {
        const modifiedAfter = req.since === 'last' ? await store.lastSuccess(feed.id) : req.since;
        reports.push(
          await importFeed(deps, feed, {
            trigger: req.trigger,
            ...(modifiedAfter ? { modifiedAfter } : {}),
            ...(req.allowEmpty ? { allowEmpty: true } : {}),
            ...(req.onProgress ? { onProgress: (p) => req.onProgress!(feed.id, p) } : {}),
            signal: req.signal ? AbortSignal.any([req.signal, stop.signal]) : stop.signal,
          }),
        );
      }
      return reports;
    },
    startBackground() {
      const background = (feed: DirectoryFeed, trigger: ImportTrigger) => {
        const p = imports
          .run({ trigger, feedId: feed.id })
          .catch((err: unknown) => {
            if (err instanceof ImportAlreadyRunning) log.info({ feed: feed.id }, 'directory import skipped: one is already running');
            else if (!stop.signal.aborted) log.error({ err, feed: feed.id }, 'directory import failed');
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      };
      for (const f of config.directory.feeds) {
        const feed = feeds.find((x) => x.id === f.id)!;
        if (f.importOnStart) background(feed, 'start');
        if (f.schedule) tasks.push(schedule(f.schedule, () => background(feed, 'schedule'), { name: `sp-link-directory-${f.id}`, noOverlap: true, logger: libraryLogger(log, 'node-cron') }));
      }
    },
    async close() {
      for (const t of tasks) await t.stop();
      stop.abort(new Error('SP Link is stopping'));
      await Promise.allSettled([...inFlight]);
    },
  };
  return imports;
}
