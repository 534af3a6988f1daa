import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The GP app bundle. Served by SP Link under /app/ (see src/smart/index.ts), so `base` is /app/.
 * Preact's automatic JSX runtime keeps the bundle small; no inline scripts or styles (CSP 'self').
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/smart-app/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
