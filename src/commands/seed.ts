import path from 'node:path';
import { parseArgs } from 'node:util';
import { instanceOwning } from '../config/instance-file.js';
import { loadConfig } from '../config/load.js';
import { CliError, EXIT } from '../errors.js';
import { ehrSeed, lwSeed } from '../sandbox/demo/index.js';
import { openFhirStore } from '../fhir-store/index.js';
import { createSandboxFhirServer, sandboxDataFile } from '../sandbox/fhir/index.js';
import { EHR_FHIR_PATH, LW_FHIR_PATH } from '../sandbox/index.js';
import { configuredStore, openDb, type Db } from '../store/db.js';

/**
 * What the store holds about the sandbox's state, cleared with it: sign-ins to the sandbox's authorization
 * servers and SP Link (they name demo patients and grants that no longer exist), and the reconciler's progress
 * (so it reads the restored demo Tasks again, idempotently, instead of trusting versions it saw before).
 * The audit trail stays: it is never rewritten.
 */
export const SANDBOX_STATE_TABLES = [
  'oidc_records',
  'sessions',
  'gp_launches',
  'reconcile_cursors',
  'reconcile_task_state',
  'reconcile_applied_versions',
  'reconcile_attempts',
  'reconcile_leases',
  'reconcile_dead_letters',
  'reconcile_outbox',
  // Report facts (with their outcome rows): captured again as the demo Tasks are read, demo history seeded again.
  'report_referrals',
  'report_onward',
] as const;

/** How each cleared table is named in the summary, in SANDBOX_STATE_TABLES order. */
const CLEARED: Readonly<Record<(typeof SANDBOX_STATE_TABLES)[number], string>> = {
  oidc_records: 'sandbox authorization-server records (grants, codes, tokens)',
  sessions: 'sign-in sessions',
  gp_launches: 'GP app launches',
  reconcile_cursors: 'reconciler change-feed cursors',
  reconcile_task_state: 'reconciler Task states',
  reconcile_applied_versions: 'reconciler applied versions',
  reconcile_attempts: 'reconciler retry counts',
  reconcile_leases: 'reconciler leases',
  reconcile_dead_letters: 'dead letters',
  reconcile_outbox: 'outbox rows',
  report_referrals: 'report referral facts',
  report_onward: 'report onward-referral facts',
};

/**
 * What seed --reset keeps, by table, as the summary names it: records that are not the sandbox's demo state (people's
 * own referrals, directory imports, prompts shown to clinicians, the audit trail) or that expire by themselves. With
 * SANDBOX_STATE_TABLES, the FHIR tables (whose `ehr` and `lw` stores are restored, any other store kept) and
 * `schema_migrations`, every table of the store is named here or there (a test holds this).
 */
export const KEPT_TABLES: Readonly<Record<string, string>> = {
  audit_events: 'audit trail events (never rewritten)',
  community_referrals: 'self and agency referrals received',
  directory_import_runs: 'directory import runs',
  directory_feed_records: 'directory feed records',
  directory_changes: 'directory changes',
  directory_reports: 'link workers\' reports of closed or changed services',
  cds_cards: 'CDS prompts shown',
  cds_feedback: 'CDS prompt feedback',
  cds_suppressions: 'CDS prompt suppressions',
  cds_jwt_ids: 'CDS request ids (expire by themselves)',
  hosted_assertion_ids: 'hosted-record client assertion ids (expire by themselves)',
  rate_limits: 'rate-limit counters (expire by themselves)',
};

/** Rows cleared with another table (a foreign key's ON DELETE CASCADE), and the FHIR and migration tables. */
export const RESET_WITH_OTHERS = ['report_outcomes', 'report_gp_demand', 'gp_demand_queue', 'fhir_stores', 'fhir_resources', 'fhir_versions', 'fhir_search_index', 'fhir_changes', 'fhir_change_consumers', 'schema_migrations'] as const;

/** Where the configuration keeps its data, for the summary (a PostgreSQL URL without its credentials). */
function describeStore(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return `the embedded database in ${path.resolve(dataDir, 'pglite')}`;
  try {
    const u = new URL(databaseUrl);
    return `PostgreSQL database "${decodeURIComponent(u.pathname.slice(1)) || 'postgres'}" on ${u.host}`;
  } catch {
    return 'the configured PostgreSQL database';
  }
}

/**
 * `sp-link seed --reset`: restores the sandbox demo data (both FHIR servers' stores) and clears the store's
 * sandbox state (SANDBOX_STATE_TABLES), in the database the configuration names, then says what it replaced and
 * cleared. Refused for a configuration without the sandbox (a production one): its database holds real records.
 * Run it while SP Link is stopped (embedded PGlite allows one process at a time).
 */
