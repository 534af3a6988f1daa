import type { Db } from '../store/db.js';
import type { EndpointWorker } from './feed/endpoint-worker.js';
import { runOutbox, type OutboxDeps } from './outbox/index.js';
import { requeue, getRow } from './outbox/store.js';
import { claimDeadLetters, finishReplay, outboxRowOf, type DeadLetter } from './store/dead-letters.js';
import { parseReferenceOf } from '../referral-model/references.js';

export interface ReplayDeps {
  readonly db: Db;
  readonly workers: ReadonlyMap<string, EndpointWorker>;
  readonly outbox: OutboxDeps;
}

export interface ReplayResult {
  readonly id: number;
  readonly sourceRef: string;
  readonly resolved: boolean;
  readonly note: string;
}


/**
 * Replays one dead letter: a Task version is re-fetched (its current version) and reconciled again,
 * bypassing de-duplication; an outbox row is delivered again. Claimed with SKIP LOCKED, so two operators
 * or instances never replay the same item at once. Undefined when it is not open or is being replayed.
 */
export async function replayDeadLetter(deps: ReplayDeps, id: number): Promise<ReplayResult | undefined> {
  const [dead] = await claimDeadLetters(deps.db, { id });
  return dead ? replayClaimed(deps, dead) : undefined;
}

/** Replays every open dead letter (optionally of one endpoint), oldest first. */
export async function replayAll(deps: ReplayDeps, o: { endpointId?: string; onResult?: (r: ReplayResult) => void } = {}): Promise<ReplayResult[]> {
  const out: ReplayResult[] = [];
  const tried = new Set<number>();
  for (;;) {
    const batch = (await claimDeadLetters(deps.db, { endpointId: o.endpointId, limit: 20 })).filter((d) => !tried.has(d.id));
    if (batch.length === 0) break;
    for (const d of batch) {
      tried.add(d.id);
      const r = await replayClaimed(deps, d);
      out.push(r);
      o.onResult?.(r);
    }
  }
  return out;
}

async function replayClaimed(deps: ReplayDeps, dead: DeadLetter): Promise<ReplayResult> {
  let resolved = false;
  let note: string;
  try {
    ({ resolved, note } = dead.kind === 'task-version' ? await replayTask(deps, dead) : await replayOutbox(deps, dead));
  } catch (err) {
    note = `replay failed: ${(err as Error).message}`;
  }
  await finishReplay(deps.db, dead.id, { resolved, note });
  return { id: dead.id, sourceRef: dead.sourceRef, resolved, note };
}

async function replayTask(deps: ReplayDeps, dead: DeadLetter): Promise<{ resolved: boolean; note: string }> {
  const m = parseReferenceOf(dead.sourceRef, 'Task');
  if (!m?.version) return { resolved: false, note: `cannot replay ${dead.sourceRef}: no Task id and version` };
  const worker = deps.workers.get(dead.endpointId);
  if (!worker) return { resolved: false, note: `endpoint ${dead.endpointId} is not configured` };
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await worker.replay([m.id]);
    if (r.status === 'busy') {
      await new Promise((res) => setTimeout(res, 500));
      continue;
    }
    if (r.processed === 0) return { resolved: false, note: `Task/${m.id} no longer exists at the endpoint` };
    if (r.status === 'caught-up' && r.deadLettered === 0 && r.failed === 0) return { resolved: true, note: `replayed: current version of Task/${m.id} applied` };
    return { resolved: false, note: r.error ?? 'the replay was dead-lettered again; see the reason' };
  }
  return { resolved: false, note: `endpoint ${dead.endpointId} stayed busy (another instance holds its lease); try again` };
}

async function replayOutbox(deps: ReplayDeps, dead: DeadLetter): Promise<{ resolved: boolean; note: string }> {
  const id = outboxRowOf(dead.sourceRef);
  if (id === undefined) return { resolved: false, note: `cannot replay ${dead.sourceRef}` };
  await requeue(deps.db, id);
  await runOutbox(deps.outbox, { ids: [id] });
  const row = await getRow(deps.db, id);
  return row?.state === 'delivered'
    ? { resolved: true, note: `replayed: Task delivered (${row.deliveredTaskUrl ?? 'no location'})` }
    : { resolved: false, note: `still ${row?.state ?? 'missing'}: ${row?.lastError ?? ''}` };
}
