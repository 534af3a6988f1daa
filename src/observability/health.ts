import { Router } from 'express';

/** A readiness probe. Resolve = up (optionally with a detail); throw = down (the message is shown). */
export type HealthCheck = (signal: AbortSignal) => Promise<void | string>;

export interface CheckResult {
  status: 'up' | 'down';
  /** Down checks that are not critical do not make the instance unready. */
  critical: boolean;
  latencyMs?: number;
  detail?: string;
  checkedAt: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not-ready';
  checks: Record<string, CheckResult>;
}

export interface CheckOptions {
  /** Down → /readyz answers 503. Default true. */
  critical?: boolean;
  /** Time budget of one run (ms). Default 2 s. */
  timeoutMs?: number;
  /** How long a result is reused (ms), so probes do not hammer FHIR servers. Default 10 s. */
  cacheMs?: number;
}

interface Entry {
  check?: HealthCheck;
  opts: Required<CheckOptions>;
  last?: CheckResult;
  lastAt: number;
  running?: Promise<CheckResult>;
}

/**
 * Named readiness checks. Core checks (store, FHIR endpoints) are registered at start; other modules add
 * theirs: `register()` for a probe run on demand, `report()` for a status they observe themselves
 * (e.g. the reconciler's last poll of an endpoint).
 */
export class HealthRegistry {
  private readonly entries = new Map<string, Entry>();

  register(name: string, check: HealthCheck, opts: CheckOptions = {}): () => void {
    this.entries.set(name, { check, opts: { critical: true, timeoutMs: 2000, cacheMs: 10_000, ...opts }, lastAt: 0 });
    return () => this.entries.delete(name);
  }

  /** Pushes a status for `name` (no probe). Non-critical unless told otherwise. */
  report(name: string, status: 'up' | 'down', detail?: string, opts: { critical?: boolean } = {}): void {
    const prev = this.entries.get(name);
    const critical = opts.critical ?? prev?.opts.critical ?? false;
    this.entries.set(name, {
      opts: { critical, timeoutMs: 0, cacheMs: Number.POSITIVE_INFINITY },
      last: { status, critical, detail, checkedAt: new Date().toISOString() },
      lastAt: Date.now(),
    });
  }

  /** Runs (or reuses the cached result of) one check; undefined when no such check. */
  check(name: string): Promise<CheckResult> | undefined {
    const e = this.entries.get(name);
    return e ? this.runOne(e) : undefined;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  private runOne(e: Entry): Promise<CheckResult> {
    if (!e.check) return Promise.resolve(e.last!);
    if (e.last && Date.now() - e.lastAt < e.opts.cacheMs) return Promise.resolve(e.last);
    e.running ??= (async () => {
      const started = Date.now();
      const signal = AbortSignal.timeout(e.opts.timeoutMs);
      let result: CheckResult;
      try {
        // Race the check against its budget, in case it ignores the signal.
        const detail = await Promise.race([
          e.check!(signal),
          new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`timed out after ${e.opts.timeoutMs} ms`)), { once: true })),
        ]);
        result = { status: 'up', critical: e.opts.critical, latencyMs: Date.now() - started, ...(detail ? { detail } : {}), checkedAt: new Date().toISOString() };
      } catch (err) {
        result = { status: 'down', critical: e.opts.critical, latencyMs: Date.now() - started, detail: (err as Error).message, checkedAt: new Date().toISOString() };
      }
      e.last = result;
      e.lastAt = Date.now();
      e.running = undefined;
      return result;
    })();
    return e.running;
  }

  async run(): Promise<ReadinessReport> {
    const names = [...this.entries.keys()];
    const results = await Promise.all(names.map((n) => this.runOne(this.entries.get(n)!)));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
    const ready = results.every((r) => r.status === 'up' || !r.critical);
    return { status: ready ? 'ready' : 'not-ready', checks };
  }
}

/** `GET /healthz` (process alive) and `GET /readyz` (every critical check up; 503 otherwise). */
export function healthRouter(registry: HealthRegistry): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res, next) => {
    registry
      .run()
      .then((report) => {
        res.setHeader('cache-control', 'no-store');
        res.status(report.status === 'ready' ? 200 : 503).json(report);
      })
      .catch(next);
  });
  return router;
}
