import path from 'node:path';
import { parseArgs } from 'node:util';
import { instanceOwning } from '../config/instance-file.js';
import { loadConfig } from '../config/load.js';
import { CliError, EXIT } from '../errors.js';
import { ehrSeed, lwSeed } from '../sandbox/demo/index.js';
import { openFhirStore } from '../fhir-store/index.js';
import { createSandboxFhirServer, sandboxDataFile } from '../sandbox/fhir/index.js';
import { EHR_FHIR_PATH, LW_FHIR_PATH } from '../sandbox/index.js';
import { configuredStore, openDb } from '../store/db.js';

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
};

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
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
    say(`  Kept the audit trail (events: ${rows[0]?.n ?? 0}): it is never rewritten.`);
  } finally {
    await db.close();
  }
  return EXIT.ok;
}
