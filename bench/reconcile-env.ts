/**
 * The reconcile benchmark's world: the reconcile test harness (test/integration/reconcile/harness.ts: the sandbox EHR
 * and link-worker FHIR servers over HTTP on loopback, and the config pointing at them) with a backlog bulk-loaded into
 * their stores (src/fhir-store/bulk-load.ts), so a backlog of 100k changed Tasks is there in the time of one set-based
 * load, not 200k HTTP writes.
 */
import express from 'express';
import type { Observation, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { bulkLoad, type LoadItem } from '../src/fhir-store/bulk-load.js';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../src/referral-model/codes.js';
import { openDb, type Db } from '../src/store/db.js';
import { NHS, startHarness, type Harness } from '../test/integration/reconcile/harness.js';

/** `n` active referrals (fixed ids, so two EHRs seeded alike accept the same If-Match writes) for the harness's Patient/p1. */
function* referrals(n: number): Generator<LoadItem> {
  for (let i = 0; i < n; i++) {
    yield { resourceType: 'ServiceRequest', id: `sr-${i}`, status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/gp1' } } as ServiceRequest & { id: string };
  }
}

const outType = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

/**
 * A completed Task for referral `i` with a summary (3 EHR writes when reconciled: status, message back,
 * Provenance); with `withOutcome`, also one outcome measure (4 writes).
 */
export function completedTask(ehrBase: string, i: number, id = `task-${i}`, withOutcome = true): Task & { id: string } {
  return {
    resourceType: 'Task', id, status: 'completed', intent: 'order',
    focus: { reference: `${ehrBase}/ServiceRequest/sr-${i}` },
    for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS[0]! } },
    output: [
      ...(withOutcome ? [{ type: outType('outcome-measure'), valueReference: { reference: `Observation/obs-${i}` } }] : []),
      { type: outType('summary'), valueString: `Connected to a walking group (${i})` },
    ],
  };
}

function outcome(i: number): Observation & { id: string } {
  return {
    resourceType: 'Observation', id: `obs-${i}`, status: 'final', effectiveDateTime: '2026-03-01',
    code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] }, valueInteger: 7 + (i % 29),
  };
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
  /** Keep the transaction Bundles the EHR receives (to replay them with a minimal client). */
  captureTransactions?: boolean;
  /** The in-process reconciler's store (default: the FHIR stores' database). */
  db?: Db;
}

/** Task `i` of the backlog (and its outcome measure), stamped in order `i` ms apart, the newest a moment ago. */
function* backlog(ehrBase: string, o: EnvOptions): Generator<LoadItem> {
  const start = Date.now() - o.tasks - 1000;
  for (let i = 0; i < o.tasks; i++) {
    const meta = { lastUpdated: new Date(start + i).toISOString() };
    if (i % (o.completeEvery ?? 1) !== 0) {
      const { output: _none, ...task } = completedTask(ehrBase, i, `task-${i}`, false);
      yield { ...task, meta, status: 'in-progress', businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'sessions-ongoing' }] } };
    } else if (o.outcomes === false) {
      yield { ...completedTask(ehrBase, i, `task-${i}`, false), meta };
    } else {
      yield { ...outcome(i), meta };
      yield { ...completedTask(ehrBase, i), meta };
    }
  }
}

export interface BenchEnv {
  readonly h: Harness;
  readonly ehrBase: string;
  readonly lwBase: string;
  /** Transaction bodies the EHR received, in order (with `captureTransactions`). */
  readonly transactions: string[];
  /** When each ServiceRequest became completed (ms, performance.now()). */
  readonly completedAt: Map<string, number>;
  close(): Promise<void>;
}

/** The harness with `o.referrals` referrals in its EHR and `o.tasks` changed Tasks at its link-worker endpoint. */
export async function startEnv(o: EnvOptions): Promise<BenchEnv> {
  const fhirDb = await openDb({ memory: true });
  const completedAt = new Map<string, number>();
  const transactions: string[] = [];
  const capture = express.json({ type: ['application/fhir+json', 'application/json'], limit: '50mb' });
  let h: Harness;
  try {
    h = await startHarness({
      // One in-memory PGlite for both FHIR stores and, unless given another, the reconciler's tables.
      fhirDb, db: o.db ?? fhirDb, subscriptions: o.subscriptions ?? false,
      // The reconciler's own retry budget, as deployed (the harness's is short, for fault tests).
      ctx: { tuning: {} },
      reconcile: { pageSize: o.pageSize ?? 100, maxAttempts: 6, ...(o.pollSchedule ? { pollSchedule: o.pollSchedule } : {}) },
      onEhrChange: (r: Resource) => {
        if (r.resourceType === 'ServiceRequest' && r.status === 'completed' && r.id) completedAt.set(r.id, performance.now());
      },
      before: {
        ehr: (req, res, next) => {
          if (!o.captureTransactions || req.method !== 'POST' || req.path !== '/') return next();
          capture(req, res, (err?: unknown) => {
            if (err) return next(err);
            transactions.push(JSON.stringify(req.body));
            next();
          });
        },
      },
    });
  } catch (err) {
    await fhirDb.close();
    throw err;
  }
  try {
    await bulkLoad(fhirDb, 'ehr', referrals(o.referrals), { baseUrl: h.ehrBase });
    await bulkLoad(fhirDb, 'lw', backlog(h.ehrBase, o), { baseUrl: h.lwBase });
  } catch (err) {
    await h.close();
    await fhirDb.close();
    throw err;
  }
  return {
    h, ehrBase: h.ehrBase, lwBase: h.lwBase, transactions, completedAt,
    async close() {
      await h.close();
      await fhirDb.close();
    },
  };
}
