/**
 * SP Link's clinical-safety checks beyond structure: NHS numbers must pass the Modulus 11 check,
 * outcome scores must lie in their instrument's range (from the generated outcome-instrument
 * CodeSystem's minScore/maxScore properties), and the completion message to the GP must carry the
 * PRSB sections.
 */
import type { CodeSystem, CodeSystemConcept, Coding, Communication, Observation } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, IDENTIFIER_SYSTEM, INSTRUMENTS, type Instrument } from '../../referral-model/codes.js';
import { nhsNumberIsValid } from '../nhs-number.js';
import { issue, type Issue } from './issues.js';

/** Every identifier with the NHS number system, anywhere in the resource. */
export function checkNhsNumbers(value: unknown, path: string, issues: Issue[]): void {
  if (Array.isArray(value)) return value.forEach((v, i) => checkNhsNumbers(v, `${path}[${i}]`, issues));
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (obj.system === IDENTIFIER_SYSTEM.nhsNumber && 'value' in obj) {
    const v = obj.value;
    if (typeof v !== 'string' || !/^\d{10}$/.test(v) || !nhsNumberIsValid(v)) {
      issues.push(issue(`${path}.value`, `NHS number ${JSON.stringify(v)} is not valid: it must be 10 digits with a correct Modulus 11 check digit, no spaces`, 'value'));
    }
  }
  for (const [k, child] of Object.entries(obj)) if (typeof child === 'object') checkNhsNumbers(child, `${path}.${k}`, issues);
}

interface Range {
  readonly min: number;
  readonly max: number;
}

export interface InstrumentRule {
  readonly code: string;
  readonly display: string;
  readonly total?: Range;
  readonly items: ReadonlyMap<string, Range & { display: string }>;
}

function rangeOf(c: CodeSystemConcept): Range | undefined {
  const min = c.property?.find((p) => p.code === 'minScore')?.valueInteger;
  const max = c.property?.find((p) => p.code === 'maxScore')?.valueInteger;
  return min !== undefined && max !== undefined ? { min, max } : undefined;
}

/** Instrument rules read from the generated outcome-instrument CodeSystem. */
export function instrumentRules(cs: CodeSystem | undefined): Map<string, InstrumentRule> {
  const rules = new Map<string, InstrumentRule>();
  for (const c of cs?.concept ?? []) {
    const items = new Map<string, Range & { display: string }>();
    for (const child of c.concept ?? []) {
      const r = rangeOf(child);
      if (r) items.set(child.code, { ...r, display: child.display ?? child.code });
    }
    const total = rangeOf(c);
    rules.set(c.code, { code: c.code, display: c.display ?? c.code, ...(total ? { total } : {}), items });
  }
  return rules;
}

/** SP Link instrument code for a coding: its own code, or the verified standard code's instrument. */
function instrumentCode(codings: readonly Coding[]): string | undefined {
  for (const c of codings) if (c.system === CODE_SYSTEM.outcomeInstrument && c.code) return c.code;
  for (const c of codings) {
    const inst = (INSTRUMENTS as readonly Instrument[]).find((i) => i.standardCode?.system === c.system && i.standardCode?.code === c.code);
    if (inst) return inst.code;
  }
  return undefined;
}

const fmt = (r: Range) => `${r.min}–${r.max}`;

/** Scores of an outcome Observation against its instrument's ranges. */
export function checkOutcomeScores(obs: Observation, rules: ReadonlyMap<string, InstrumentRule>, issues: Issue[]): void {
  const code = instrumentCode(obs.code?.coding ?? []);
  const rule = code ? rules.get(code) : undefined;
  if (!rule) return; // an unknown instrument is reported by the code binding check
  const numeric = (v: { valueInteger?: number; valueQuantity?: { value?: number } }) => v.valueInteger ?? v.valueQuantity?.value;
  const total = numeric(obs);
  if (rule.total) {
    if (total === undefined) issues.push(issue('Observation.value[x]', `${rule.display} needs the total score in valueInteger (${fmt(rule.total)})`, 'required'));
    else if (!Number.isInteger(total) || total < rule.total.min || total > rule.total.max) {
      issues.push(issue('Observation.valueInteger', `${rule.display}: score ${total} is out of range; allowed ${fmt(rule.total)}`, 'value'));
    }
  } else if (total !== undefined) {
    issues.push(issue('Observation.value[x]', `${rule.display} is scored by item: put each item in component, not a total in value[x]`, 'structure'));
  }
  if (rule.items.size === 0) {
    if (obs.component?.length) issues.push(issue('Observation.component', `${rule.display} is scored as a total; it has no item components`, 'structure'));
    return;
  }
  if (!obs.component?.length) {
    issues.push(issue('Observation.component', `${rule.display} needs item scores in component (${[...rule.items.keys()].join(', ')})`, 'required'));
    return;
  }
  const seen = new Set<string>();
  obs.component.forEach((comp, i) => {
    const path = `Observation.component[${i}]`;
    const itemCode = comp.code?.coding?.find((c) => c.system === CODE_SYSTEM.outcomeInstrument)?.code;
    const item = itemCode ? rule.items.get(itemCode) : undefined;
    if (!itemCode || !item) {
      issues.push(issue(`${path}.code`, `item ${itemCode ?? '(no SP Link item code)'} is not an item of ${rule.display}; expected ${[...rule.items.keys()].join(', ')}`, 'code-invalid'));
      return;
    }
    if (seen.has(itemCode)) issues.push(issue(`${path}.code`, `item ${itemCode} appears more than once`, 'structure'));
    seen.add(itemCode);
    const v = numeric(comp);
    if (v === undefined) issues.push(issue(`${path}.value[x]`, `${item.display} needs a score in valueInteger (${fmt(item)})`, 'required'));
    else if (!Number.isInteger(v) || v < item.min || v > item.max) {
      issues.push(issue(`${path}.valueInteger`, `${item.display}: score ${v} is out of range; allowed ${fmt(item)}`, 'value'));
    }
  });
}

/** PRSB sections a completion message ("Message back to GP and referrer") must carry. */
export const COMPLETION_SECTIONS = ['person-demographics', 'referral-details', 'support-offered', 'outcomes', 'plan-and-requested-actions'] as const;

export function checkCompletionSections(comm: Communication, issues: Issue[]): void {
  const topic = comm.topic?.coding?.find((c) => c.system === CODE_SYSTEM.communicationTopic)?.code;
  if (topic !== 'referral-completed') return;
  const present = new Set(
    (comm.payload ?? []).map((p) => p.extension?.find((e) => e.url === EXTENSION.prsbSection)?.valueCoding?.code).filter(Boolean),
  );
  const missing = COMPLETION_SECTIONS.filter((s) => !present.has(s));
  if (missing.length) {
    issues.push(issue('Communication.payload', `the completion message to the GP must carry the PRSB sections ${COMPLETION_SECTIONS.join(', ')}; missing ${missing.join(', ')}`, 'required'));
  }
}
