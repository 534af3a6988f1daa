import { startGpTestSystem } from './test/integration/smart/boot.js';
import { launch, request } from './test/helpers/gp-launch.js';
const sys = await startGpTestSystem();
try {
  const t0 = Date.now();
  const { jar, csrf, context } = await launch(sys, { patient: 'pat-01', practitioner: 'gp-1' });
  console.log('launched in', Date.now() - t0, 'ms', JSON.stringify(context).slice(0, 600));
  const dir = await request(jar, `${sys.url}/app/api/directory?need=loneliness`);
  console.log('directory', dir.status, (await dir.text()).slice(0, 300));
  const body = { patientId: 'pat-01', needs: ['loneliness'], consent: { given: true, date: '2026-11-20' }, contact: { methods: ['phone'] }, safeguarding: { concern: false }, service: { kind: 'link-worker-decides' } };
  const cr = await request(jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
  console.log('create', cr.status, await cr.text());
  const list = await request(jar, `${sys.url}/app/api/referrals?patient=pat-01`);
  console.log('list', list.status, (await list.text()).slice(0, 1500));
} finally { await sys.stop(); }
