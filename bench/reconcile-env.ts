import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Observation, Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { configSchema, type Config } from '../src/config/schema.js';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../src/referral-model/codes.js';
import { createSandboxFhirServer, type SandboxFhirServer } from '../src/sandbox/fhir/index.js';
import { testNhsNumbers } from '../src/sandbox/demo/index.js';

export const NHS = testNhsNumbers(1, 700)[0]!;

/** `n` active referrals in the EHR (fixed ids, so two EHRs seeded alike accept the same If-Match writes). */
export function ehrResources(n: number): Resource[] {
  const out: Resource[] = [
    { resourceType: 'Patient', id: 'p1', identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS }] } as Patient,
    { resourceType: 'Practitioner', id: 'gp1', name: [{ family: 'Bench' }] },
  ];
  for (let i = 0; i < n; i++) {
    out.push({ resourceType: 'ServiceRequest', id: `sr-${i}`, status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/gp1' } } as ServiceRequest);
  }
  return out;
}

const outType = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

/**
 * A completed Task for referral `i` with a summary (3 EHR writes when reconciled: status, message back,
 * Provenance); with `withOutcome`, also one outcome measure (4 writes).
 */
export function completedTask(ehrBase: string, i: number, id = `task-${i}`, withOutcome = true): Task {
  return {
    resourceType: 'Task', id, status: 'completed', intent: 'order',
    focus: { reference: `${ehrBase}/ServiceRequest/sr-${i}` },
    for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS } },
    output: [
      ...(withOutcome ? [{ type: outType('outcome-measure'), valueReference: { reference: `Observation/obs-${i}` } }] : []),
      { type: outType('summary'), valueString: `Connected to a walking group (${i})` },
    ],
  };
}

export function outcome(i: number): Observation {
  return {
    resourceType: 'Observation', id: `obs-${i}`, status: 'final', effectiveDateTime: '2026-03-01',
    code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] }, valueInteger: 7 + (i % 29),
  };
}

export interface BenchEnv {
  app: express.Express;
  base: string;
  ehrBase: string;
  lwBase: string;
  ehr: SandboxFhirServer;
  lw: SandboxFhirServer;
  config: Config;
  requests: { ehr: number; lw: number };
  /** Transaction bodies the EHR received, in order (to replay with a minimal client). */
  transactions: string[];
  /** When each ServiceRequest became completed (ms, performance.now()). */
  completedAt: Map<string, number>;
  close(): Promise<void>;
}

export interface EnvOptions {
  referrals: number;
  tasks: number;
  /** Completed Tasks carry an outcome measure too (4 writes instead of 3). */
  outcomes?: boolean;
  /** Only every n-th Task completes; the others are progress updates (in-progress, new business status) with no EHR write. */
  completeEvery?: number;
  pageSize?: number;
  pollSchedule?: string;
  subscriptions?: boolean;
  captureTransactions?: boolean;
}

function lwTask(ehrBase: string, i: number, o: EnvOptions): Resource[] {
  if (i % (o.completeEvery ?? 1) !== 0) {
    return [{ ...completedTask(ehrBase, i, `task-${i}`, false), status: 'in-progress', output: undefined, businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'sessions-ongoing' }] } }];
  }
  return o.outcomes === false ? [completedTask(ehrBase, i, `task-${i}`, false)] : [outcome(i), completedTask(ehrBase, i)];
}

export async function startEnv(o: EnvOptions): Promise<BenchEnv> {
  const app = express();
  const server = http.createServer({ keepAliveTimeout: 60_000 }, app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ehrBase = `${base}/ehr/fhir`;
  const lwBase = `${base}/lw/fhir`;
  const completedAt = new Map<string, number>();
  const ehr = await createSandboxFhirServer({
    name: 'ehr', baseUrl: ehrBase, seed: () => ehrResources(o.referrals),
    onChange: (r) => {
      if (r.resourceType === 'ServiceRequest' && (r as ServiceRequest).status === 'completed' && r.id) completedAt.set(r.id, performance.now());
    },
  });
  const lw = await createSandboxFhirServer({
    name: 'lw', baseUrl: lwBase,
    seed: () => Array.from({ length: o.tasks }, (_, i) => lwTask(ehrBase, i, o)).flat(),
  });
  const requests = { ehr: 0, lw: 0 };
  const transactions: string[] = [];
  const capture = express.json({ type: ['application/fhir+json', 'application/json'], limit: '50mb' });
  app.use('/ehr/fhir', (req, res, next) => {
    requests.ehr++;
    if (!o.captureTransactions || req.method !== 'POST' || req.path !== '/') return next();
    capture(req, res, (err?: unknown) => {
      if (err) return next(err);
      transactions.push(JSON.stringify(req.body));
      next();
    });
  }, ehr.router);
  app.use('/lw/fhir', (_req, _res, next) => {
    requests.lw++;
    next();
  }, lw.router);
  const config = configSchema.parse({
    server: { publicUrl: base, sessionSecret: 'b'.repeat(40), cookieMode: 'same-site' },
    tenants: [{ id: 'practice', name: 'Bench practice', ehr: { fhirBase: ehrBase, auth: { type: 'none' } }, smart: { clientId: 'c', issAllowlist: [ehrBase], scopes: 'launch' }, linkWorkerEndpoint: 'lw' }],
    linkWorkerEndpoints: [{ id: 'lw', name: 'Bench links', fhirBase: lwBase, auth: { type: 'none' }, subscriptions: { enabled: o.subscriptions ?? false } }],
    reconcile: { webhookSecret: 'bench-secret', pageSize: o.pageSize ?? 100, maxAttempts: 6, skewSeconds: 5, ...(o.pollSchedule ? { pollSchedule: o.pollSchedule } : {}) },
    admin: { token: 'bench-admin' },
    log: { level: 'silent' },
  });
  return {
    app, base, ehrBase, lwBase, ehr, lw, config, requests, transactions, completedAt,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ehr.close();
      await lw.close();
    },
  };
}