export async function runSeedCommand(args: string[], configFile: string): Promise<number> {
  const { values } = parseArgs({ args, options: { reset: { type: 'boolean' } }, strict: true });
  if (!values.reset) {
    process.stderr.write('Usage: sp-link seed --reset   (restores the sandbox demo data)\n');
    return EXIT.usage;
  }
  const config = await loadConfig(configFile);
  if (!config.sandbox.enabled) {
    throw new CliError(
      `refused: ${configFile} has the sandbox disabled (sandbox.enabled: false), as a production configuration does, ` +
        `and seed --reset would replace FHIR data and sign everyone out in ${describeStore(config.store.databaseUrl, config.dataDir)}; nothing was changed`,
      'run it only with a sandbox configuration, e.g. `npm run reset` (config/default.yaml)',
      EXIT.usage,
    );
  }
  const running = instanceOwning(configFile, config.dataDir);
  if (running) {
    throw new CliError(
      `SP Link is running with this configuration (pid ${running.pid}, ${running.url}) and keeps the sandbox data it would write back`,
      'stop it (Ctrl+C), run `sp-link seed --reset`, then start it again',
      EXIT.tempFail,
    );
  }
  const origin = new URL(config.server.publicUrl).origin;
  const urls = { ehr: origin + EHR_FHIR_PATH, lw: origin + LW_FHIR_PATH };
  const db = await openDb(configuredStore(config));
  const say = (line: string): void => void process.stdout.write(line + '\n');
  say(`Resetting the sandbox in ${describeStore(config.store.databaseUrl, config.dataDir)}:`);
  try {
    for (const [name, seed] of [
      ['ehr', () => ehrSeed(urls)],
      ['lw', () => lwSeed(urls)],
    ] as const) {
      const before = await (await openFhirStore(db, { store: name })).resourceCount();
      // A data file of earlier versions not yet imported is imported first, then replaced like everything else.
      const server = await createSandboxFhirServer({ name, baseUrl: urls[name], db, dataFile: sandboxDataFile(config.dataDir, name), seed });
      try {
        await server.reset();
        const after = await server.repo.resourceCount();
        say(
          `  Restored the ${name === 'ehr' ? 'GP practice EHR' : 'link-worker service'} demo data (store "${name}"): ` +
            `${after} resources, replacing ${before} and their history`,
        );
      } finally {
        await server.close();
      }
    }
    const cleared = await db.transaction(async (tx) => {
      const counts: string[] = [];
      for (const table of SANDBOX_STATE_TABLES) counts.push(`${CLEARED[table]}: ${(await tx.query(`DELETE FROM ${table}`)).rowCount}`);
      return counts;
    });
    say(`  Signed everyone out of the sandbox and cleared the reconciler’s progress (it reads the demo Tasks again at the next start), rows removed: ${cleared.join(', ')}`);
    for (const line of await keptLines(db, config.linkWorkerEndpoints)) say(line);
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

/**
 * What the reset left alone, with counts: every other FHIR store (a record SP Link hosts for a link-worker service
 * is real case data, never demo data: kept whole, though its Tasks may name referrals the restored EHR no longer
 * has), and the rows of KEPT_TABLES.
 */
async function keptLines(db: Db, endpoints: readonly { id: string; name: string; hosted?: boolean }[]): Promise<string[]> {
  const out: string[] = [];
  const stores = await db.query<{ store: string; n: number }>(
    `SELECT s.store, (SELECT count(*)::int FROM fhir_resources r WHERE r.store = s.store AND NOT r.deleted) AS n
     FROM fhir_stores s WHERE s.store NOT IN ('ehr', 'lw') ORDER BY s.store`,
  );
  for (const { store, n } of stores.rows) {
    const hosted = endpoints.find((e) => store === `hosted:${e.id}`);
    out.push(
      hosted
        ? `  Kept the link-worker record SP Link hosts for "${hosted.name}" (store "${store}"): ${n} resources, unchanged (the reconciler reads its Tasks again at the next start, like the demo ones).`
        : `  Kept FHIR store "${store}": ${n} resources, unchanged.`,
    );
  }
  const counts: string[] = [];
  for (const [table, what] of Object.entries(KEPT_TABLES)) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts.push(`${what}: ${rows[0]?.n ?? 0}`);
  }
  out.push(`  Kept, unchanged: ${counts.join(', ')}.`);
  return out;
}
