import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { CHROMIUM, startChromium } from '../helpers/browser.js';

/**
 * The README's promise, kept as a newcomer meets it: clone the repository, `npm install && npm start`, open the sandbox
 * GP system and launch SP Link. Nothing is built beforehand, npm runs on the system Node (not the project's
 * node_modules/.bin), and packages come from the npm cache. The committed tree (HEAD) is what gets cloned.
 */
describe('fresh clone: npm install && npm start, then launch the GP app in Chromium (e2e)', function () {
  this.timeout(420_000);
  let dir: string;
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url: string;
  let startOutput = '';

  // What a newcomer's shell has: no project bin directory on PATH, no npm script variables, no test database.
  const newcomerEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SP_LINK_DATA_DIR', 'INIT_CWD'].includes(k)) env[k] = v;
    env.PATH = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((p) => !p.includes(`node_modules${path.sep}.bin`))
      .join(path.delimiter);
    env.npm_config_prefer_offline = 'true';
    return env;
  };

  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> =>
    new Promise((resolve) => {
      const child = spawn(cmd, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
    const repo = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
    dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-clone-'));
    execFileSync('git', ['clone', '--quiet', repo, dir]);
  });

  after(async () => {
    await browser?.close();
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      process.kill(-server.pid, 'SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('installs with npm on the system Node, explaining any engine warnings it prints', async () => {
    const env = newcomerEnv();
    const { code, output } = await run('npm', ['install'], env);
    expect(code, output).to.equal(0);
    expect(existsSync(path.join(dir, 'dist', 'smart-app', 'index.html')), 'nothing is built yet').to.equal(false);
    const npmNode = Number(/^v(\d+)/.exec(execFileSync('node', ['--version'], { env, encoding: 'utf8' }))![1]);
    const warnings = output.split('\n').filter((l) => /^npm warn/i.test(l));
    for (const w of warnings) expect(w, 'only engine warnings, which the install note explains').to.match(/EBADENGINE/);
    if (npmNode < 22) {
      expect(warnings.length, 'npm on an older Node warns about engines').to.be.greaterThan(0);
      expect(output).to.contain('They are expected and harmless: SP Link runs on Node v24');
    } else {
      expect(warnings).to.deep.equal([]);
    }
  });

  it('starts with npm start and prints where to go', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    server = spawn('npm', ['start'], { cwd: dir, env: { ...newcomerEnv(), PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const up = new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        startOutput += d.toString();
        const m = /SP Link is up on (\S+)/.exec(startOutput);
        if (m) resolve(m[1]!);
      };
      server!.stdout!.on('data', onData);
      server!.stderr!.on('data', onData);
      server!.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${startOutput}`)));
    });
    url = await up;
    expect(startOutput).to.contain(`Sandbox GP system (start here)  http://localhost:${port}/sandbox/ehr`);
  });

  it('launches SP Link from the sandbox GP system and shows the GP app for the chosen patient', async () => {
    browser = await startChromium();
    const page = await browser.newPage();
    await page.goto(`${url}/sandbox/ehr`);
    await page.getByLabel('Signed in clinician').selectOption('gp-1');
    await page.locator('#change-clinician').click();
    await page.waitForURL(/clinician=gp-1/);
    const patient = page.locator('[data-testid="patient-list"] a[data-testid="open-patient"]').first();
    await patient.click();
    const nhs = (await page.locator('[data-testid="banner-nhs-number"]').innerText()).replace(/\s/g, '');
    await page.getByRole('button', { name: 'Social prescribing (SP Link)' }).click();
    const app = page.frameLocator('iframe#sp-link-frame');
    await app.locator('[data-testid="referring-patient"]').waitFor({ timeout: 60_000 });
    expect((await app.locator('[data-testid="referring-patient"]').innerText()).replace(/\s/g, '')).to.contain(nhs);
    expect(startOutput).to.contain('Built the GP app');
  });
});
