import { openDb } from './src/store/db.js';
const n = Number(process.argv[2] ?? 20);
for (let i = 0; i < n; i++) {
  const db = await openDb({ memory: true });
  await db.query('SELECT 1');
  await db.close();
}
console.log('ok', n);
