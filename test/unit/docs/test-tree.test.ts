import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Folders below `dir`, as paths relative to it. */
function folders(dir: string, under = ''): string[] {
  return readdirSync(path.join(dir, under), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      const rel = path.posix.join(under, e.name);
      return [rel, ...folders(dir, rel)];
    });
}

describe('test tree', () => {
  it('has a unit-test folder only where src/ has the same folder (docs/ for the docs checks)', () => {
    const src = new Set(folders(path.join(ROOT, 'src')));
    const strays = folders(path.join(ROOT, 'test/unit')).filter((f) => !src.has(f) && f !== 'docs');
    expect(strays).to.deep.equal([]);
  });

  it('keeps test files in unit, integration, e2e and shared code in helpers or fixtures', () => {
    const top = readdirSync(path.join(ROOT, 'test'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(top).to.deep.equal(['e2e', 'fixtures', 'helpers', 'integration', 'unit']);
  });
});
