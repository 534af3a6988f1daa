/**
 * Load on one SP Link instance as `npm start` runs it (embedded store, sandbox EHR and link-worker servers in the
 * same process): N GPs at once, each launched once from the EHR, then listing the patient's referrals and making
 * referrals, back to back (no time between requests: each GP stands for many real ones, who act minutes apart),
 * a bounded number of requests each; then bursts of rest-hook notifications at the webhook.
 *
 * Printed per level: the GP's latency end to end, and SP Link's own time in each request (its time minus the time
 * it spent waiting for the FHIR servers' answers, measured beside it per request), the FHIR requests it made and
 * their latency (the EHR's share; a production EHR has its own machine). Side by side in one run: the same load on a
 * second instance that reads every Task history on every listing (`server.taskHistoryCacheEntries: 0`), as SP Link
 * did before it kept them, with the ratios. `npm run bench load`; BENCH_LOAD_GPS sets the levels,
 * BENCH_LOAD_COMPARE=0 skips the second instance.
 *
 * Then paced levels (BENCH_LOAD_PACED_GPS, default 50 and 200): each GP waits a think time between requests
 * (exponential, mean BENCH_LOAD_THINK_S, default 5 s: a GP busier than any in a clinic), so the instance sees the
 * request rate that many GPs at work make rather than its own saturation. `load_paced_gps_at_end_to_end_p95_under_300ms`
 * is the largest paced level answered at p95 under 300 ms with no error.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import os from 'node:os';
import { launch, request, type CookieJar } from '../test/helpers/gp-launch.js';
import { referralForm } from '../test/helpers/referral-form.js';
import { startTestSystem, type TestSystem } from '../test/helpers/system.js';
import { WEBHOOK_SECRET_HEADER } from '../src/fhir/subscription-channel.js';
import { percentile } from './reliability/random.js';
import { seeded } from '../src/sandbox/demo/seeded-random.js';

type Print = (name: string, value: string | number) => void;
const PATIENTS = Array.from({ length: 25 }, (_, i) => `pat-${String(i + 1).padStart(2, '0')}`);
/** Requests each GP makes after its launch (lists, and a referral every 5th), fewer at high levels to bound the run. */
const ROUNDS = 10;
const MAX_REQUESTS_PER_LEVEL = 1000;
/** Launches at a time while a level is set up (a launch is several redirects and a token exchange). */
const LAUNCH_CONCURRENCY = 10;
/** How long each paced level runs. */
const PACED_SECONDS = 60;

interface Gp {
  patient: string;
  jar: CookieJar;
  csrf: string;
}

interface LevelResult {
  gps: number;
  p95: number;
  ownP95: number;
  fhirPerRequest: number;
  errors: number;
}

/**
 * Time SP Link spent waiting for FHIR answers in each of its requests: every fetch SP Link makes is started in the
 * async context of the request it serves (undici's diagnostics channels report its start and its last byte), and
 * the union of those intervals is the wait (parallel requests overlap).
 */
class FhirWaits {
  private readonly current = new AsyncLocalStorage<{ intervals: [number, number][] }>();
  private readonly open = new WeakMap<object, { start: number; into: [number, number][] }>();

  private readonly started = (m: unknown) => {
    const into = this.current.getStore()?.intervals;
    if (into) this.open.set((m as { request: object }).request, { start: performance.now(), into });
  };
  private readonly ended = (m: unknown) => {
    const r = (m as { request: object }).request;
    const o = this.open.get(r);
    if (!o) return;
    this.open.delete(r);
    o.into.push([o.start, performance.now()]);
  };

  /** Call after the listeners that read `store()` were prepended: this one must run before them. */
  constructor(server: TestSystem['server']) {
    server.prependListener('request', (req) => {
      if ((req.url ?? '').startsWith('/app/api/')) this.current.enterWith({ intervals: [] });
    });
    diagnostics.subscribe('undici:request:create', this.started);
    diagnostics.subscribe('undici:request:trailers', this.ended);
    diagnostics.subscribe('undici:request:error', this.ended);
  }

