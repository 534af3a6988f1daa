import { run } from './reconcile.js';
const t0 = Date.now();
await run((n, v) => console.log(`${n}: ${v}  (+${((Date.now() - t0) / 1000).toFixed(1)}s)`));
process.exit(0);
