import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { createSandboxFhirServer, type SandboxFhirServer } from '../../../src/sandbox/fhir/index.js';
import { createSandboxIdp } from '../../../src/sandbox/idp/index.js';
import { ehrSeed, lwSeed } from '../../../src/sandbox/demo/index.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { OidcStore } from '../../../src/store/oidc-adapter.js';
import { createWorkspace } from '../../../src/workspace/index.js';
import { FhirClient } from '../../../src/fhir/client.js';
import { validateForWrite } from '../../../src/fhir/validate/index.js';
import type { Fetch } from '../../helpers/tls.js';

/**
 * The workspace with just what it needs, over real HTTP on an ephemeral port: in-memory PGlite, the
 * sandbox EHR and link-worker FHIR servers with demo data, and the sandbox staff IdP.
 */
/**
 * The link-worker client the harness gives the workspace. `beforeTransaction` lets a test make a
 * colleague's concurrent save land between the workspace's read and its write (a real 412).
 */
export class RacingClient extends FhirClient {
  beforeTransaction?: () => Promise<void>;
  override async transaction(...args: Parameters<FhirClient['transaction']>): ReturnType<FhirClient['transaction']> {
    const hook = this.beforeTransaction;
    this.beforeTransaction = undefined;
    if (hook) await hook();
    return super.transaction(...args);
  }
}

export interface WorkspaceHarness {
  url: string;
  lwClient: RacingClient;
  config: Config;
  db: Db;
  lw: SandboxFhirServer;
  ehr: SandboxFhirServer;
  stop(): Promise<void>;
}

/**
 * `now`: the workspace's clock (what "today" is for its pages and rules), for tests that move time on. `configure`:
 * changes to config/default.yaml (the parsed config is frozen: return a changed copy).
 */
export async function startWorkspaceHarness(opts: { now?: () => Date; configure?: (c: Config) => Config } = {}): Promise<WorkspaceHarness> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-ws-'));
  const file = path.resolve('config/default.yaml');
  const env = { ...process.env, PORT: String(port), SP_LINK_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', DATABASE_URL: '' };
  const parsed = parseConfig(await readFile(file, 'utf8'), file, env);
  const config = opts.configure ? opts.configure(parsed) : parsed;
  const url = `http://localhost:${port}`;
  const urls = { ehr: `${url}/sandbox/ehr/fhir`, lw: `${url}/sandbox/lw/fhir` };
  const now = new Date();
  const db = await openDb({ memory: true });
  const ehr = await createSandboxFhirServer({ name: 'ehr', baseUrl: urls.ehr, seed: () => ehrSeed(urls, now) });
  const lw = await createSandboxFhirServer({ name: 'lw', baseUrl: urls.lw, seed: () => lwSeed(urls, now) });
  const oidcStore = new OidcStore(db, { secret: config.server.sessionSecret });
  const idp = await createSandboxIdp({ config, dataDir, lwBase: urls.lw, store: oidcStore });
  // The harness's sandbox servers have no authorization in front of them, so plain clients will do.
  const lwClient = new RacingClient({ baseUrl: urls.lw, validate: validateForWrite });
  const workspace = createWorkspace({
    config, db,
    ...(opts.now ? { now: opts.now } : {}),
    linkWorkerFhir: lwClient,
    ehrFhir: Object.fromEntries(config.tenants.map((t) => [t.id, new FhirClient({ baseUrl: urls.ehr })])),
  });
  const app = express();
  app.use(idp.router);
  app.use('/sandbox/ehr/fhir', ehr.router);
  app.use('/sandbox/lw/fhir', lw.router);
  app.use('/workspace', workspace);
  server.on('request', app);
  return {
    url, config, db, lw, ehr, lwClient,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      workspace.close();
      await Promise.all([idp.close(), lw.close(), ehr.close()]);
      oidcStore.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A scripted browser: cookies by path, redirects followed by hand, HTML back as text. `send`: e.g. a fetch trusting a test CA. */
export class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();
  constructor(
    readonly base: string,
    private readonly send: Fetch = fetch,
  ) {}

  private cookieHeader(pathname: string): string {
    return [...this.cookies].filter(([, c]) => pathname.startsWith(c.path)).map(([n, c]) => `${n}=${c.value}`).join('; ');
  }

  private store(res: Response, pathname: string): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const p = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? pathname.replace(/\/[^/]*$/, '/');
      const expired = attrs.some((a) => /^expires=/i.test(a.trim()) && Date.parse(a.trim().slice(8)) < Date.now()) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, path: p });
    }
  }

  /** One request, no redirect following. */
  async raw(method: string, url: string, form?: Record<string, string | string[]>): Promise<Response> {
    const u = new URL(url, this.base);
    const headers: Record<string, string> = { cookie: this.cookieHeader(u.pathname) };
    let body: string | undefined;
    if (form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      body = p.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await this.send(u, { method, headers, body, redirect: 'manual' });
    this.store(res, u.pathname);
    return res;
  }

  /** Follows redirects (303/302 → GET) and returns the final response and its text. */
  async go(method: string, url: string, form?: Record<string, string | string[]>): Promise<{ status: number; url: string; text: string }> {
    let res = await this.raw(method, url, form);
    let at = new URL(url, this.base).href;
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
      at = new URL(res.headers.get('location')!, at).href;
      await res.arrayBuffer();
      res = await this.raw('GET', at);
    }
    return { status: res.status, url: at, text: await res.text() };
  }

  get(url: string) {
    return this.go('GET', url);
  }

  post(url: string, form: Record<string, string | string[]>) {
    return this.go('POST', url, form);
  }

  /** Signs in through the sandbox IdP as `username`; returns the page landed on. */
  async signIn(username: string): Promise<{ status: number; url: string; text: string }> {
    const page = await this.get('/workspace/login');
    const action = /<form method="post" action="([^"]+)" data-testid="username-form"/.exec(page.text)?.[1];
    if (!action) throw new Error(`no IdP sign-in form at ${page.url} (${page.status})`);
    // The form is the IdP's: its action is relative to the IdP's page, wherever the IdP is served.
    return this.post(new URL(action.replaceAll('&amp;', '&'), page.url).href, { username });
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** Hidden form fields (`_csrf`, `version`) of the case page form that posts to `action`. */
export function formFields(html: string, action: string): { _csrf: string; version: string } {
  const i = html.indexOf(`action="${action}"`);
  if (i < 0) throw new Error(`no form posting to ${action}`);
  const chunk = html.slice(i, i + 600);
  return {
    _csrf: /name="_csrf" value="([^"]*)"/.exec(chunk)?.[1] ?? '',
    version: /name="version" value="([^"]*)"/.exec(chunk)?.[1] ?? '',
  };
}
