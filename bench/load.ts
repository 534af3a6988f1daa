/**
 * Load on one SP Link instance as `npm start` runs it (embedded store, sandbox EHR and link-worker servers in the
 * same process): N GPs at once, each launched once from the EHR, then listing the patient's referrals and making
 * referrals, a bounded number of requests each; then bursts of rest-hook notifications at the webhook. Latencies of
 * SP Link's requests are printed beside those of the FHIR requests it made to the sandbox servers meanwhile (the
 * EHR's share of the time; a production EHR has its own). `npm run bench load`; BENCH_LOAD_GPS sets the levels.
 */
import { launch, request } from '../test/helpers/gp-launch.js';
import { referralForm } from '../test/helpers/referral-form.js';
import { startTestSystem } from '../test/helpers/system.js';
import { WEBHOOK_SECRET_HEADER } from '../src/fhir/subscription-channel.js';
import { percentile } from './reliability/random.js';

type Print = (name: string, value: string | number) => void;
const PATIENTS = Array.from({ length: 25 }, (_, i) => `pat-${String(i + 1).padStart(2, '0')}`);
/** Requests each GP makes after its launch: lists, and a referral every 5th. */
const ROUNDS = 10;

export async function run(print: Print): Promise<void> {
  const levels = (process.env.BENCH_LOAD_GPS ?? '1,5,10,25,50').split(',').map(Number).filter((n) => n > 0);
  const sys = await startTestSystem({ background: true });
  // FHIR requests to the sandbox servers, timed from arrival to the end of the answer.
  const fhir: number[] = [];
  sys.server.prependListener('request', (req, res) => {
    if (!/^\/sandbox\/(ehr|lw)\/fhir\//.test(req.url ?? '')) return;
    const t0 = performance.now();
    res.once('finish', () => fhir.push(performance.now() - t0));
  });
  try {
    print('load_store', 'pglite (embedded default), sandbox servers in the same process');
    print('load_requests_per_gp', ROUNDS);
    let served = 0;
    for (const n of levels) {
      // Launched first (a GP opens the app once a consultation), then all at once.
      const gps = await Promise.all(Array.from({ length: n }, async (_, i) => {
        const patient = PATIENTS[i % PATIENTS.length]!;
        return { patient, ...(await launch(sys, { patient, practitioner: 'gp-1' })) };
      }));
      fhir.length = 0;
      const times: number[] = [];
      let errors = 0;
      const t0 = performance.now();
      await Promise.all(gps.map(async (gp) => {
        for (let r = 0; r < ROUNDS; r++) {
          const s = performance.now();
          const res = r % 5 === 4
            ? await request(gp.jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': gp.csrf }, body: JSON.stringify(referralForm(gp.patient)) })
            : await request(gp.jar, `${sys.url}/app/api/referrals?patient=${gp.patient}`);
          await res.arrayBuffer();
          times.push(performance.now() - s);
          if (res.status >= 300) errors++;
        }
      }));
      const seconds = (performance.now() - t0) / 1000;
      const p95 = percentile(times, 95);
      print(`load_gps_${n}_requests_per_s`, Number((times.length / seconds).toFixed(1)));
      print(`load_gps_${n}_p50_ms`, Math.round(percentile(times, 50)));
      print(`load_gps_${n}_p95_ms`, Math.round(p95));
      print(`load_gps_${n}_p99_ms`, Math.round(percentile(times, 99)));
      print(`load_gps_${n}_fhir_p50_ms`, Math.round(percentile(fhir, 50)));
      print(`load_gps_${n}_fhir_p95_ms`, Math.round(percentile(fhir, 95)));
      print(`load_gps_${n}_fhir_requests_per_gp_request`, Number((fhir.length / times.length).toFixed(2)));
      print(`load_gps_${n}_error_rate`, Number((errors / times.length).toFixed(3)));
      if (p95 < 300 && errors === 0) served = n;
    }
    print('load_concurrent_gps_at_p95_under_300ms', served);

    // Notification bursts: 200 rest-hook notifications at once, naming demo Tasks (each answered at once; the
    // reconcile work they start is gathered into one fetch).
    const endpoint = sys.config.linkWorkerEndpoints[0]!;
    const times: number[] = [];
    let errors = 0;
    for (let burst = 0; burst < 3; burst++) {
      await Promise.all(Array.from({ length: 200 }, async (_, i) => {
        const s = performance.now();
        const res = await fetch(`${sys.url}/reconcile/webhook/${endpoint.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', [WEBHOOK_SECRET_HEADER]: sys.config.reconcile.webhookSecret },
          body: JSON.stringify({ resourceType: 'Task', id: `task-${(i % 20) + 1}`, status: 'in-progress', intent: 'order' }),
        });
        await res.arrayBuffer();
        times.push(performance.now() - s);
        if (res.status >= 300) errors++;
      }));
      await sys.reconciler?.idle();
    }
    print('load_webhook_notifications', times.length);
    print('load_webhook_p50_ms', Math.round(percentile(times, 50)));
    print('load_webhook_p95_ms', Math.round(percentile(times, 95)));
    print('load_webhook_p99_ms', Math.round(percentile(times, 99)));
    print('load_webhook_error_rate', Number((errors / times.length).toFixed(3)));
  } finally {
    await sys.stop();
  }
}
