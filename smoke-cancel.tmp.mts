import { startTestSystem } from './test/helpers/system.js';
import { launch, request } from './test/helpers/gp-launch.js';
const sys = await startTestSystem();
try {
  const { jar, csrf } = await launch(sys, { patient: 'pat-05', practitioner: 'gp-2' });
  const body = { patientId: 'pat-05', needs: ['loneliness'], consent: { given: true, date: '2026-11-20' }, contact: { methods: ['phone'] }, safeguarding: { concern: false }, service: { kind: 'link-worker-decides' } };
  const cr = await request(jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
  const { serviceRequestId } = await cr.json() as { serviceRequestId: string };
  const c = await request(jar, `${sys.url}/app/api/referrals/${serviceRequestId}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ patientId: 'pat-05' }) });
  console.log(c.status, await c.text());
} finally { await sys.stop(); }
