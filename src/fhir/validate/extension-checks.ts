/**
 * Checks every SP Link extension in a resource (at any depth, contained resources included)
 * against its generated StructureDefinition: known URL, simple vs complex, allowed value[x] types,
 * known sub-extensions with the right cardinality, and required bindings and reference targets inside.
 */
import type { Extension, StructureDefinition } from '@medplum/fhirtypes';
import { CANONICAL_BASE } from '../../referral-model/codes.js';
import { checkAgainstTree, type CheckContext } from './element-checks.js';
import { issue } from './issues.js';
import type { TreeNode } from './snapshot-tree.js';

export interface ExtensionIndex {
  definition(url: string): StructureDefinition | undefined;
  tree(url: string): TreeNode | undefined;
}

const valueKeys = (ext: object) => Object.keys(ext).filter((k) => k.startsWith('value') && /^[A-Z]/.test(k.slice(5)));

function checkOne(ext: Extension, path: string, index: ExtensionIndex, ctx: CheckContext): void {
  const sd = index.definition(ext.url);
  const tree = index.tree(ext.url);
  if (!sd || !tree || sd.type !== 'Extension') {
    ctx.issues.push(issue(path, `unknown SP Link extension "${ext.url}" (not defined in fhir-profiles)`, 'structure'));
    return;
  }
  const name = sd.title ?? sd.name ?? ext.url;
  const valueNode = tree.children.find((c) => c.name === 'value[x]');
  const subNode = tree.children.find((c) => c.name === 'extension');
  const complex = valueNode?.max === 0;
  const values = valueKeys(ext);
  const subs = ext.extension ?? [];
  if (complex) {
    if (values.length) {
      const parts = subNode?.slices.map((s) => s.sliceName).join(', ') ?? '';
      ctx.issues.push(issue(path, `extension "${name}" (${ext.url}) takes sub-extensions (${parts}), not ${values.join(', ')}`, 'structure'));
    }
    const known = new Set(subNode?.slices.map((s) => s.sliceName) ?? []);
    subs.forEach((s, i) => {
      if (!/^https?:/.test(s.url) && !known.has(s.url)) {
        ctx.issues.push(issue(`${path}.extension[${i}]`, `unknown sub-extension "${s.url}" in "${name}"; expected ${[...known].join(', ')}`, 'structure'));
      }
    });
  } else {
    if (subs.length) ctx.issues.push(issue(path, `extension "${name}" (${ext.url}) takes a value, not sub-extensions`, 'structure'));
    if (values.length === 0 && (valueNode?.min ?? 0) > 0) {
      const allowed = valueNode?.types.map((t) => `value${t.code.charAt(0).toUpperCase()}${t.code.slice(1)}`).join(' or ');
      ctx.issues.push(issue(path, `extension "${name}" (${ext.url}) needs ${allowed}`, 'required'));
    }
  }
  // Sub-extension cardinality, value types, bindings and references come from the extension's snapshot.
  const before = ctx.issues.length;
  checkAgainstTree(tree, ext, path, ctx);
  for (let i = before; i < ctx.issues.length; i++) {
    const text = ctx.issues[i]!.details!.text!;
    if (!text.includes(ext.url)) ctx.issues[i]!.details!.text = `${text} (in extension "${name}")`;
  }
}

/** Visits every object in `value` and checks the SP Link extensions it carries. */
export function checkExtensions(value: unknown, path: string, index: ExtensionIndex, ctx: CheckContext): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkExtensions(v, `${path}[${i}]`, index, ctx));
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if ((key === 'extension' || key === 'modifierExtension') && Array.isArray(child)) {
      child.forEach((ext: Extension, i) => {
        const p = `${path}.${key}[${i}]`;
        if (typeof ext?.url !== 'string') ctx.issues.push(issue(p, 'extension has no url', 'required'));
        else if (ext.url.startsWith(`${CANONICAL_BASE}/`)) checkOne(ext, p, index, ctx);
        // Sub-extensions of SP Link extensions were checked with their parent; still descend for nested ones.
        checkExtensions(ext, p, index, ctx);
      });
    } else if (key !== 'extension' && key !== 'modifierExtension') {
      checkExtensions(child, `${path}.${key}`, index, ctx);
    }
  }
}
