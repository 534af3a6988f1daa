import type { Config } from '../config/schema.js';

/** The startup banner: where everything is, so a first-time user knows what to open. */
export function banner(config: Config, url: string, elapsedMs: number): string {
  const base = config.server.publicUrl;
  const lines: [string, string][] = [];
  if (config.sandbox.enabled) {
    lines.push(['Sandbox GP system (start here)', `${base}/sandbox/ehr`]);
    lines.push(['Sandbox EHR FHIR', `${base}/sandbox/ehr/fhir`]);
    lines.push(['Sandbox link-worker FHIR', `${base}/sandbox/lw/fhir`]);
  }
  lines.push(['GP app (SMART launch URL)', `${base}/launch`]);
  if (config.workspace?.enabled) lines.push(['Link-worker workspace', `${base}/workspace`]);
  lines.push(['FHIR profiles', `${base}/profiles`]);
  lines.push(['Health', `${base}/healthz  ${base}/readyz  ${base}/metrics`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  const store = config.store.databaseUrl ? 'PostgreSQL' : `embedded PGlite (${config.dataDir})`;
  return [
    '',
    `SP Link is up on ${url} in ${(elapsedMs / 1000).toFixed(1)} s${config.sandbox.enabled ? ' (sandbox mode: demo data, not for patient use)' : ''}`,
    `Store: ${store}; tenants: ${config.tenants.map((t) => t.id).join(', ')}; link-worker endpoints: ${config.linkWorkerEndpoints.map((e) => e.id).join(', ')}`,
    '',
    ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
