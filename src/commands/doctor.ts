import { loadConfig } from '../config/load.js';
import { renderDoctorReport, runDoctor } from '../doctor/index.js';

/** `sp-link doctor`: PASS/FAIL table per endpoint; exit 1 on any FAIL so it can gate a deployment. */
export async function runDoctorCommand(configFile: string, opts: { readOnly?: boolean } = {}): Promise<number> {
  const config = await loadConfig(configFile);
  const report = await runDoctor(config, opts);
  process.stdout.write(renderDoctorReport(report) + '\n');
  return report.ok ? 0 : 1;
}
