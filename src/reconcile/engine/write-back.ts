import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, STATUS_REASONS } from '../../referral-model/codes.js';
import { FhirError, FhirHttpError, outcomeText } from '../../fhir/errors.js';
import { isTerminalTaskStatus, isTaskStatus } from '../../referral-model/task-status.js';
import type { BadInput, Topology } from '../rules/index.js';
import type { EndpointRuntime, ValidateFn } from '../runtime.js';
import { transactionOf, unitEntries } from './bundle.js';
import type { WriteUnit } from './unit.js';

export type UnitResult =
  | { readonly kind: 'written'; readonly unit: WriteUnit; readonly ehrWrites: number }
  | { readonly kind: 'bad-input'; readonly unit: WriteUnit; readonly bad: BadInput }
  | { readonly kind: 'transient'; readonly unit: WriteUnit; readonly error: Error };

export interface WriteDeps {
  readonly rt: EndpointRuntime;
  readonly validate: ValidateFn;
  readonly now: () => Date;
  /** Re-plans a unit against a freshly read ServiceRequest and outcome copies (after 412 Precondition Failed). */
  readonly replan: (unit: WriteUnit, fresh: ServiceRequest & { id: string }) => Promise<WriteUnit | { bad: BadInput }>;
  readonly onRequest?: () => void;
  /** Most entries per EHR transaction. */
  readonly maxEntries: number;
  readonly logger?: { debug(obj: object, msg: string): void };
}

const MAX_412_RETRIES = 3;

/** The server refused the content itself (as opposed to a stale version or an outage). */
function isContentError(err: unknown): err is FhirHttpError {
  return err instanceof FhirHttpError && !err.transient && err.status !== 412 && err.status !== 401 && err.status !== 403;
}

function validationBad(unit: WriteUnit, err: unknown): BadInput {
  const outcome = (err as { outcome?: Parameters<typeof outcomeText>[0] }).outcome;
  const text = outcomeText(outcome) ?? (err as Error).message;
  return { kind: 'profile-violation', reason: `Task/${unit.taskId}: a resource to write does not conform to its profile: ${text}` };
}

/**
 * Writes units to one EHR, several per transaction. A transaction either commits whole or not at all, so a
 * refusal never leaves a partial write; on a refusal the chunk is split in halves until the culprit is
 * alone. A lone unit answered 412 is re-read, re-planned and retried.
 */
export async function writeUnits(deps: WriteDeps, units: readonly WriteUnit[]): Promise<UnitResult[]> {
  const results: UnitResult[] = [];
  const ready: { unit: WriteUnit; entries: ReturnType<typeof unitEntries> }[] = [];
  for (const unit of units) {
    try {
      ready.push({ unit, entries: unitEntries(deps.rt.topology, unit, deps.validate, deps.now()) });
    } catch (err) {
      results.push({ kind: 'bad-input', unit, bad: validationBad(unit, err) });
    }
  }
  const empty = ready.filter((r) => r.entries.length === 0);
  for (const r of empty) results.push(await afterEhr(deps, r.unit, 0));
  for (const chunk of pack(ready.filter((r) => r.entries.length > 0), deps.maxEntries)) results.push(...(await writeChunk(deps, chunk, 0)));
  return results;
}

type Ready = { unit: WriteUnit; entries: ReturnType<typeof unitEntries> };

/**
 * Packs units into transactions of at most `maxEntries` entries (servers cap transactions with conditional
 * entries; Medplum at 8), never two units touching one ServiceRequest in the same transaction. A unit larger
 * than the cap travels alone: one Task version is never split across transactions.
 */
function pack(ready: Ready[], maxEntries: number): Ready[][] {
  const chunks: { items: Ready[]; size: number; srs: Set<string> }[] = [];
  for (const r of ready) {
    const slot = chunks.find((c) => c.size + r.entries.length <= maxEntries && !c.srs.has(r.unit.serviceRequest.id));
    if (slot) {
      slot.items.push(r);
      slot.size += r.entries.length;
      slot.srs.add(r.unit.serviceRequest.id);
    } else {
      chunks.push({ items: [r], size: r.entries.length, srs: new Set([r.unit.serviceRequest.id]) });
    }
  }
  return chunks.map((c) => c.items);
}

