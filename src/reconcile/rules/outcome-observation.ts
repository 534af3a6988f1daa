import type { Observation } from '@medplum/fhirtypes';
import { CANONICAL_BASE, CODE_SYSTEM, IDENTIFIER_SYSTEM, scoreRange, writeBackIdentifierValue } from '../../referral-model/codes.js';
import { instrumentIn, itemTexts, outcomeObservation, type OutcomeStatus } from '../../referral-model/outcome-observation.js';
import { linkWorkerUrl } from './references.js';
import type { BadInput, ParsedTask, ResolvedRef, Topology } from './types.js';

/** What can be copied as a score. entered-in-error is not a score: outcome-copy.ts retracts the copy instead. */
const ALLOWED_STATUS: ReadonlySet<string> = new Set<OutcomeStatus>(['final', 'amended', 'corrected', 'preliminary']);
/** Notes travel with the copy (a correction's reason); capped like other free text copied to the GP record. */
const MAX_NOTES = 20;
const MAX_NOTE_CHARS = 10_000;

export interface OutcomeContext {
  readonly topology: Topology;
  readonly task: ParsedTask;
  readonly patientId: string;
  readonly serviceRequestId: string;
}

export type OutcomeResult =
  | { readonly ok: true; readonly identifier: string; readonly resource: Observation }
  | { readonly ok: false; readonly bad: BadInput };

/** SP Link's own extensions on the source (e.g. the outcome time point) travel with the copy; others do not. */
function ownExtensions(source: Observation): Observation['extension'] {
  const mine = (source.extension ?? []).filter((e) => e.url.startsWith(`${CANONICAL_BASE}/`));
  return mine.length ? mine : undefined;
}

/** The source's notes as plain text (author as a display: the link worker's reference means nothing in the EHR). */
export function copyNotes(source: Observation): Observation['note'] | { bad: string } {
  const notes = source.note ?? [];
  if (notes.length > MAX_NOTES) return { bad: `has more than ${MAX_NOTES} notes` };
  const out: NonNullable<Observation['note']> = [];
  for (const n of notes) {
    if (typeof n.text !== 'string' || n.text.trim() === '') continue;
    if (n.text.length > MAX_NOTE_CHARS) return { bad: `a note exceeds ${MAX_NOTE_CHARS} characters` };
    const author = n.authorString ?? n.authorReference?.display;
    out.push({ ...(author ? { authorString: author } : {}), ...(n.time ? { time: n.time } : {}), text: n.text });
  }
  return out.length ? out : undefined;
}

/** Deterministic identifier of the EHR copy: same source Observation → same identifier, whatever Task version carried it. */
export function outcomeIdentifier(t: Topology, task: ParsedTask, ref: ResolvedRef): string {
  return ref.kind === 'contained'
    ? writeBackIdentifierValue([t.endpointId, 'Task', task.id, 'contained', ref.id])
    : writeBackIdentifierValue([t.endpointId, ref.resourceType, ref.id]);
}

/**
 * Copies one outcome-measure Observation from the link-worker endpoint into the EHR: checked against the
 * instrument's score ranges, re-pointed at the EHR patient and referral, with a pointer back to its source.
 */
export function mapOutcome(source: Observation, ref: ResolvedRef, ctx: OutcomeContext): OutcomeResult {
  const where = `Task/${ctx.task.id} outcome ${ref.kind === 'contained' ? `#${ref.id}` : `${ref.resourceType}/${ref.id}`}`;
  const bad = (kind: BadInput['kind'], reason: string): OutcomeResult => ({ ok: false, bad: { kind, reason: `${where}: ${reason}` } });
  if (source.resourceType !== 'Observation') return bad('invalid-output', 'is not an Observation');
  const inst = instrumentIn(source.code?.coding ?? []);
  if (!inst) return bad('unknown-instrument', `instrument ${(source.code?.coding ?? []).map((c) => c.code ?? '?').join(', ') || 'none'} is not a known outcome instrument`);
  const status = source.status ?? 'final';
  if (!ALLOWED_STATUS.has(status)) return bad('invalid-output', `status ${status} cannot be recorded`);

  // Scores are checked here, so an out-of-range or unknown one becomes a dead letter with its reason, never a write.
  const scores: Record<string, number> = {};
  if (inst.total) {
    const v = source.valueInteger ?? source.valueQuantity?.value;
    if (typeof v !== 'number') return bad('invalid-output', `${inst.code} needs a total score (valueInteger)`);
    if (!Number.isInteger(v) || v < inst.total.min || v > inst.total.max) {
      return bad('score-out-of-range', `${inst.code} total ${v} is outside ${inst.total.min}–${inst.total.max}`);
    }
    scores.total = v;
  } else {
    const items = source.component ?? [];
    if (items.length === 0) return bad('invalid-output', `${inst.code} needs item scores (component)`);
    for (const c of items) {
      const code = c.code?.coding?.find((x) => x.system === CODE_SYSTEM.outcomeInstrument)?.code;
      const range = code ? scoreRange(inst.code, code) : undefined;
      if (!code || !range) return bad('unknown-instrument', `item ${code ?? '(uncoded)'} is not part of ${inst.code}`);
      const v = c.valueInteger ?? c.valueQuantity?.value;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range.min || v > range.max) {
        return bad('score-out-of-range', `${code} score ${String(v)} is outside ${range.min}–${range.max}`);
      }
      scores[code] = v;
    }
  }

  const note = copyNotes(source);
  if (note && 'bad' in note) return bad('oversized', note.bad);

  const t = ctx.topology;
  const identifier = outcomeIdentifier(t, ctx.task, ref);
  const sourceUrl = ref.kind === 'contained'
    ? `${linkWorkerUrl(t, 'Task', ctx.task.id, ctx.task.version)}#${ref.id}`
    : linkWorkerUrl(t, ref.resourceType, ref.id, source.meta?.versionId);
  const resource = outcomeObservation({
    instrument: inst,
    scores,
    itemTexts: itemTexts(source),
    status: status as OutcomeStatus,
    identifier: { system: IDENTIFIER_SYSTEM.outcomeObservation, value: identifier },
    source: sourceUrl,
    text: source.code?.text,
    extension: ownExtensions(source),
    subject: { reference: `Patient/${ctx.patientId}` },
    basedOn: { reference: `ServiceRequest/${ctx.serviceRequestId}` },
    performer: { display: ctx.task.ownerDisplay ?? t.endpointName },
    effectiveDateTime: source.effectiveDateTime ?? source.effectivePeriod?.start ?? ctx.task.lastModified,
    ...(note ? { note } : {}),
    ...(ref.kind === 'contained' ? {} : { derivedFrom: linkWorkerUrl(t, ref.resourceType, ref.id) }),
  });
  return { ok: true, identifier, resource };
}
