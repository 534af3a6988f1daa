import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AppBuildError, appBundleState, ensureAppBundle } from '../../../src/smart/app-bundle.js';

describe('smart/app-bundle: is the built GP app current?', () => {
  let root: string;
  let appDir: string;
  const at = (file: string, secondsAgo: number) => utimes(path.join(root, file), new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000));

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sp-link-bundle-'));
    appDir = path.join(root, 'dist', 'smart-app');
    await mkdir(path.join(root, 'smart-app', 'src'), { recursive: true });
    await mkdir(appDir, { recursive: true });
    await writeFile(path.join(root, 'smart-app', 'src', 'app.tsx'), 'x');
    await at('smart-app/src/app.tsx', 60);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const built = async (inputs: string[]) => {
    await writeFile(path.join(appDir, 'build-info.json'), JSON.stringify({ inputs }));
    await writeFile(path.join(appDir, 'index.html'), '<html>');
    await at('dist/smart-app/index.html', 30);
  };

  it('is missing before the first build, and then a start without Vite says how to build it', async () => {
    expect(await appBundleState(appDir, root)).to.deep.equal({ state: 'missing' });
    const err = await ensureAppBundle({ appDir, root }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AppBuildError);
    expect((err as Error).message).to.contain('npm run build:app');
  });

  it('is current when no input changed since the build', async () => {
    await built(['smart-app/src/app.tsx']);
    expect(await appBundleState(appDir, root)).to.deep.equal({ state: 'current' });
    expect(await ensureAppBundle({ appDir, root })).to.equal('current');
  });

  it('is stale when an input is newer than the bundle, has gone, or the build did not record its inputs', async () => {
    await built(['smart-app/src/app.tsx']);
    await at('smart-app/src/app.tsx', 0);
    expect(await appBundleState(appDir, root)).to.deep.equal({ state: 'stale', changed: 'smart-app/src/app.tsx' });
    await built(['smart-app/src/gone.tsx']);
    expect(await appBundleState(appDir, root)).to.deep.equal({ state: 'stale', changed: 'smart-app/src/gone.tsx' });
    await rm(path.join(appDir, 'build-info.json'));
    expect(await appBundleState(appDir, root)).to.deep.equal({ state: 'stale', changed: 'build-info.json' });
  });

  it('serves a shipped bundle as it is where Vite is not installed', async () => {
    await built(['smart-app/src/app.tsx']);
    await at('smart-app/src/app.tsx', 0);
    expect(await ensureAppBundle({ appDir, root })).to.equal('prebuilt-unchecked');
  });
});
