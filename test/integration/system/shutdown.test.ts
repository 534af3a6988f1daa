import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort } from '../../helpers/http.js';

/**
 * `sp-link start` stopped by a signal while a request and a reconcile run are in flight, against a link-worker
 * endpoint that accepts connections and never answers. The process must exit by `server.shutdownSeconds` even with
 * its stdout closed, and a second signal must end it at once.
 */
describe('system: stopping sp-link start with work in flight', function () {
  this.timeout(300_000);
  let dir: string;
  let configFile: string;
  let hang: http.Server;
  const hangRequests: string[] = [];
  let child: ChildProcessWithoutNullStreams | undefined;
  const ADMIN = { authorization: 'Bearer sandbox-admin-token' };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-shutdown-'));
    // Accepts every request and never answers.
    hang = http.createServer((req) => void hangRequests.push(req.url ?? ''));
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', () => resolve()));
    const raw = parseYaml(await readFile('config/default.yaml', 'utf8')) as Record<string, Record<string, unknown>> & { linkWorkerEndpoints: unknown[] };
    raw.linkWorkerEndpoints.push({
      id: 'never-answers',
      name: 'A service whose server never answers',
      fhirBase: `http://127.0.0.1:${(hang.address() as AddressInfo).port}/fhir`,
      auth: { type: 'none' },
      subscriptions: { enabled: false },
    });
    raw.server!.shutdownSeconds = 6;
    configFile = path.join(dir, 'sp-link.yaml');
    await writeFile(configFile, stringifyYaml(raw));
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    hang?.closeAllConnections();
    await new Promise<void>((resolve) => (hang ? hang.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts SP Link; resolves with its URL once the banner is out, and collects its output. */
  async function start(): Promise<{ url: string; out: { stdout: string; stderr: string }; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', '--config', configFile], {
      env: { ...process.env, PORT: String(port), SP_LINK_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'info', LOG_FORMAT: 'auto', DATABASE_URL: '' },
    });
    const out = { stdout: '', stderr: '' };
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout.on('data', (d: Buffer) => {
        out.stdout += d.toString();
        const m = /SP Link is up on (\S+)/.exec(out.stdout);
        if (m) resolve(m[1]!);
      });
      void exited.then(({ code }) => reject(new Error(`sp-link start exited ${code}:\n${out.stdout}\n${out.stderr}`)));
    });
    return { url, out, exited };
  }

  /** Runs another sp-link command with the same --config and none of the instance's PORT or SP_LINK_DATA_DIR. */
  function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '' };
      delete env.PORT;
      delete env.SP_LINK_DATA_DIR;
      const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--config', configFile], { env });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** A reconcile run through the admin API: it reaches the endpoint that never answers and stays in flight. */
  async function reconcileInFlight(url: string): Promise<Promise<unknown>> {
    const seen = hangRequests.length;
    const inFlight = fetch(`${url}/admin/api/reconcile/run`, { method: 'POST', headers: ADMIN }).then((r) => r.text(), (err: unknown) => err);
    while (hangRequests.length === seen) await new Promise((resolve) => setTimeout(resolve, 50));
    return inFlight;
  }

  it('logs JSON lines when stdout is not a terminal, probes and static files below info; exits by the deadline with stdout closed', async () => {
    const { url, out, exited } = await start();
    for (let i = 0; i < 5; i++) await (await fetch(`${url}/healthz`)).arrayBuffer();
    await (await fetch(`${url}/profiles`)).arrayBuffer();
    while (!out.stdout.includes('"url":"/profiles"')) await new Promise((resolve) => setTimeout(resolve, 50));
    const logLines = out.stdout.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).to.be.greaterThan(0);
    for (const l of logLines) expect(() => JSON.parse(l), l).to.not.throw();
    expect(out.stdout, 'a health check is not logged at info').to.not.contain('"url":"/healthz"');

    // Another command with the same --config finds this instance without being told its port.
    const listed = await cli(['dead-letters', 'list', '--json']);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(JSON.parse(listed.stdout)).to.be.an('array');

    const request = await reconcileInFlight(url);
    // Nobody reads the log any more: every write from here on fails.
    child!.stdout.destroy();
    child!.kill('SIGTERM');
    const { code } = await exited;
    expect(code, out.stderr).to.equal(1);
    expect(out.stderr).to.contain('SIGTERM received: finishing in-flight work');
    expect(out.stderr).to.contain('Stopped at the 6 s deadline with work still in flight');
    expect(out.stderr).to.not.match(/EPIPE|Unhandled|uncaught/i);
    // The request in flight was cut at the end of the drain period, not left hanging.
    await request;
  });

  it('a second signal exits at once, with 128 + the signal number', async () => {
    const { url, out, exited } = await start();
    void (await reconcileInFlight(url));
    child!.kill('SIGTERM');
    while (!out.stderr.includes('SIGTERM received')) await new Promise((resolve) => setTimeout(resolve, 20));
    child!.kill('SIGTERM');
    const { code } = await exited;
    expect(code, out.stderr).to.equal(128 + os.constants.signals.SIGTERM);
    expect(out.stderr).to.contain('SIGTERM received again: exiting now.');

    // Nothing runs now: one line saying so and what to do, and the documented exit code (69, EX_UNAVAILABLE).
    const refused = await cli(['dead-letters', 'list']);
    expect(refused.code, refused.stderr).to.equal(69);
    expect(refused.stderr.trim().split('\n')).to.have.length(1);
    expect(refused.stderr).to.match(/^sp-link dead-letters: cannot reach SP Link at http:\/\/localhost:\d+ \(ECONNREFUSED\)\. Fix: start it/);
  });
});
