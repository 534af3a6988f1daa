import type { Annotation, CodeableConcept, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, NEEDS, type NeedCode } from './codes.js';

/**
 * Needs after referral: a link worker may find that the person's needs differ from those the GP referred for.
 * The Task then carries the needs as the link worker found them, one `needs-identified` output per need (a need
 * code), and the case record says why: the latest note headed NEEDS_CHANGED_HEADING, with a `Reason:` line. The
 * workspace writes both; the GP app reads them from the live Task. Pure.
 */
export const NEEDS_CHANGED_HEADING = 'Needs changed';

const REASON = 'Reason: ';

export interface NeedsChange {
  /** Need codes as the link worker found them. */
  readonly codes: readonly string[];
  /** Their display names. */
  readonly needs: readonly string[];
  readonly reason?: string;
  /** When and by whom the latest change was recorded. */
  readonly at?: string;
  readonly by?: string;
}

const needCode = (cc: CodeableConcept | undefined) => cc?.coding?.find((c) => c.system === CODE_SYSTEM.need)?.code;
const isNeedOutput = (o: NonNullable<Task['output']>[number]) => o.type?.coding?.some((c) => c.system === CODE_SYSTEM.taskOutputType && c.code === 'needs-identified');

/** A need as a Task.output value. */
export function needConcept(code: NeedCode): CodeableConcept {
  const display = NEEDS.find((n) => n.code === code)?.display;
  return { coding: [{ system: CODE_SYSTEM.need, code, ...(display ? { display } : {}) }], ...(display ? { text: display } : {}) };
}

/** The case-record text of a change: the needs now, what was added and removed, and why. */
export function needsChangeText(before: readonly string[], after: readonly NeedCode[], reason: string): string {
  const name = (c: string) => NEEDS.find((n) => n.code === c)?.display ?? c;
  const added = after.filter((c) => !before.includes(c));
  const removed = before.filter((c) => !(after as readonly string[]).includes(c));
  return [
    `Now: ${after.map(name).join(', ')}`,
    ...(added.length ? [`Added: ${added.map(name).join(', ')}`] : []),
    ...(removed.length ? [`Removed: ${removed.map(name).join(', ')}`] : []),
    `${REASON}${reason}`,
  ].join('\n');
}

/** The link worker's needs and the latest reason, or undefined when the Task still has the referral's needs. */
export function readNeedsChange(task: Task): NeedsChange | undefined {
  const outputs = (task.output ?? []).filter(isNeedOutput);
  if (outputs.length === 0) return undefined;
  const codes = outputs.map((o) => needCode(o.valueCodeableConcept)).filter((c): c is string => !!c);
  const needs = outputs.map((o) => o.valueCodeableConcept?.text ?? o.valueCodeableConcept?.coding?.[0]?.display ?? needCode(o.valueCodeableConcept)).filter((n): n is string => !!n);
  const note = [...(task.note ?? [])].reverse().find((n: Annotation) => n.text.split('\n')[0] === NEEDS_CHANGED_HEADING);
  const reason = note?.text.split('\n').find((l) => l.startsWith(REASON))?.slice(REASON.length);
  return {
    codes,
    needs,
    ...(reason ? { reason } : {}),
    ...(note?.time ? { at: note.time } : {}),
    ...(note?.authorReference?.display || note?.authorString ? { by: note.authorReference?.display ?? note.authorString } : {}),
  };
}