  close(): void {
    diagnostics.unsubscribe('undici:request:create', this.started);
    diagnostics.unsubscribe('undici:request:trailers', this.ended);
    diagnostics.unsubscribe('undici:request:error', this.ended);
  }

  /** The request in whose context this runs: its FHIR intervals, read when it finishes. */
  store(): { intervals: [number, number][] } | undefined {
    return this.current.getStore();
  }

  static union(intervals: readonly [number, number][]): number {
    const s = [...intervals].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let end = -Infinity;
    for (const [a, b] of s) {
      if (b <= end) continue;
      total += b - Math.max(a, end);
      end = b;
    }
    return total;
  }
}

async function inBatches<T>(n: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => make(i + j)))));
  return out;
}

interface Instance {
  sys: TestSystem;
  /** One level: `n` GPs launched, then their requests back to back; figures printed under `prefix`. */
  level(print: Print, prefix: string, n: number): Promise<LevelResult>;
  /** `n` GPs each acting after a think time (exponential, mean `thinkMs`) for `seconds`. */
  paced(print: Print, prefix: string, n: number, thinkMs: number, seconds: number): Promise<LevelResult>;
  stop(): Promise<void>;
}

/** A fresh instance as `npm start` runs it, instrumented; `historyCache` false reads every history on every listing. */
async function startInstance(historyCache: boolean): Promise<Instance> {
  const sys = await startTestSystem({
    background: true,
    edit: (raw) => {
      if (!historyCache) (raw.server as Record<string, unknown>).taskHistoryCacheEntries = 0;
    },
  });
  // FHIR requests to the sandbox servers, timed from arrival to the end of the answer.
  const fhir: number[] = [];
  sys.server.prependListener('request', (req, res) => {
    if (!/^\/sandbox\/(ehr|lw)\/fhir\//.test(req.url ?? '')) return;
    const t0 = performance.now();
    res.once('finish', () => fhir.push(performance.now() - t0));
  });
  // SP Link's own time per GP request: from its arrival to the end of the answer, less its FHIR waits.
  const own: number[] = [];
  sys.server.prependListener('request', (req, res) => {
    const mine = waits.store();
    if (!mine || !(req.url ?? '').startsWith('/app/api/referrals')) return;
    const t0 = performance.now();
    res.once('finish', () => own.push(performance.now() - t0 - FhirWaits.union(mine.intervals)));
  });
  const waits = new FhirWaits(sys.server);
  const instance: Instance = {
    sys,
    async stop() {
      waits.close();
      await sys.stop();
    },
    async level(print, prefix, n) {
      const rounds = Math.max(5, Math.min(ROUNDS, Math.floor(MAX_REQUESTS_PER_LEVEL / n)));
      // Launched first (a GP opens the app once a consultation), then all at once.
      const { gps, launchRetries } = await launchAll(n);
      const m = measure();
      await Promise.all(gps.map(async (gp) => {
        for (let r = 0; r < rounds; r++) await m.gpRequest(gp, r);
      }));
      return m.report(print, `${prefix}gps_${n}`, n, launchRetries);
    },
    async paced(print, prefix, n, thinkMs, seconds) {
      const { gps, launchRetries } = await launchAll(n);
      const random = seeded(n * 7919 + thinkMs);
      const m = measure();
      const until = performance.now() + seconds * 1000;
      await Promise.all(gps.map(async (gp, i) => {
        // Exponential think times: GPs act independently, so requests arrive as a Poisson stream.
        const think = () => new Promise((r) => setTimeout(r, -Math.log(1 - random()) * thinkMs));
        for (let r = i; ; r++) {
          await think();
          if (performance.now() >= until) break;
          await m.gpRequest(gp, r);
        }
      }));
      return m.report(print, `${prefix}paced_gps_${n}`, n, launchRetries);
    },
  };
  return instance;

  /** `n` GPs launched from the EHR, a few at a time. */
  async function launchAll(n: number): Promise<{ gps: Gp[]; launchRetries: number }> {
    // A launch that fails (a sandbox authorization server starved by the other instance's run) is tried once more,
    // as a GP would click again; the retries are printed so a level that needed them is seen as such.
    let launchRetries = 0;
    const gps = await inBatches(n, LAUNCH_CONCURRENCY, async (i) => {
      const patient = PATIENTS[i % PATIENTS.length]!;
      const once = () => launch(sys, { patient, practitioner: 'gp-1' });
      const launched = await once().catch(async () => {
        launchRetries++;
        await new Promise((r) => setTimeout(r, 1000));
        return once();
      });
      return { patient, ...launched };
    });
    return { gps, launchRetries };
  }

  /** The GP requests of one level, timed, and the level's figures printed from them. */
  function measure() {
    fhir.length = 0;
    own.length = 0;
    const times: number[] = [];
    let errors = 0;
    const statuses = new Map<number, number>();
    const t0 = performance.now();
    // The process's CPU time per GP request (SP Link and the sandbox servers in it): on a shared machine the wall
    // times measure the machine as much as SP Link, the CPU a request costs much less so.
    const cpu0 = process.cpuUsage();
    return {
      /** The GP's r-th request: the patient's referral list, and every 5th a new referral. */
      async gpRequest(gp: Gp, r: number): Promise<void> {
        const s = performance.now();
        const res =
          r % 5 === 4
            ? await request(gp.jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': gp.csrf }, body: JSON.stringify(referralForm(gp.patient)) })
            : await request(gp.jar, `${sys.url}/app/api/referrals?patient=${gp.patient}`);
        await res.arrayBuffer();
        times.push(performance.now() - s);
        if (res.status >= 300) {
          errors++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      },
      report(print: Print, p: string, n: number, launchRetries: number): LevelResult {
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const result = { gps: n, p95: percentile(times, 95), ownP95: percentile(own, 95), fhirPerRequest: fhir.length / times.length, errors };
        print(`${p}_requests`, times.length);
        print(`${p}_requests_per_s`, Number((times.length / seconds).toFixed(1)));
        print(`${p}_p50_ms`, Math.round(percentile(times, 50)));
        print(`${p}_p95_ms`, Math.round(result.p95));
        print(`${p}_p99_ms`, Math.round(percentile(times, 99)));
        print(`${p}_own_p50_ms`, Math.round(percentile(own, 50)));
        print(`${p}_own_p95_ms`, Math.round(result.ownP95));
        print(`${p}_own_p99_ms`, Math.round(percentile(own, 99)));
        print(`${p}_fhir_p50_ms`, Math.round(percentile(fhir, 50)));
        print(`${p}_fhir_p95_ms`, Math.round(percentile(fhir, 95)));
        print(`${p}_fhir_requests_per_gp_request`, Number(result.fhirPerRequest.toFixed(2)));
        print(`${p}_cpu_ms_per_request`, Number(((cpu.user + cpu.system) / 1000 / times.length).toFixed(1)));
        print(`${p}_loadavg_1m`, Number(os.loadavg()[0]!.toFixed(1)));
        print(`${p}_error_rate`, Number((errors / times.length).toFixed(3)));
        print(`${p}_launch_retries`, launchRetries);
        if (errors) print(`${p}_errors_by_status`, [...statuses].map(([code, k]) => `${code}×${k}`).join(' '));
        return result;
      },
    };
  }
}

/**
 * Notification bursts: 200 rest-hook notifications at once, naming demo Tasks (each answered at once; the
 * reconcile work they start is gathered into one fetch).
 */
async function webhookBursts(print: Print, sys: TestSystem): Promise<void> {
  const endpoint = sys.config.linkWorkerEndpoints[0]!;
  const times: number[] = [];
  let errors = 0;
  for (let burst = 0; burst < 3; burst++) {
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const s = performance.now();
        const res = await fetch(`${sys.url}/reconcile/webhook/${endpoint.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', [WEBHOOK_SECRET_HEADER]: sys.config.reconcile.webhookSecret },
          body: JSON.stringify({ resourceType: 'Task', id: `task-${(i % 20) + 1}`, status: 'in-progress', intent: 'order' }),
        });
        await res.arrayBuffer();
        times.push(performance.now() - s);
        if (res.status >= 300) errors++;
      }),
    );
    await sys.reconciler?.idle();
  }
  print('load_webhook_notifications', times.length);
  print('load_webhook_p50_ms', Math.round(percentile(times, 50)));
  print('load_webhook_p95_ms', Math.round(percentile(times, 95)));
  print('load_webhook_p99_ms', Math.round(percentile(times, 99)));
  print('load_webhook_error_rate', Number((errors / times.length).toFixed(3)));
}

const served = (rs: readonly LevelResult[], p95: (r: LevelResult) => number) => Math.max(0, ...rs.filter((r) => p95(r) < 300 && r.errors === 0).map((r) => r.gps));

export async function run(print: Print): Promise<void> {
  const levels = (process.env.BENCH_LOAD_GPS ?? '1,10,25,50,200').split(',').map(Number).filter((n) => n > 0);
  const compare = process.env.BENCH_LOAD_COMPARE !== '0';
  print('load_store', 'pglite (embedded default), sandbox servers in the same process');
  print('load_cores', os.cpus().length);
  print('load_loadavg_1m_before', Number(os.loadavg()[0]!.toFixed(1)));
  print('load_requests_per_gp', `${ROUNDS} (at most ${MAX_REQUESTS_PER_LEVEL} a level, at least 5 each)`);
  // Both instances run from the start and each level runs on one right after the other, so a change in the
  // machine's load between levels touches both sides of a ratio alike.
  const kept = await startInstance(true);
  const every = compare ? await startInstance(false) : undefined;
  const now: LevelResult[] = [];
  const before: LevelResult[] = [];
  try {
    for (const n of levels) {
      const r = await kept.level(print, 'load_', n);
      now.push(r);
      if (!every) continue;
      const b = await every.level(print, 'load_every_history_', n);
      before.push(b);
      print(`load_gps_${n}_p95_every_history_over_kept`, Number((b.p95 / r.p95).toFixed(2)));
      print(`load_gps_${n}_own_p95_every_history_over_kept`, Number((b.ownP95 / r.ownP95).toFixed(2)));
      print(`load_gps_${n}_fhir_requests_every_history_over_kept`, Number((b.fhirPerRequest / r.fhirPerRequest).toFixed(2)));
    }
    print('load_concurrent_gps_at_p95_under_300ms', served(now, (r) => r.ownP95));
    print('load_concurrent_gps_at_end_to_end_p95_under_300ms', served(now, (r) => r.p95));
    if (every) print('load_every_history_concurrent_gps_at_p95_under_300ms', served(before, (r) => r.ownP95));
    await every?.stop();
    // Real GPs act seconds to minutes apart: the same instance with each GP pausing between requests.
    const thinkS = Number(process.env.BENCH_LOAD_THINK_S ?? 5);
    const paced: LevelResult[] = [];
    print('load_paced_think_mean_s', thinkS);
    print('load_paced_seconds_per_level', PACED_SECONDS);
    for (const n of (process.env.BENCH_LOAD_PACED_GPS ?? '50,200').split(',').map(Number).filter((k) => k > 0)) {
      paced.push(await kept.paced(print, 'load_', n, thinkS * 1000, PACED_SECONDS));
    }
    print('load_paced_gps_at_end_to_end_p95_under_300ms', served(paced, (r) => r.p95));
    await webhookBursts(print, kept.sys);
  } finally {
    await every?.stop().catch(() => undefined);
    await kept.stop();
  }
  print('load_loadavg_1m_after', Number(os.loadavg()[0]!.toFixed(1)));
}
