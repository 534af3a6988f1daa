/**
 * The readable contract for integration engineers, built from the generated conformance resources:
 * each profile's required and must-support elements, extensions, invariants and an example; each
 * extension; each ValueSet with its codes. Rendered as docs/PROFILES.md and served at /profiles.
 */
import type { CodeSystem, CodeSystemConcept, ElementDefinition, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { CANONICAL_BASE, PROFILE } from '../../referral-model/codes.js';

export interface ContractElement {
  readonly path: string;
  readonly cardinality: string;
  readonly mustSupport: boolean;
  readonly types: string;
  readonly binding?: { readonly strength: string; readonly valueSet: string; readonly title: string };
  readonly fixed?: string;
  readonly short?: string;
}

export interface ContractProfile {
  readonly url: string;
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly type: string;
  readonly elements: readonly ContractElement[];
  readonly invariants: readonly { readonly key: string; readonly human: string }[];
  readonly examples: readonly { readonly id: string; readonly title: string }[];
  /** Pretty JSON of the first example. */
  readonly exampleJson?: string;
}

export interface ContractExtension {
  readonly url: string;
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly context: readonly string[];
  readonly elements: readonly ContractElement[];
}

export interface ContractCode {
  readonly system: string;
  readonly code: string;
  readonly display: string;
  readonly depth: number;
}

export interface ContractValueSet {
  readonly url: string;
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly codes: readonly ContractCode[];
}

export interface Contract {
  readonly canonical: string;
  readonly profiles: readonly ContractProfile[];
  readonly extensions: readonly ContractExtension[];
  readonly valueSets: readonly ContractValueSet[];
}

type Titled = { url?: string; title?: string; name?: string };

function typesOf(e: ElementDefinition): string {
  // An unconstrained value[x] lists ~50 types; slices below it say what is actually allowed.
  if ((e.type?.length ?? 0) > 10) return 'any';
  return (e.type ?? [])
    .map((t) => {
      const targets = t.targetProfile?.map((p) => p.split('/').pop()).join(' | ');
      const profiles = t.profile?.map((p) => p.split('/').pop()).join(' | ');
      if (targets) return `${t.code}(${targets})`;
      return profiles ? `${t.code}(${profiles})` : t.code;
    })
    .join(' | ');
}

function fixedOf(e: ElementDefinition): string | undefined {
  for (const [k, v] of Object.entries(e)) {
    if (!k.startsWith('fixed') && !k.startsWith('pattern')) continue;
    if (typeof v !== 'object') return String(v);
    const codings = (v as { coding?: { system?: string; code?: string }[] }).coding;
    if (codings) return codings.map((c) => `${c.system ?? ''}#${c.code ?? ''}`).join(', ');
    return JSON.stringify(v);
  }
  return undefined;
}

function elementRows(sd: StructureDefinition, titles: ReadonlyMap<string, string>): ContractElement[] {
  const rows: ContractElement[] = [];
  for (const e of sd.snapshot?.element ?? []) {
    const id = e.id ?? e.path;
    if (!id.includes('.')) continue;
    const fixed = fixedOf(e);
    if (!e.mustSupport && !((e.min ?? 0) > 0) && fixed === undefined) continue;
    if (/\.(id|url)$/.test(id) && !e.mustSupport) continue;
    const vs = e.binding?.valueSet?.split('|')[0];
    rows.push({
      path: id,
      cardinality: `${e.min ?? 0}..${e.max ?? '*'}`,
      mustSupport: e.mustSupport === true,
      types: typesOf(e),
      ...(vs && e.binding ? { binding: { strength: e.binding.strength, valueSet: vs, title: titles.get(vs) ?? vs } } : {}),
      ...(fixed ? { fixed } : {}),
      ...(e.short ? { short: e.short } : {}),
    });
  }
  return rows;
}

function conceptRows(system: string, concepts: readonly CodeSystemConcept[] | undefined, depth: number, out: ContractCode[]): void {
  for (const c of concepts ?? []) {
    out.push({ system, code: c.code, display: c.display ?? '', depth });
    conceptRows(system, c.concept, depth + 1, out);
  }
}

function valueSetCodes(vs: ValueSet, codeSystems: ReadonlyMap<string, CodeSystem>): ContractCode[] {
  const out: ContractCode[] = [];
  for (const inc of vs.compose?.include ?? []) {
    if (!inc.system) continue;
    if (inc.concept?.length) for (const c of inc.concept) out.push({ system: inc.system, code: c.code, display: c.display ?? '', depth: 0 });
    else conceptRows(inc.system, codeSystems.get(inc.system)?.concept, 0, out);
  }
  return out;
}

const titleOf = (r: Titled) => r.title ?? r.name ?? r.url ?? '';

/** Builds the contract from a set of generated resources (the committed ones, or a fresh build). */
export function buildContract(resources: readonly Resource[]): Contract {
  const sds = resources.filter((r): r is StructureDefinition => r.resourceType === 'StructureDefinition');
  const vss = resources.filter((r): r is ValueSet => r.resourceType === 'ValueSet');
  const codeSystems = new Map(
    resources.filter((r): r is CodeSystem => r.resourceType === 'CodeSystem' && !!r.url).map((cs) => [cs.url!, cs] as const),
  );
  const titles = new Map<string, string>([...sds, ...vss].map((r) => [r.url ?? '', titleOf(r)] as const));
  const examples = resources.filter((r) => r.meta?.profile?.some((p) => p.startsWith(CANONICAL_BASE)));

  const order: readonly string[] = Object.values(PROFILE);
  const rank = (url: string | undefined) => (order.includes(url ?? '') ? order.indexOf(url ?? '') : order.length);
  const profiles = sds
    .filter((sd) => sd.type !== 'Extension')
    .sort((a, b) => rank(a.url) - rank(b.url))
    .map((sd): ContractProfile => {
      const own = examples.filter((x) => x.meta?.profile?.includes(sd.url!));
      const first = own.find((x) => x.id?.endsWith('-example')) ?? own[0];
      const invariants = (sd.differential?.element ?? []).flatMap((e) =>
        (e.constraint ?? []).map((c) => ({ key: c.key ?? '', human: c.human ?? '' })),
      );
      return {
        url: sd.url!,
        id: sd.id!,
        title: titleOf(sd),
        description: sd.description ?? '',
        type: sd.type!,
        elements: elementRows(sd, titles),
        invariants,
        examples: own.map((x) => ({ id: x.id!, title: (x as { title?: string }).title ?? x.id! })),
        ...(first ? { exampleJson: JSON.stringify(first, null, 2) } : {}),
      };
    });

  const extensions = sds
    .filter((sd) => sd.type === 'Extension')
    .map((sd): ContractExtension => ({
      url: sd.url!,
      id: sd.id!,
      title: titleOf(sd),
      description: sd.description ?? '',
      context: (sd.context ?? []).map((c) => c.expression),
      elements: elementRows(sd, titles).filter((e) => /^Extension\.(extension:[^.]+|extension:[^.]+\.value\[x\]|value\[x\])$/.test(e.path)),
    }));

  const valueSets = vss.map((vs): ContractValueSet => ({
    url: vs.url!,
    id: vs.id!,
    title: titleOf(vs),
    description: vs.description ?? '',
    codes: valueSetCodes(vs, codeSystems),
  }));

  return { canonical: CANONICAL_BASE, profiles, extensions, valueSets };
}
