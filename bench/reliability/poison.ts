/**
 * Poison: Tasks wrong in the ways real systems get them wrong, mixed into a backlog of good ones. A poison
 * Task must end as a dead letter with its cause (or, for an unusable outcome score, as a line in Provenance
 * while the referral's status still reaches the GP), never slow the good Tasks much, and replay with one
 * command once its cause is fixed.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Observation, Patient, Provenance, ServiceRequest, Task } from '@medplum/fhirtypes';
import { stringify as stringifyYaml } from 'yaml';
import { WEBHOOK_SECRET_HEADER } from '../../src/fhir/subscription-channel.js';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../src/referral-model/codes.js';
import { listDeadLetters } from '../../src/reconcile/store/dead-letters.js';
import { all, create, ENDPOINT, fhir, NHS, plainReferral, taskFor, WEBHOOK_SECRET, type Harness } from '../../test/integration/reconcile/harness.js';

const out = (code: string) => ({ coding: [{ system: CODE_SYSTEM.taskOutputType, code }] });

export const POISON_KINDS = ['dangling-reference', 'unknown-patient', 'out-of-range-score', 'malformed-notification'] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

interface Poison {
  kind: PoisonKind;
  taskId?: string;
  /** The fix an operator or a sending system makes. */
  fix?: () => Promise<void>;
  /** Where the cause must show: the dead letter's error code, or (not carried) the Provenance note. */
  expect: string;
  srId?: string;
}

async function completed(h: Harness, sr: { id: string }, score: number, over: Partial<Task> = {}): Promise<Task & { id: string }> {
  const o = await create<Observation>(h.lwBase, {
    resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
    effectiveDateTime: '2026-03-01', valueInteger: score,
  });
  return create<Task>(h.lwBase, taskFor(h, sr, 0, {
    status: 'completed', output: [{ type: out('outcome-measure'), valueReference: { reference: `Observation/${o.id}` } }, { type: out('summary'), valueString: 'Joined a walking group' }],
    ...over,
  }));
}

async function good(h: Harness, i: number): Promise<string> {
  const sr = await plainReferral(h);
  await completed(h, sr, 7 + (i % 29));
  return sr.id;
}

