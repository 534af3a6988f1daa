import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DIRS = ['src', 'smart-app', 'docs', 'test', 'bench', 'config', 'fhir-profiles', 'scripts', 'bin', '.ci'];
const TEXT = /\.(ts|tsx|js|cjs|mjs|md|json|yaml|yml|fsh|html|css)$|^run$/;
const SKIP = new Set(['node_modules', 'dist', 'fsh-generated', '.git']);

function files(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (TEXT.test(name)) out.push(p);
  }
  return out;
}

const all = [...DIRS.flatMap((d) => files(path.join(ROOT, d))), path.join(ROOT, 'README.md')];

describe('the repository is self-contained', () => {
  it('no file points at a design document outside the repository', () => {
    // Built from parts so this file does not match itself.
    const outside = new RegExp(['DESIGN', '(?: §|\\.md)', '|\\.\\./', 'shared/'].join(''));
    const hits = all.filter((f) => outside.test(readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f));
    expect(hits).to.deep.equal([]);
  });

  it('every relative link in the Markdown docs names a file that exists', () => {
    const broken: string[] = [];
    for (const f of all.filter((x) => x.endsWith('.md'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        if (!existsSync(path.resolve(path.dirname(f), decodeURI(target)))) broken.push(`${path.relative(ROOT, f)} → ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
  });
});
