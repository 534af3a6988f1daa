import { parseArgs } from 'node:util';
import { instanceOwning } from '../config/instance-file.js';
import { loadConfig } from '../config/load.js';
import { CliError, EXIT } from '../errors.js';
import { ehrSeed, lwSeed } from '../sandbox/demo/index.js';
import { createSandboxFhirServer, sandboxDataFile } from '../sandbox/fhir/index.js';
import { EHR_FHIR_PATH, LW_FHIR_PATH } from '../sandbox/index.js';
import { openDb } from '../store/db.js';

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

/**
 * `sp-link seed --reset`: restores the sandbox demo data (both FHIR servers' stores) and clears the store's
 * sandbox state (SANDBOX_STATE_TABLES), in the database the configuration names. Run it while SP Link is
 * stopped (embedded PGlite allows one process at a time).
 */
export async function runSeedCommand(args: string[], configFile: string): Promise<number> {
  const { values } = parseArgs({ args, options: { reset: { type: 'boolean' } }, strict: true });
  if (!values.reset) {
    process.stderr.write('Usage: sp-link seed --reset   (restores the sandbox demo data)\n');
    return 2;
  }
  const config = await loadConfig(configFile);
  const running = instanceOwning(configFile, config.dataDir);
  if (running) {
    throw new CliError(
      `SP Link is running with this configuration (pid ${running.pid}, ${running.url}) and keeps the sandbox data it would write back`,
      'stop it (Ctrl+C), run `sp-link seed --reset`, then start it again',
      EXIT.tempFail,
    );
  }
  if (!config.sandbox.enabled) {
    process.stderr.write('seed --reset only applies to the sandbox (sandbox.enabled is false in this config).\n');
    return 2;
  }
  const origin = new URL(config.server.publicUrl).origin;
  const urls = { ehr: origin + EHR_FHIR_PATH, lw: origin + LW_FHIR_PATH };
  const db = await openDb({ databaseUrl: config.store.databaseUrl, dataDir: config.dataDir });
  try {
    for (const [name, seed] of [
      ['ehr', () => ehrSeed(urls)],
      ['lw', () => lwSeed(urls)],
    ] as const) {
      // A data file of earlier versions not yet imported is imported first, then replaced like everything else.
      const server = await createSandboxFhirServer({ name, baseUrl: urls[name], db, dataFile: sandboxDataFile(config.dataDir, name), seed });
      try {
        await server.reset();
      } finally {
        await server.close();
      }
      process.stdout.write(`Restored the ${name === 'ehr' ? 'GP practice EHR' : 'link-worker service'} demo data\n`);
    }
    await db.transaction(async (tx) => {
      for (const table of SANDBOX_STATE_TABLES) await tx.query(`DELETE FROM ${table}`);
    });
  } finally {
    await db.close();
  }
  process.stdout.write('Signed everyone out of the sandbox and cleared the reconciler’s progress: it reads the demo Tasks again at the next start.\n');
  return 0;
}
