/**
 * `npm run bench`: every benchmark, one figure a line as `name: value`. Ratios are measured side by side
 * in the same run so they hold on any machine; absolute rates are printed for context only.
 */
import os from 'node:os';

interface Bench {
  name: string;
  load: () => Promise<{ run: (print: (name: string, value: string | number) => void) => Promise<void> }>;
}

const benches: Bench[] = [
  { name: 'startup', load: () => import('./startup.js') },
  { name: 'gp-app', load: () => import('./gp-app.js') },
  { name: 'cds', load: () => import('./cds.js') },
  { name: 'directory', load: () => import('./directory.js') },
  { name: 'reconcile', load: () => import('./reconcile.js') },
  { name: 'fhir-store', load: () => import('./fhir-store.js') },
  { name: 'load', load: () => import('./load.js') },
  { name: 'reports', load: () => import('./reports.js') },
];

async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(`# SP Link benchmarks on ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
  for (const b of benches) {
    if (only && b.name !== only) continue;
    console.log(`# ${b.name}`);
    const mod = await b.load();
    await mod.run((name, value) => console.log(`${name}: ${value}`));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