async function poison(h: Harness, kind: PoisonKind, i: number): Promise<Poison> {
  switch (kind) {
    case 'dangling-reference': {
      // The Task names a referral the EHR does not have (yet): replicated late, or a typo in the sender.
      const id = `late-referral-${i}`;
      const t = await completed(h, { id }, 20);
      return {
        kind, taskId: t.id, expect: 'focus-not-found',
        fix: async () => {
          const res = await fhir(`${h.ehrBase}/ServiceRequest/${id}`, 'PUT', {
            resourceType: 'ServiceRequest', id, status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/gp1' }, code: { text: 'Social prescribing' },
          } satisfies ServiceRequest);
          if (res.status >= 300) throw new Error(`could not create ServiceRequest/${id}: ${res.status}`);
        },
      };
    }
    case 'unknown-patient': {
      // The referral's patient is not in the EHR (merged or not yet registered at this practice).
      const ghost = `ghost-${i}`;
      const sr = await create<ServiceRequest>(h.ehrBase, {
        resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${ghost}` }, requester: { reference: 'Practitioner/gp1' }, code: { text: 'Social prescribing' },
      });
      const t = await completed(h, sr, 21, { for: { identifier: { system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS[1]! } } });
      return {
        kind, taskId: t.id, srId: sr.id, expect: 'patient-unresolvable',
        fix: async () => {
          const res = await fhir(`${h.ehrBase}/Patient/${ghost}`, 'PUT', { resourceType: 'Patient', id: ghost, identifier: [{ system: IDENTIFIER_SYSTEM.nhsNumber, value: NHS[1]! }] } satisfies Patient);
          if (res.status >= 300) throw new Error(`could not create Patient/${ghost}: ${res.status}`);
        },
      };
    }
    case 'out-of-range-score': {
      // SWEMWBS totals run 7–35: 99 is a data-entry error. Recorded as not carried; the status still reaches the GP.
      const sr = await plainReferral(h);
      const t = await completed(h, sr, 99);
      return { kind, taskId: t.id, srId: sr.id, expect: 'outside 7–35' };
    }
    case 'malformed-notification': {
      const res = await fetch(`${h.base}/reconcile/webhook/${ENDPOINT}`, {
        method: 'POST', headers: { 'content-type': 'application/fhir+json', [WEBHOOK_SECRET_HEADER]: WEBHOOK_SECRET }, body: '{"resourceType":"Task","id":',
      });
      await res.body?.cancel();
      return { kind, expect: String(res.status) };
    }
    default:
      return kind satisfies never;
  }
}

export interface PoisonFigures {
  good: number;
  poison: number;
  /** Good Tasks per second with poison ÷ without (same backlog size, same run). */
  throughputRatio: number;
  goodLost: number;
  /** Poison that did not end where its cause is visible (dead letter with cause, or Provenance note, or a 400). */
  unaccounted: number;
  deadLettered: number;
  /** Dead letters left open after the fix and one `sp-link dead-letters replay --all`. */
  openAfterReplay: number;
  replayExitCode: number;
}

/** Drains `good` good Tasks (plus poison at `rate`) in one change-feed run; seconds for the run. */
async function backlog(h: Harness, goodCount: number, rate: number, poisons: Poison[]): Promise<{ seconds: number; srIds: string[] }> {
  const srIds: string[] = [];
  const every = rate > 0 ? Math.max(1, Math.round(1 / rate)) : Infinity;
  for (let i = 0; i < goodCount; i++) {
    srIds.push(await good(h, i));
    if ((i + 1) % every === 0) poisons.push(await poison(h, POISON_KINDS[poisons.length % POISON_KINDS.length]!, i));
  }
  // Runs until caught up, as the schedule would (a slow EHR may time a run out part-way); all of them are timed.
  const t0 = performance.now();
  for (let run = 1; ; run++) {
    const r = (await h.reconciler.runOnce()).endpoints[ENDPOINT];
    if (r?.status === 'caught-up') break;
    if (run >= 20) throw new Error(`backlog not drained after ${run} runs: ${JSON.stringify(r)}`);
  }
  return { seconds: (performance.now() - t0) / 1000, srIds };
}

/** The replay command as an operator runs it, against the admin API of the instance in `h`. */
async function replayCommand(h: Harness): Promise<number> {
  const file = path.join(os.tmpdir(), `sp-link-reliability-${process.pid}.yaml`);
  await writeFile(file, stringifyYaml(JSON.parse(JSON.stringify(h.config))));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/sp-link.js', 'dead-letters', 'replay', '--all', '--config', file], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * `baseline` and `mixed` are two harnesses alike; the same number of good Tasks is drained in each, with
 * 1 poison per 100 good ones (and at least one of each kind) in `mixed`.
 */
export async function measurePoison(baseline: Harness, mixed: Harness, goodCount: number): Promise<PoisonFigures> {
  const base = await backlog(baseline, goodCount, 0, []);
  const poisons: Poison[] = [];
  const rate = Math.max(0.01, POISON_KINDS.length / goodCount);
  const run = await backlog(mixed, goodCount, rate, poisons);
  const statuses = new Map((await all<ServiceRequest>(mixed.ehrBase, 'ServiceRequest')).map((s) => [s.id!, s.status]));
  const goodLost = run.srIds.filter((id) => statuses.get(id) !== 'completed').length;

  const dead = await listDeadLetters(mixed.db, { limit: 1000 });
  const provenance = await all<Provenance>(mixed.ehrBase, 'Provenance');
  let unaccounted = 0;
  for (const p of poisons) {
    switch (p.kind) {
      case 'dangling-reference':
      case 'unknown-patient': {
        const d = dead.find((x) => x.sourceRef.startsWith(`Task/${p.taskId}/`));
        if (!d || !d.errorCode.endsWith(p.expect) || !d.reason.includes(`Task/${p.taskId}`)) unaccounted++;
        break;
      }
      case 'out-of-range-score': {
        const noted = provenance.some((x) => (x.entity ?? []).some((e) => e.what?.display?.includes(p.expect)) && (x.target ?? []).some((t) => t.reference === `ServiceRequest/${p.srId}`));
        if (!noted || statuses.get(p.srId!) !== 'completed') unaccounted++;
        break;
      }
      case 'malformed-notification':
        if (p.expect !== '400') unaccounted++;
        break;
      default:
        p.kind satisfies never;
    }
  }
  for (const p of poisons) await p.fix?.();
  const replayExitCode = await replayCommand(mixed);
  const openAfterReplay = (await listDeadLetters(mixed.db)).length;
  return {
    good: goodCount, poison: poisons.length,
    throughputRatio: (goodCount / run.seconds) / (goodCount / base.seconds),
    goodLost, unaccounted, deadLettered: dead.length, openAfterReplay, replayExitCode,
  };
}
