/**
 * Checks Medplum's validator leaves out, driven by a compiled snapshot: required ValueSet bindings,
 * reference target types, allowed choice types, slice cardinality and closed slicing. Messages name
 * the element, what was found and what is allowed.
 */
import type { Coding, Reference, Resource } from '@medplum/fhirtypes';
import { issue, type Issue } from './issues.js';
import { referencedType, referenceTypeConflict } from './references.js';
import { referenceTargets, sliceFor, type TreeNode } from './snapshot-tree.js';
import { checkCode, sampleCodes, type Expansion, type ValueSetExpander } from './terminology.js';

export interface CheckContext {
  readonly root: Resource;
  readonly expander: ValueSetExpander;
  /** Resource type a profile URL constrains (for Reference(SP Link profile) targets). */
  readonly profileType: (url: string) => string | undefined;
  readonly issues: Issue[];
}

interface Item {
  readonly value: unknown;
  readonly path: string;
  /** Concrete type for a choice element (from the property suffix), else the element's type. */
  readonly type?: string;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Values of `node` in each parent item, flattened, with their paths and types. */
function extract(parents: readonly Item[], node: TreeNode): Item[] {
  const out: Item[] = [];
  const choice = node.name.endsWith('[x]');
  const prefix = choice ? node.name.slice(0, -3) : node.name;
  const single = node.types.length === 1 ? node.types[0]?.code : undefined;
  for (const p of parents) {
    const obj = p.value;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) continue;
    for (const [key, raw] of Object.entries(obj as Record<string, unknown>)) {
      let type: string | undefined;
      if (choice) {
        const suffix = key.slice(prefix.length);
        if (!key.startsWith(prefix) || !/^[A-Z]/.test(suffix)) continue;
        type = node.types.find((t) => t.code === suffix || t.code === lowerFirst(suffix))?.code ?? suffix;
      } else if (key !== node.name) continue;
      else type = single;
      const values = Array.isArray(raw) ? raw : [raw];
      values.forEach((v, i) => out.push({ value: v, path: `${p.path}.${key}${Array.isArray(raw) ? `[${i}]` : ''}`, ...(type ? { type } : {}) }));
    }
  }
  return out;
}

function describeSlice(s: TreeNode): string {
  const url = s.types[0]?.code === 'Extension' ? s.types[0].profile?.[0] : undefined;
  return url ? `${s.sliceName} (${url})` : `${s.sliceName ?? s.name}`;
}

function checkBinding(node: TreeNode, item: Item, ctx: CheckContext): void {
  const vsUrl = node.binding?.strength === 'required' ? node.binding.valueSet : undefined;
  if (!vsUrl) return;
  const exp = ctx.expander.expand(vsUrl);
  if (!exp) return;
  const found = bindingIssue(exp, item.type, item.value, item.path);
  if (found) ctx.issues.push(found);
}

/**
 * The issue, if any, of a value (of FHIR type `type`) at `path` whose element is bound `required` to the ValueSet
 * `exp`: a code outside it, or a CodeableConcept with no coding from it. Codes of a system that cannot be expanded
 * offline pass. Used for SP Link's profiles and for the base specification's bindings alike.
 */
export function bindingIssue(exp: Expansion, type: string | undefined, value: unknown, path: string): Issue | undefined {
  const where = `ValueSet "${exp.title}" (${exp.url})`;
  if ((type === 'code' || type === 'string' || type === 'uri') && typeof value === 'string') {
    if (checkCode(exp, undefined, value) === 'not-in-value-set') {
      return issue(path, `code "${value}" is not in ${where}; expected one of ${sampleCodes(exp)}`, 'code-invalid');
    }
    return undefined;
  }
  if (type !== 'Coding' && type !== 'CodeableConcept') return undefined;
  if (!value || typeof value !== 'object') return undefined;
  const codings: Coding[] = type === 'Coding' ? [value as Coding] : ((value as { coding?: Coding[] }).coding ?? []);
  let anyOk = false;
  let anyUnchecked = false;
  const bad: string[] = [];
  for (const c of codings) {
    if (!c.code) continue;
    const r = checkCode(exp, c.system, c.code);
    if (r === 'ok') anyOk = true;
    else if (r === 'unchecked') anyUnchecked = true;
    else if (c.system && exp.systems.has(c.system)) bad.push(`${c.system}#${c.code}`);
  }
  if (bad.length) return issue(path, `code ${bad.join(', ')} is not in ${where}; expected one of ${sampleCodes(exp)}`, 'code-invalid');
  if (!anyOk && !anyUnchecked) {
    const got = codings.map((c) => `${c.system ?? '(no system)'}#${c.code ?? '(no code)'}`).join(', ') || 'no coding';
    return issue(path, `needs a code from ${where} (got ${got}); expected one of ${sampleCodes(exp)}`, 'code-invalid');
  }
  return undefined;
}

