import { parseArgs } from 'node:util';
import { adoptRunningInstance } from './config/instance-file.js';
import { ConfigError } from './config/load.js';
import { CliError, EXIT } from './errors.js';
import { logOutput } from './observability/logger.js';

/**
 * `sp-link <command>`: start | doctor | seed --reset | reconcile | dead-letters | gp-demand | directory | report | config-schema.
 * Each command loads and validates the config first, so a bad config fails the same way everywhere.
 */
const USAGE = `Usage: sp-link <command> [--config FILE]

Commands:
  start                         run SP Link (and the sandbox when sandbox.enabled)
  doctor [--read-only]          check every configured endpoint before go-live (non-zero exit on FAIL);
                                --read-only skips the behaviour probes (unchanged writes, a probe Subscription)
  seed --reset                  restore the sandbox demo data
  reconcile --once              run one reconcile pass over every link-worker endpoint
  reconcile --backfill --since <date>
                                re-read every Task changed since <date> (catch-up after an outage)
  dead-letters list|show <id>|replay <id>|replay --all
                                inspect and replay parked write-backs
  gp-demand failed|requeue <key>|requeue --all [--tenant ID] [--sweep]
                                GP appointment counts the sweep gave up on; queue them again
  directory import [--feed ID] [--since last|<date>]
                                import the Open Referral UK feeds into the directory;
                                directory runs | show <id>: what the imports did
  report <report>|measure-report <measure>|measures [--from --to --practice --pcn --service --source] [--out FILE]
                                evaluation reports as CSV or FHIR (scheduled exports; sp-link report --help)
  config-schema                 print the JSON Schema of the config file

Options:
  --config FILE   config file (default: config/default.yaml)
`;

type Command = (args: string[], configFile: string) => Promise<number>;

const commands: Record<string, Command> = {
  start: async (_args, configFile) => {
    const { runStart } = await import('./commands/start.js');
    return runStart(configFile);
  },
  doctor: async (args, configFile) => {
    const { runDoctorCommand } = await import('./commands/doctor.js');
    return runDoctorCommand(configFile, { readOnly: args.includes('--read-only') });
  },
  seed: async (args, configFile) => {
    const { runSeedCommand } = await import('./commands/seed.js');
    return runSeedCommand(args, configFile);
  },
  reconcile: async (args, configFile) => {
    const { runReconcileCommand } = await import('./commands/reconcile.js');
    return runReconcileCommand(args, configFile);
  },
  'dead-letters': async (args, configFile) => {
    const { runDeadLettersCommand } = await import('./commands/dead-letters.js');
    return runDeadLettersCommand(args, configFile);
  },
  'gp-demand': async (args, configFile) => {
    const { runGpDemandCommand } = await import('./commands/gp-demand.js');
    return runGpDemandCommand(args, configFile);
  },
  directory: async (args, configFile) => {
    const { runDirectoryCommand } = await import('./commands/directory.js');
    return runDirectoryCommand(args, configFile);
  },
  report: async (args, configFile) => {
    const { runReportCommand } = await import('./commands/report.js');
    return runReportCommand(args, configFile);
  },
  'config-schema': async () => {
    const { configJsonSchema } = await import('./config/json-schema.js');
    process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { config: { type: 'string', default: 'config/default.yaml' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
  });
  const [name] = positionals;
  if (values.help || !name) {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  // Pass flags through untouched: each command parses its own.
  const args = argv.slice(argv.indexOf(name) + 1).filter((a, i, all) => a !== '--config' && all[i - 1] !== '--config');
  const configFile = String(values.config);
  // Every command but `start` works on the instance of the same configuration: where it runs and keeps its data
  // (PORT, HOST, SP_LINK_DATA_DIR) come from it unless set here (src/config/instance-file.ts).
  if (name !== 'start') adoptRunningInstance(configFile);
  try {
    return await command(args, configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return EXIT.config;
    }
    if (err instanceof CliError) {
      process.stderr.write(`sp-link ${name}: ${err.message}. Fix: ${err.fix}.\n`);
      return err.exitCode;
    }
    throw err;
  }
}

/** Runs the CLI as a process: exit with the command's status (`start` keeps running). */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    async (code) => {
      if (code === -1) return;
      // Log lines are written asynchronously: let them out (bounded) before exiting.
      await logOutput.drain(1000);
      process.exit(code);
    },
    (err: unknown) => {
      // One line; the stack only when asked for (it means nothing to the person running the command).
      const debug = process.env.SP_LINK_DEBUG === '1';
      const text = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message.split('\n')[0]) : String(err);
      process.stderr.write(`sp-link: ${text}${debug ? '' : ' (SP_LINK_DEBUG=1 shows where it happened)'}\n`);
      process.exit(EXIT.failed);
    },
  );
}

// `tsx src/cli.ts …` (npm scripts); the `sp-link` bin calls runCli itself.
if (process.argv[1] && /[\\/]src[\\/]cli\.ts$/.test(process.argv[1])) runCli();
