import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Records the source files this bundle was built from in `build-info.json`, so `sp-link start` can tell a stale
 * or missing bundle from a current one and rebuild it (see src/smart/app-bundle.ts). Files under node_modules are
 * left out: npm gives them fixed timestamps, so the lockfile stands for them.
 */
function buildInfo(): Plugin {
  return {
    name: 'sp-link-build-info',
    generateBundle() {
      const inputs = [...this.getModuleIds()]
        .filter((id) => path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`))
        .map((id) => path.relative(root, id.split('?')[0]!).split(path.sep).join('/'));
      const files = [...new Set([...inputs, 'smart-app/index.html', 'smart-app/vite.config.ts', 'package-lock.json'])].sort();
      this.emitFile({ type: 'asset', fileName: 'build-info.json', source: JSON.stringify({ inputs: files }, null, 2) + '\n' });
    },
  };
}

/**
 * The GP app bundle. Served by SP Link under /app/ (see src/smart/index.ts), so `base` is /app/.
 * Preact's automatic JSX runtime keeps the bundle small; no inline scripts or styles (CSP 'self').
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [buildInfo()],
  build: {
    outDir: fileURLToPath(new URL('../dist/smart-app/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
