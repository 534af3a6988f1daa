import type { Db } from '../../store/db.js';

export type DeadLetterKind = 'task-version' | 'outbox';
export type DeadLetterStatus = 'open' | 'resolved';

export interface DeadLetter {
  id: number;
  kind: DeadLetterKind;
  endpointId: string;
  tenantId: string | undefined;
  /** What failed, e.g. `Task/abc/_history/3` at the endpoint, or `outbox/12`. */
  sourceRef: string;
  /** ERR_RECONCILE_BAD_INPUT:<kind>, or the FHIR error code of the last transient failure. */
  errorCode: string;
  reason: string;
  attempts: number;
  firstSeen: string;
  lastSeen: string;
  status: DeadLetterStatus;
  resolvedAt: string | undefined;
  resolution: string | undefined;
  payload?: unknown;
}

/** The source of an outbox dead letter (and of the outbox row's audit events): `outbox/<row id>`. */
export const outboxSourceRef = (rowId: number): string => `outbox/${rowId}`;

/** The outbox row an outbox dead letter's source names; undefined for any other source. */
export function outboxRowOf(sourceRef: string): number | undefined {
  const m = /^outbox\/(\d+)$/.exec(sourceRef);
  return m ? Number(m[1]) : undefined;
}

export interface NewDeadLetter {
  kind: DeadLetterKind;
  endpointId: string;
  tenantId?: string;
  sourceRef: string;
  errorCode: string;
  reason: string;
  attempts: number;
  firstSeen?: string;
  payload?: unknown;
}

/** The payload is kept for replay and diagnosis; very large ones are replaced by a marker. */
const MAX_PAYLOAD_CHARS = 512 * 1024;

function row(r: Record<string, unknown>, withPayload: boolean): DeadLetter {
  const iso = (v: unknown) => (v == null ? undefined : new Date(v as string).toISOString());
  return {
    id: Number(r.id),
    kind: r.kind as DeadLetterKind,
    endpointId: r.endpoint_id as string,
    tenantId: (r.tenant_id as string | null) ?? undefined,
    sourceRef: r.source_ref as string,
    errorCode: r.error_code as string,
    reason: r.reason as string,
    attempts: Number(r.attempts),
    firstSeen: iso(r.first_seen)!,
    lastSeen: iso(r.last_seen)!,
    status: r.status as DeadLetterStatus,
    resolvedAt: iso(r.resolved_at),
    resolution: (r.resolution as string | null) ?? undefined,
    ...(withPayload ? { payload: r.payload ?? undefined } : {}),
  };
}

/** Parks an item: a new open dead letter, or the existing open one for the same source updated. */
export async function upsertDeadLetter(db: Db, d: NewDeadLetter): Promise<number> {
  const text = d.payload === undefined ? null : JSON.stringify(d.payload);
  const payload = text && text.length > MAX_PAYLOAD_CHARS ? JSON.stringify({ omitted: `payload of ${text.length} characters` }) : text;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO reconcile_dead_letters AS d (kind, endpoint_id, tenant_id, source_ref, error_code, reason, attempts, first_seen, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8::timestamptz, now()), $9::jsonb)
     ON CONFLICT (kind, source_ref) WHERE status <> 'resolved' DO UPDATE SET
       error_code = EXCLUDED.error_code, reason = EXCLUDED.reason, attempts = d.attempts + EXCLUDED.attempts,
       last_seen = now(), payload = COALESCE(EXCLUDED.payload, d.payload)
     RETURNING id`,
    [d.kind, d.endpointId, d.tenantId ?? null, d.sourceRef, d.errorCode, d.reason.slice(0, 4000), d.attempts, d.firstSeen ?? null, payload],
  );
  return Number(rows[0]!.id);
}

export interface ListOptions {
  status?: DeadLetterStatus | 'all';
  endpointId?: string;
  limit?: number;
  afterId?: number;
}

export async function listDeadLetters(db: Db, o: ListOptions = {}): Promise<DeadLetter[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, kind, endpoint_id, tenant_id, source_ref, error_code, reason, attempts, first_seen, last_seen, status, resolved_at, resolution
     FROM reconcile_dead_letters
     WHERE ($1::text = 'all' OR status = $1) AND ($2::text IS NULL OR endpoint_id = $2) AND id > $3
     ORDER BY id LIMIT $4`,
    [o.status ?? 'open', o.endpointId ?? null, o.afterId ?? 0, Math.min(o.limit ?? 100, 1000)],
  );
  return rows.map((r) => row(r, false));
}

export async function getDeadLetter(db: Db, id: number): Promise<DeadLetter | undefined> {
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM reconcile_dead_letters WHERE id = $1', [id]);
  return rows[0] ? row(rows[0], true) : undefined;
}

export async function countOpenDeadLetters(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ endpoint_id: string; n: number }>(
    `SELECT endpoint_id, count(*)::int AS n FROM reconcile_dead_letters WHERE status = 'open' GROUP BY endpoint_id`,
  );
  return new Map(rows.map((r) => [r.endpoint_id, Number(r.n)]));
}

/**
 * Claims open dead letters for replay, `FOR UPDATE SKIP LOCKED`, so instances replaying at once take
 * different rows. A claim lasts `ttlMs`; a replay that crashed is claimable again after it.
 */
export async function claimDeadLetters(db: Db, select: { id?: number; endpointId?: string; limit?: number }, ttlMs = 120_000): Promise<DeadLetter[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `UPDATE reconcile_dead_letters SET claimed_until = now() + make_interval(secs => $4::double precision / 1000)
     WHERE id IN (
       SELECT id FROM reconcile_dead_letters
       WHERE status = 'open' AND (claimed_until IS NULL OR claimed_until < now())
         AND ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR endpoint_id = $2)
       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [select.id ?? null, select.endpointId ?? null, select.limit ?? 1, ttlMs],
  );
  return rows.map((r) => row(r, true)).sort((a, b) => a.id - b.id);
}

/** Ends a replay: resolved (the item went through), or released (the pipeline already recorded the new reason). */
export async function finishReplay(db: Db, id: number, outcome: { resolved: boolean; note: string }): Promise<void> {
  await db.query(
    outcome.resolved
      ? `UPDATE reconcile_dead_letters SET status = 'resolved', resolved_at = now(), resolution = $2, claimed_until = NULL WHERE id = $1`
      : `UPDATE reconcile_dead_letters SET last_seen = now(), claimed_until = NULL WHERE id = $1 AND $2::text IS NOT NULL`,
    [id, outcome.note.slice(0, 4000)],
  );
}

/** Marks an open dead letter resolved without replay (the item was handled some other way). */
export async function resolveDeadLetter(db: Db, kind: DeadLetterKind, sourceRef: string, note: string): Promise<void> {
  await db.query(
    `UPDATE reconcile_dead_letters SET status = 'resolved', resolved_at = now(), resolution = $3, claimed_until = NULL
     WHERE kind = $1 AND source_ref = $2 AND status = 'open'`,
    [kind, sourceRef, note],
  );
}