async function writeChunk(deps: WriteDeps, chunk: Ready[], retries412: number): Promise<UnitResult[]> {
  const tenantId = chunk[0]!.unit.tenantId;
  const client = deps.rt.ehr.get(tenantId)!;
  try {
    deps.onRequest?.();
    // Every entry is conditional (If-Match / If-None-Exist), so re-sending after a lost response is harmless.
    await client.transaction(transactionOf(chunk.flatMap((c) => c.entries)), { retrySafe: true });
  } catch (err) {
    deps.logger?.debug({ units: chunk.length, err: { message: (err as Error).message } }, 'write-back transaction refused');
    if (chunk.length > 1 && (isContentError(err) || (err instanceof FhirHttpError && err.status === 412))) {
      const mid = Math.ceil(chunk.length / 2);
      return [...(await writeChunk(deps, chunk.slice(0, mid), 0)), ...(await writeChunk(deps, chunk.slice(mid), 0))];
    }
    const { unit } = chunk[0]!;
    if (chunk.length === 1 && err instanceof FhirHttpError && err.status === 412) {
      if (retries412 >= MAX_412_RETRIES) {
        return [{ kind: 'bad-input', unit, bad: { kind: 'invalid-service-request', reason: `Task/${unit.taskId}: the EHR kept answering 412 Precondition Failed (${err.message})` } }];
      }
      deps.onRequest?.();
      const fresh = await client.read<ServiceRequest>('ServiceRequest', unit.serviceRequest.id).catch((e: unknown) => e as Error);
      if (fresh instanceof Error) return [{ kind: 'transient', unit, error: fresh }];
      const next = await deps.replan(unit, fresh as ServiceRequest & { id: string }).catch((e: unknown) => e as Error);
      if (next instanceof Error) return [{ kind: 'transient', unit, error: next }];
      if ('bad' in next) return [{ kind: 'bad-input', unit, bad: next.bad }];
      try {
        const entries = unitEntries(deps.rt.topology, next, deps.validate, deps.now());
        if (entries.length === 0) return [await afterEhr(deps, next, 0)];
        return writeChunk(deps, [{ unit: next, entries }], retries412 + 1);
      } catch (e) {
        return [{ kind: 'bad-input', unit: next, bad: validationBad(next, e) }];
      }
    }
    if (chunk.length === 1 && isContentError(err)) {
      return [{ kind: 'bad-input', unit, bad: { kind: 'profile-violation', reason: `Task/${unit.taskId}: the EHR refused the write-back: ${err.message}` } }];
    }
    const error = err instanceof Error ? err : new Error(String(err));
    return chunk.map((c) => ({ kind: 'transient', unit: c.unit, error }) as const);
  }
  return Promise.all(chunk.map((c) => afterEhr(deps, c.unit, c.entries.length)));
}

/** After the EHR write: effects at the link-worker endpoint (cancel the Task when the GP revoked the referral). */
async function afterEhr(deps: WriteDeps, unit: WriteUnit, ehrWrites: number): Promise<UnitResult> {
  for (const e of unit.lwEffects) {
    if (e.kind !== 'cancel-task') continue;
    try {
      await cancelTask(deps, unit.versions[unit.versions.length - 1]!.task, e.reason);
    } catch (err) {
      if (isContentError(err)) return { kind: 'bad-input', unit, bad: { kind: 'profile-violation', reason: `Task/${unit.taskId}: the link-worker endpoint refused the cancellation: ${err.message}` } };
      if (err instanceof FhirError || err instanceof Error) return { kind: 'transient', unit, error: err };
      throw err;
    }
  }
  return { kind: 'written', unit, ehrWrites };
}

const GP_CANCELLED = STATUS_REASONS.find((r) => r.code === 'gp-cancelled')!;

/** Cancels a Task with If-Match; on 412 re-reads it and stops if someone already ended it. */
async function cancelTask(deps: WriteDeps, task: Task, reason: string): Promise<void> {
  let current = task;
  for (let i = 0; i < MAX_412_RETRIES; i++) {
    if (isTaskStatus(current.status) && isTerminalTaskStatus(current.status)) return;
    const next: Task = {
      ...current,
      status: 'cancelled',
      statusReason: { coding: [{ system: CODE_SYSTEM.statusReason, code: GP_CANCELLED.code, display: GP_CANCELLED.display }], text: reason },
      lastModified: deps.now().toISOString(),
    };
    deps.validate(next);
    try {
      deps.onRequest?.();
      await deps.rt.lw.update(next, { ifMatch: current.meta?.versionId });
      return;
    } catch (err) {
      if (!(err instanceof FhirHttpError && err.status === 412)) throw err;
      deps.onRequest?.();
      current = await deps.rt.lw.read<Task>('Task', task.id!);
    }
  }
  throw new Error(`Task/${task.id} changed repeatedly while being cancelled`);
}

export type { Topology };
