import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where package.json, smart-app/ and dist/ live). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the GP app bundle is built and served from. */
export const DEFAULT_APP_DIR = path.join(PROJECT_ROOT, 'dist', 'smart-app');

export type AppBundleState =
  | { state: 'current' }
  | { state: 'missing' }
  /** `changed`: the first input newer than the bundle (or gone), relative to the project root. */
  | { state: 'stale'; changed: string };

/**
 * Is the built GP app current? The build writes `build-info.json` listing its inputs (smart-app/vite.config.ts);
 * the bundle is stale when any input is newer than its index.html or has gone, so editing the app, pulling a change
 * or switching branches rebuilds it at the next start.
 */
export async function appBundleState(appDir = DEFAULT_APP_DIR, root = PROJECT_ROOT): Promise<AppBundleState> {
  const index = path.join(appDir, 'index.html');
  if (!existsSync(index)) return { state: 'missing' };
  let inputs: string[];
  try {
    inputs = (JSON.parse(await readFile(path.join(appDir, 'build-info.json'), 'utf8')) as { inputs: string[] }).inputs;
  } catch {
    return { state: 'stale', changed: 'build-info.json' };
  }
  const builtAt = (await stat(index)).mtimeMs;
  for (const input of inputs) {
    const file = await stat(path.join(root, input)).catch(() => null);
    if (!file || file.mtimeMs > builtAt) return { state: 'stale', changed: input };
  }
  return { state: 'current' };
}

export class AppBuildError extends Error {
  override readonly name = 'AppBuildError';
}

export type EnsureResult = 'current' | 'built' | 'prebuilt-unchecked';

/**
 * Makes sure `npm start` serves a current GP app without a separate build step: builds it with Vite (a child
 * process, ~1 s) when it is missing or stale. An installation without Vite (`npm ci --omit=dev`) serves the bundle it
 * was shipped with; without one the app answers 503 with what to do (src/smart/index.ts).
 */
export async function ensureAppBundle(options: { appDir?: string; root?: string } = {}): Promise<EnsureResult> {
  const root = options.root ?? PROJECT_ROOT;
  const appDir = options.appDir ?? DEFAULT_APP_DIR;
  const current = await appBundleState(appDir, root);
  if (current.state === 'current') return 'current';
  const viteBin = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(viteBin)) {
    if (current.state === 'stale') return 'prebuilt-unchecked';
    throw new AppBuildError(
      'The GP app is not built and its build tools are not installed. Run `npm install` (development) or ' +
        '`npm run build:app` before packaging (production).',
    );
  }
  await runViteBuild(viteBin, root, appDir);
  return 'built';
}

function runViteBuild(viteBin: string, root: string, appDir: string): Promise<void> {
  const args = [viteBin, 'build', '--config', path.join(root, 'smart-app', 'vite.config.ts'), '--logLevel', 'warn', '--outDir', appDir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new AppBuildError(`The GP app could not be built: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new AppBuildError(`The GP app could not be built (vite exited ${code}):\n${output.trim()}`));
    });
  });
}
