/**
 * Poison: Tasks wrong in the ways real systems get them wrong, mixed into a backlog of good ones. A poison
 * Task must end as a dead letter with its cause (or, for an unusable outcome score, as a line in Provenance
 * while the referral's status still reaches the GP), never slow the good Tasks much, and replay with one
 * command once its cause is fixed.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bundle, Observation, Patient, Provenance, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
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

const outcomeMeasure = (score: number): Observation => ({
  resourceType: 'Observation', status: 'final', code: { coding: [{ system: CODE_SYSTEM.outcomeInstrument, code: 'swemwbs' }] },
  effectiveDateTime: '2026-03-01', valueInteger: score,
});

const completedTask = (h: Harness, sr: { id: string }, observation: string, over: Partial<Task> = {}): Task => taskFor(h, sr, 0, {
  status: 'completed', output: [{ type: out('outcome-measure'), valueReference: { reference: observation } }, { type: out('summary'), valueString: 'Joined a walking group' }],
  ...over,
});

async function completed(h: Harness, sr: { id: string }, score: number, over: Partial<Task> = {}): Promise<Task & { id: string }> {
  const o = await create<Observation>(h.lwBase, outcomeMeasure(score));
  return create<Task>(h.lwBase, completedTask(h, sr, `Observation/${o.id}`, over));
}

/** A transaction Bundle of POST entries; the ids the server gave them, in order. */
async function transaction(base: string, entries: { resource: Resource; fullUrl?: string }[]): Promise<string[]> {
  const res = await fhir<Bundle>(base, 'POST', {
    resourceType: 'Bundle', type: 'transaction',
    entry: entries.map((e) => ({ ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}), resource: e.resource, request: { method: 'POST', url: e.resource.resourceType } })),
  } satisfies Bundle);
  if (res.status !== 200) throw new Error(`transaction failed: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  // Locations are absolute and versioned: …/ServiceRequest/<id>/_history/<version>.
  return (res.body.entry ?? []).map((e) => /([^/]+)\/_history\/[^/]+$/.exec(e.response?.location ?? '')?.[1] ?? '');
}

/**
 * `n` good referrals, each completed at the endpoint with an outcome measure and a summary: the referrals in one
 * EHR transaction, the Observations and Tasks in one link-worker transaction (a backlog as a busy service leaves it).
 */
async function goods(h: Harness, n: number, offset: number): Promise<string[]> {
  const srIds = await transaction(h.ehrBase, Array.from({ length: n }, () => ({
    resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, requester: { reference: 'Practitioner/gp1' }, code: { text: 'Social prescribing' } } satisfies ServiceRequest,
  })));
  const entries = srIds.flatMap((id, k) => {
    const obs = `urn:uuid:${randomUUID()}`;
    return [
      { fullUrl: obs, resource: outcomeMeasure(7 + ((offset + k) % 29)) },
      { resource: completedTask(h, { id }, obs) },
    ];
  });
  await transaction(h.lwBase, entries);
  return srIds;
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
  /**
   * Good Tasks per second with poison ÷ without: the median over the rounds of each round's pair of drains (the
   * same backlog size, one after the other), so a busy moment of the machine spoils one round, not the figure.
   */
  throughputRatio: number;
  /** The same per CPU second of this process (the work poison adds, whatever else the machine is doing). */
  cpuRatio: number;
  /** Each round's wall-time ratio, in order (their spread shows how busy the machine was). */
  roundRatios: number[];
  roundCpuRatios: number[];
  goodLost: number;
  /** Poison that did not end where its cause is visible (dead letter with cause, or Provenance note, or a 400). */
  unaccounted: number;
  deadLettered: number;
  /** Dead letters left open after the fix and one `sp-link dead-letters replay --all`. */
  openAfterReplay: number;
  replayExitCode: number;
}

/**
 * Runs change-feed runs until caught up, as the schedule would (a slow EHR may time a run out part-way). Wall
 * seconds for all, and this process's CPU seconds (reconciler and sandbox servers; the other harness is idle).
 */
async function drain(h: Harness): Promise<{ seconds: number; cpuSeconds: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let run = 1; ; run++) {
    const r = (await h.reconciler.runOnce()).endpoints[ENDPOINT];
    if (r?.status === 'caught-up') break;
    if (run >= 20) throw new Error(`backlog not drained after ${run} runs: ${JSON.stringify(r)}`);
  }
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
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

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * `baseline` and `mixed` are two harnesses alike. The same backlog of good Tasks is drained in each, in rounds
 * that alternate which harness goes first (so a busy moment of the machine falls on both alike), with one poison
 * per 100 good Tasks (at least one of each kind) in `mixed`, spread so every round carries its share (one round per
 * poison unless `rounds` says otherwise). Only the drains are timed; each round gives a ratio (the baseline's drain
 * time over the mixed one's, in wall and in CPU time) and the figures are their medians. Both first drain a few
 * good Tasks untimed (code loaded, connections open).
 */
export async function measurePoison(baseline: Harness, mixed: Harness, goodCount: number, rounds?: number): Promise<PoisonFigures> {
  for (const h of [baseline, mixed]) {
    await goods(h, 5, 0);
    await drain(h);
  }
  const poisonCount = Math.max(POISON_KINDS.length, Math.round(goodCount / 100));
  rounds ??= poisonCount;
  const poisons: Poison[] = [];
  const srIds: string[] = [];
  const roundRatios: number[] = [];
  const roundCpuRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const size = Math.floor(goodCount / rounds) + (round < goodCount % rounds ? 1 : 0);
    const offset = srIds.length;
    const mine = Math.floor(poisonCount / rounds) + (round < poisonCount % rounds ? 1 : 0);
    const order = round % 2 === 0 ? [baseline, mixed] : [mixed, baseline];
    let base = { seconds: 0, cpuSeconds: 0 };
    let mix = base;
    for (const h of order) {
      if (h === baseline) {
        await goods(h, size, offset);
        base = await drain(h);
        continue;
      }
      srIds.push(...(await goods(h, size, offset)));
      for (let k = 0; k < mine; k++) poisons.push(await poison(h, POISON_KINDS[poisons.length % POISON_KINDS.length]!, poisons.length));
      mix = await drain(h);
    }
    roundRatios.push(base.seconds / mix.seconds);
    roundCpuRatios.push(base.cpuSeconds / mix.cpuSeconds);
  }
  const statuses = new Map((await all<ServiceRequest>(mixed.ehrBase, 'ServiceRequest')).map((s) => [s.id!, s.status]));
  const goodLost = srIds.filter((id) => statuses.get(id) !== 'completed').length;

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
    throughputRatio: median(roundRatios), cpuRatio: median(roundCpuRatios), roundRatios, roundCpuRatios,
    goodLost, unaccounted, deadLettered: dead.length, openAfterReplay, replayExitCode,
  };
}
