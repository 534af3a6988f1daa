/**
 * ValueSet expansion for required-binding checks: SP Link's generated ValueSets and CodeSystems,
 * and the base R4 ones. A ValueSet that includes a whole external system (e.g. all of SNOMED CT)
 * or uses filters cannot be expanded offline; such a system is marked open and not checked.
 */
import type { CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';

export interface Expansion {
  readonly url: string;
  readonly title: string;
  /** system → codes; null means any code of that system is accepted (not checkable offline). */
  readonly systems: ReadonlyMap<string, ReadonlySet<string> | null>;
}

export interface TerminologySource {
  valueSet(url: string): ValueSet | undefined;
  codeSystem(url: string): CodeSystem | undefined;
}

function allCodes(concepts: readonly CodeSystemConcept[] | undefined, into: Set<string>): void {
  for (const c of concepts ?? []) {
    into.add(c.code);
    allCodes(c.concept, into);
  }
}

const stripVersion = (url: string) => url.split('|')[0] as string;

export class ValueSetExpander {
  private readonly cache = new Map<string, Expansion | null>();
  constructor(private readonly source: TerminologySource) {}

  /** The expansion of a ValueSet, or undefined when the ValueSet is unknown. */
  expand(vsUrl: string): Expansion | undefined {
    const url = stripVersion(vsUrl);
    if (this.cache.has(url)) return this.cache.get(url) ?? undefined;
    this.cache.set(url, null); // guards against include-valueSet cycles
    const vs = this.source.valueSet(url);
    const result = vs ? this.build(url, vs) : undefined;
    this.cache.set(url, result ?? null);
    return result;
  }

  private build(url: string, vs: ValueSet): Expansion {
    const systems = new Map<string, Set<string> | null>();
    const add = (system: string, codes: Iterable<string> | null) => {
      const existing = systems.get(system);
      if (existing === null) return;
      if (codes === null) return void systems.set(system, null);
      const set = existing ?? new Set<string>();
      for (const c of codes) set.add(c);
      systems.set(system, set);
    };
    if (vs.compose) {
      for (const inc of vs.compose.include) {
        for (const ref of inc.valueSet ?? []) {
          const sub = this.expand(ref);
          if (!sub) continue;
          for (const [s, codes] of sub.systems) add(s, codes);
        }
        if (!inc.system) continue;
        if (inc.concept?.length) add(inc.system, inc.concept.map((c) => c.code));
        else if (inc.filter?.length) add(inc.system, null);
        else {
          const cs = this.source.codeSystem(stripVersion(inc.system));
          if (cs?.concept && (cs.content === 'complete' || cs.content === undefined)) {
            const codes = new Set<string>();
            allCodes(cs.concept, codes);
            add(inc.system, codes);
          } else add(inc.system, null);
        }
      }
    } else if (vs.expansion?.contains) {
      for (const c of vs.expansion.contains) if (c.system && c.code) add(c.system, [c.code]);
    }
    return { url, title: vs.title ?? vs.name ?? url, systems };
  }
}

/** Outcome of checking one system|code against an expansion. */
export type CodeCheck = 'ok' | 'not-in-value-set' | 'unchecked';

export function checkCode(exp: Expansion, system: string | undefined, code: string): CodeCheck {
  if (system === undefined) {
    // A bare `code` element: its ValueSet normally draws on one system.
    for (const codes of exp.systems.values()) if (codes === null || codes.has(code)) return codes === null ? 'unchecked' : 'ok';
    return 'not-in-value-set';
  }
  const codes = exp.systems.get(system);
  if (codes === null) return 'unchecked';
  return codes?.has(code) ? 'ok' : 'not-in-value-set';
}

/** Up to `max` allowed codes, for messages ("expected one of …"). */
export function sampleCodes(exp: Expansion, max = 15): string {
  const out: string[] = [];
  let total = 0;
  for (const codes of exp.systems.values()) {
    if (!codes) continue;
    total += codes.size;
    for (const c of codes) if (out.length < max) out.push(c);
  }
  return total > out.length ? `${out.join(', ')}, … (${total} codes)` : out.join(', ');
}
