import { startTestSystem } from './test/helpers/system.js';
const t0 = Date.now();
const sys = await startTestSystem();
console.log('started in', Date.now() - t0);
const r = await fetch(`${sys.url}/app/api/context`); console.log(r.status);
await sys.stop(); console.log('stopped');