function checkReference(node: TreeNode, item: Item, ctx: CheckContext): void {
  if (item.type !== 'Reference' || !item.value || typeof item.value !== 'object') return;
  const ref = item.value as Reference;
  const conflict = referenceTypeConflict(ref, ctx.root);
  if (conflict) ctx.issues.push(issue(item.path, conflict, 'structure'));
  const allowed = referenceTargets(node.types, ctx.profileType);
  if (allowed.length === 0) return;
  const actual = referencedType(ref, ctx.root);
  if (actual && !allowed.includes(actual)) {
    const shown = ref.reference ?? `${ref.type ?? ''} ${JSON.stringify(ref.identifier ?? {})}`;
    ctx.issues.push(
      issue(item.path, `reference "${shown}" points to a ${actual}, but this element only allows Reference(${allowed.join(' | ')})`, 'structure'),
    );
  }
}

function checkChoiceType(node: TreeNode, item: Item, ctx: CheckContext): void {
  if (!node.name.endsWith('[x]') || !item.type) return;
  if (node.types.some((t) => t.code === item.type)) return;
  const allowed = node.types.map((t) => `${node.name.slice(0, -3)}${t.code.charAt(0).toUpperCase()}${t.code.slice(1)}`);
  ctx.issues.push(issue(item.path, `${item.path.split('.').pop()} is not allowed here; use ${allowed.join(' or ')}`, 'structure'));
}

function checkItems(node: TreeNode, items: readonly Item[], ctx: CheckContext): void {
  for (const item of items) {
    checkChoiceType(node, item, ctx);
    checkBinding(node, item, ctx);
    checkReference(node, item, ctx);
  }
}

function checkSlices(base: TreeNode, items: readonly Item[], parentPath: string, ctx: CheckContext): void {
  const bySlice = new Map<TreeNode, Item[]>(base.slices.map((s) => [s, []]));
  const closed = base.slicing?.rules === 'closed';
  for (const item of items) {
    const slice = sliceFor(base, item.value);
    if (slice) bySlice.get(slice)!.push(item);
    else if (closed) {
      ctx.issues.push(issue(item.path, `does not match any allowed kind of ${base.name}: ${base.slices.map(describeSlice).join(', ')}`, 'structure'));
    }
  }
  const where = `${parentPath}.${base.name}`;
  for (const [slice, sliceItems] of bySlice) {
    if (sliceItems.length < slice.min) {
      ctx.issues.push(issue(where, `${describeSlice(slice)} is required (${slice.min}..${Number.isFinite(slice.max) ? slice.max : '*'}) but ${sliceItems.length === 0 ? 'missing' : `only ${sliceItems.length} present`}`, 'required'));
    } else if (sliceItems.length > slice.max) {
      ctx.issues.push(issue(where, `${describeSlice(slice)} allows at most ${slice.max}, found ${sliceItems.length}`, 'structure'));
    }
    checkItems(slice, sliceItems, ctx);
    walk(slice, sliceItems, ctx);
  }
}

/** Walks `items` (instances of `node`) and checks every relevant descendant element. */
export function walk(node: TreeNode, items: readonly Item[], ctx: CheckContext): void {
  if (items.length === 0) return;
  for (const child of node.children) {
    if (!child.relevant) continue;
    const childItems = extract(items, child);
    checkItems(child, childItems, ctx);
    if (child.slices.length) {
      // Per parent, so slice counts are per occurrence of the parent element.
      for (const parent of items) checkSlices(child, childItems.filter((c) => c.path.startsWith(`${parent.path}.`)), parent.path, ctx);
    }
    walk(child, childItems, ctx);
  }
}

/** Runs the snapshot-driven checks for a whole resource (or extension) against its compiled tree. */
export function checkAgainstTree(root: TreeNode, value: unknown, path: string, ctx: CheckContext): void {
  walk(root, [{ value, path }], ctx);
}
