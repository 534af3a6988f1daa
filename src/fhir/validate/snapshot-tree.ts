/**
 * A StructureDefinition snapshot compiled into a tree SP Link's checks can walk quickly: children by
 * element name, slices attached to their sliced element, and a flag telling whether a subtree holds
 * anything those checks look at (required bindings, typed references, choice types, slices).
 */
import type { ElementDefinition, ElementDefinitionSlicing, ElementDefinitionType, StructureDefinition } from '@medplum/fhirtypes';

export interface TreeNode {
  readonly id: string;
  /** Element name in the instance: `output`, `value[x]`. */
  readonly name: string;
  readonly sliceName?: string;
  readonly min: number;
  readonly max: number;
  readonly types: readonly ElementDefinitionType[];
  readonly binding?: { readonly strength: string; readonly valueSet?: string };
  /** pattern[x] or fixed[x] value, used to match slices. */
  readonly pattern?: unknown;
  readonly slicing?: ElementDefinitionSlicing;
  readonly short?: string;
  readonly children: TreeNode[];
  readonly slices: TreeNode[];
  /** True when this node or anything below it needs checking. */
  relevant: boolean;
}

function patternOf(e: ElementDefinition): unknown {
  for (const [k, v] of Object.entries(e)) if (k.startsWith('pattern') || k.startsWith('fixed')) return v;
  return undefined;
}

function lastSegment(id: string): string {
  // Ids look like `Task.output:outcome.value[x]`; slice names here never contain dots.
  return id.slice(id.lastIndexOf('.') + 1);
}

function isRelevantSelf(n: TreeNode): boolean {
  if (n.binding?.strength === 'required' && n.binding.valueSet) return true;
  if (n.name.endsWith('[x]')) return true;
  if (n.slices.length > 0) return true;
  return n.types.some((t) => t.code === 'Reference' && t.targetProfile?.length);
}

function markRelevant(n: TreeNode): boolean {
  let r = isRelevantSelf(n);
  for (const c of n.children) r = markRelevant(c) || r;
  for (const s of n.slices) r = markRelevant(s) || r;
  n.relevant = r;
  return r;
}

/** Compiles a snapshot into a tree rooted at the resource (or Extension) element. */
export function compileSnapshot(sd: StructureDefinition): TreeNode {
  const elements = sd.snapshot?.element ?? [];
  const byId = new Map<string, TreeNode>();
  let root: TreeNode | undefined;
  for (const e of elements) {
    const id = e.id ?? e.path;
    const seg = lastSegment(id);
    const [name, sliceName] = seg.split(':') as [string, string | undefined];
    const node: TreeNode = {
      id,
      name,
      ...(sliceName ? { sliceName } : {}),
      min: e.min ?? 0,
      max: e.max === '*' || e.max === undefined ? Infinity : Number(e.max),
      types: e.type ?? [],
      ...(e.binding ? { binding: { strength: e.binding.strength, ...(e.binding.valueSet ? { valueSet: e.binding.valueSet } : {}) } } : {}),
      ...(patternOf(e) !== undefined ? { pattern: patternOf(e) } : {}),
      ...(e.slicing ? { slicing: e.slicing } : {}),
      ...(e.short ? { short: e.short } : {}),
      children: [],
      slices: [],
      relevant: false,
    };
    byId.set(id, node);
    const dot = id.lastIndexOf('.');
    if (dot < 0) {
      root = node;
      continue;
    }
    const parentId = id.slice(0, dot);
    if (sliceName) byId.get(`${parentId}.${name}`)?.slices.push(node);
    else byId.get(parentId)?.children.push(node);
  }
  if (!root) throw new Error(`StructureDefinition ${sd.url ?? sd.id} has no snapshot`);
  markRelevant(root);
  return root;
}

const FHIR_SD = 'http://hl7.org/fhir/StructureDefinition/';

/** Resource types a Reference element allows (empty = any), from targetProfile URLs. */
export function referenceTargets(types: readonly ElementDefinitionType[], profileType: (url: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const t of types) {
    if (t.code !== 'Reference') continue;
    for (const p of t.targetProfile ?? []) {
      const type = p.startsWith(FHIR_SD) ? p.slice(FHIR_SD.length) : profileType(p);
      if (type === 'Resource') return [];
      if (type) out.push(type);
    }
  }
  return out;
}

/** True when `actual` has at least everything `pattern` has (FHIR pattern matching). */
export function matchesPattern(actual: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return actual === pattern;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return false;
    return pattern.every((p) => actual.some((a) => matchesPattern(a, p)));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const a = actual as Record<string, unknown>;
  return Object.entries(pattern as Record<string, unknown>).every(([k, v]) => matchesPattern(a[k], v));
}

/** Which slice of `base` an instance item belongs to, by the base element's discriminators. */
export function sliceFor(base: TreeNode, item: unknown): TreeNode | undefined {
  const discriminators = base.slicing?.discriminator ?? [];
  if (discriminators.length === 0) return undefined;
  return base.slices.find((slice) =>
    discriminators.every((d) => {
      if (d.type !== 'value' && d.type !== 'pattern') return false;
      if (d.path === '$this') return slice.pattern !== undefined && matchesPattern(item, slice.pattern);
      const obj = item as Record<string, unknown> | null;
      if (!obj || typeof obj !== 'object') return false;
      if (d.path === 'url') {
        const profileUrl = slice.types[0]?.profile?.[0];
        const fixed = slice.children.find((c) => c.name === 'url')?.pattern;
        const want = fixed ?? profileUrl;
        return want !== undefined && obj.url === want;
      }
      let node: TreeNode | undefined = slice;
      let value: unknown = obj;
      for (const part of d.path.split('.')) {
        node = node?.children.find((c) => c.name === part);
        value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
      }
      return node?.pattern !== undefined && value !== undefined && matchesPattern(value, node.pattern);
    }),
  );
}
