import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { ehrSeed, lwSeed } from '../sandbox/demo/index.js';
import { createSandboxFhirServer, sandboxDataFile } from '../sandbox/fhir/index.js';
import { EHR_FHIR_PATH, LW_FHIR_PATH } from '../sandbox/index.js';

/**
 * `sp-link seed --reset`: restores the sandbox demo data in `dataDir` (both FHIR servers). Run it while SP Link
 * is stopped; a running instance keeps its own copy in memory and would write it back.
 */
export async function runSeedCommand(args: string[], configFile: string): Promise<number> {
  const { values } = parseArgs({ args, options: { reset: { type: 'boolean' } }, strict: true });
  if (!values.reset) {
    process.stderr.write('Usage: sp-link seed --reset   (restores the sandbox demo data)\n');
    return 2;
  }
  const config = await loadConfig(configFile);
  if (!config.sandbox.enabled) {
    process.stderr.write('seed --reset only applies to the sandbox (sandbox.enabled is false in this config).\n');
    return 2;
  }
  const origin = new URL(config.server.publicUrl).origin;
  const urls = { ehr: origin + EHR_FHIR_PATH, lw: origin + LW_FHIR_PATH };
  for (const [name, seed] of [
    ['ehr', () => ehrSeed(urls)],
    ['lw', () => lwSeed(urls)],
  ] as const) {
    const server = await createSandboxFhirServer({ name, baseUrl: urls[name], dataFile: sandboxDataFile(config.dataDir, name), seed });
    await server.reset();
    await server.close();
    process.stdout.write(`Restored the ${name === 'ehr' ? 'GP practice EHR' : 'link-worker service'} demo data in ${sandboxDataFile(config.dataDir, name)}\n`);
  }
  return 0;
}
