import { openDb } from './src/store/db.js';
for (let i = 0; i < 3; i++) {
  const t = Date.now();
  const a = await openDb({ memory: true });
  await a.query("insert into sessions values ('x', '{}', now())");
  const r = await a.query('select count(*)::int as n from sessions');
  console.log('open', i, Date.now() - t, r.rows);
  await a.close();
}
