import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { launchUrl } from '../../helpers/gp-launch.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * The attack and fault probe of SP Link, kept as tests: each case is something an anonymous client on the
 * network tried, and what SP Link must do about it. One loopback client plays the attacker.
 */

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PATIENT = 'pat-01';
const GP = 'gp-1';

async function burst(n: number, send: () => Promise<Response>): Promise<Response[]> {
  const out: Response[] = [];
  for (let i = 0; i < n; i++) {
    const r = await send();
    await r.arrayBuffer();
    out.push(r);
  }
  return out;
}

const sessionRows = async (sys: TestSystem, where = 'true') => (await sys.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE ${where}`)).rows[0]!.n;

describe('attack suite: login and token floods', function () {
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem({
      background: false,
      edit: (raw) => {
        // A window longer than the suite, so the counts do not depend on how fast the machine is.
        raw.rateLimits = { windowSeconds: 3600, login: { perIp: 700 }, token: { perIp: 1000, perClient: 20 }, webhook: { perIp: 1000, perEndpoint: 30 }, forms: { perIp: 1000, perAccount: 5 } };
        (raw.server as Record<string, unknown>).maxPreLoginSessions = 20;
      },
    });
  });
  after(async () => {
    await sys?.stop();
  });

  it('anonymous launches and workspace visits store no session; unfinished workspace sign-ins stay bounded', async () => {
    const before = await sessionRows(sys);
    const launch = await launchUrl(sys, { patient: PATIENT, practitioner: GP });
    const launches = await burst(200, () => fetch(launch, { redirect: 'manual' }));
    expect(launches.every((r) => r.status === 302), 'each launch goes to the EHR sign-in').to.equal(true);
    const visits = await burst(200, () => fetch(`${sys.url}/workspace/caseload`, { redirect: 'manual' }));
    expect(visits.every((r) => r.status === 303)).to.equal(true);
    expect(new URL(visits[0]!.headers.get('location')!, sys.url).searchParams.get('returnTo')).to.equal('/workspace/caseload');
    expect(await sessionRows(sys), 'no session row for a launch or a page visit').to.equal(before);

    const logins = await burst(250, () => fetch(`${sys.url}/workspace/login`, { redirect: 'manual' }));
    expect(logins.every((r) => r.status === 302)).to.equal(true);
    expect(await sessionRows(sys, 'pre_login'), 'unfinished sign-ins are capped').to.equal(20);
    const ttl = (await sys.db.query<{ s: number }>("SELECT max(extract(epoch FROM expires_at - now()))::int AS s FROM sessions WHERE pre_login")).rows[0]!.s;
    expect(ttl, 'and short-lived').to.be.at.most(15 * 60);
  });

  it('a burst on the launch answers 429 with Retry-After and an NHS-styled page, and still stores nothing', async () => {
    const before = await sessionRows(sys);
    const launch = await launchUrl(sys, { patient: PATIENT, practitioner: GP });
    const res = await burst(300, () => fetch(launch, { redirect: 'manual', headers: { accept: 'text/html' } }));
    const limited = res.filter((r) => r.status === 429);
    expect(limited.length, 'the burst is cut off').to.be.greaterThan(0);
    expect(Number(limited[0]!.headers.get('retry-after'))).to.be.greaterThan(0);
    const page = await (await fetch(launch, { redirect: 'manual', headers: { accept: 'text/html' } })).text();
    expect(page).to.contain('Too many attempts').and.contain('nhsuk');
    expect(await sessionRows(sys)).to.equal(before);
  });

  it('token requests for one client are limited, as JSON', async () => {
    const basic = `Basic ${Buffer.from('sandbox-dev:wrong-secret').toString('base64')}`;
    const res = await burst(60, () =>
      fetch(`${sys.url}/sandbox/auth/ehr/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' }),
    );
    const codes = res.map((r) => r.status);
    expect(codes.slice(0, 20).every((c) => c !== 429), 'the allowance is served').to.equal(true);
    expect(codes.slice(20).every((c) => c === 429), 'then refused').to.equal(true);
    const last = await fetch(`${sys.url}/sandbox/auth/ehr/token`, { method: 'POST', headers: { authorization: basic } });
    expect(((await last.json()) as { error: { code: string } }).error.code).to.equal('ERR_RATE_LIMITED');
  });

  it('webhooks for made-up endpoints share one allowance', async () => {
    const res = await burst(60, () => fetch(`${sys.url}/reconcile/webhook/junk-${Math.random().toString(36).slice(2)}`, { method: 'POST' }));
    expect(res.filter((r) => r.status === 429).length).to.equal(30);
  });

  it('the public sign-in form is limited per account name', async () => {
    const res = await burst(12, () =>
      fetch(`${sys.url}/sandbox/idp/interaction/no-such-uid/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=lw.jones' }),
    );
    expect(res.filter((r) => r.status === 429).length).to.equal(7);
  });
});

describe('attack suite: cross-site form posts on the workspace (Chromium, a second loopback origin)', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let browser: Browser;
  let evil: http.Server;
  let evilUrl: string;
  /** What the other site's page posts, set per test. */
  let evilForm = { action: '', fields: {} as Record<string, string> };

  before(async () => {
    sys = await startTestSystem({ background: false });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    // Another site: 127.0.0.1 is not the same site as localhost, where SP Link is.
    evil = http.createServer((_req, res) => {
      const inputs = Object.entries(evilForm.fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><form id="f" method="post" action="${evilForm.action}">${inputs}</form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', () => resolve()));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await browser?.close();
    evil?.closeAllConnections();
    await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
    await sys?.stop();
  });

  async function signedInPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${sys.url}/workspace`);
    await page.getByTestId('sign-in').click();
    await page.locator('[data-testid="sign-in-as"][data-username="sarah.whitfield"]').click();
    await page.waitForURL(/\/workspace\/caseload/);
    return page;
  }

  it('another site posting a case form while the link worker is signed in changes nothing: no sign-out, no kept text, no write', async () => {
    const page = await signedInPage();
    const href = await page.locator('[data-testid="caseload"] a').first().getAttribute('href');
    const caseId = href!.split('/').pop()!;
    const cookieBefore = (await page.context().cookies(sys.url)).find((c) => c.name === 'sp_link_ws')?.value;
    const rowsBefore = await sessionRows(sys);
    const versionBefore = (await sys.sandbox!.lw.repo.readResource('Task', caseId)).meta?.versionId;

    evilForm = { action: `${sys.url}/workspace/cases/${caseId}/session`, fields: { date: new Date().toISOString().slice(0, 10), mode: 'telephone', durationMinutes: '5', notes: 'PLANTED BY ANOTHER SITE' } };
    const answer = page.waitForResponse((r) => r.url().startsWith(`${sys.url}/workspace/cases/`) && r.request().method() === 'POST');
    await page.goto(evilUrl);
    expect((await answer).status(), 'refused').to.equal(403);

    expect((await page.context().cookies(sys.url)).find((c) => c.name === 'sp_link_ws')?.value, 'session cookie untouched').to.equal(cookieBefore);
    expect(await sessionRows(sys), 'no session created').to.equal(rowsBefore);
    await page.goto(`${sys.url}/workspace/cases/${caseId}`);
    expect(await page.getByTestId('signed-in-as').innerText(), 'still signed in').to.equal('Sarah Whitfield');
    expect(await page.content()).to.not.contain('PLANTED');
    expect((await sys.sandbox!.lw.repo.readResource('Task', caseId)).meta?.versionId, 'nothing written').to.equal(versionBefore);
  });

  it('a post without this browser session’s form token keeps nothing and sets no cookie, even from the same origin', async () => {
    const rowsBefore = await sessionRows(sys);
    const res = await fetch(`${sys.url}/workspace/cases/any-case/session`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: sys.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'notes=PLANTED&_csrf=made-up',
    });
    expect(res.status).to.equal(303);
    expect(res.headers.getSetCookie(), 'no session for an anonymous post').to.deep.equal([]);
    expect(await sessionRows(sys)).to.equal(rowsBefore);
  });

  it('the workspace may not be framed, and its two framing headers say so alike', async () => {
    const res = await fetch(`${sys.url}/workspace/sign-in`);
    expect(res.headers.get('x-frame-options')).to.equal('DENY');
    expect(res.headers.get('content-security-policy')).to.match(/frame-ancestors 'none'/);
  });
});

describe('attack suite: metrics and readiness', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let gateway: http.Server;
  const gatewayPages: string[] = [];
  const INTERNAL_BASE = 'http://fhir-internal.example:8080/fhir';
  before(async () => {
    // A link-worker server behind a gateway that writes the server's internal base into its next links.
    let gatewayBase = '';
    gateway = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://gateway');
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));
      if (url.pathname === '/fhir/metadata') return json({ resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01' });
      if (url.pathname === '/fhir/Task') {
        gatewayPages.push(url.searchParams.get('page') ?? '1');
        if (url.searchParams.get('page') === '2') return json({ resourceType: 'Bundle', type: 'searchset', entry: [] });
        // One Task on the first page (an empty page ends the feed), then paging through the gateway's internal base.
        const task = { resourceType: 'Task', id: 'gateway-task-1', status: 'requested', intent: 'order', meta: { versionId: '1', lastUpdated: '2026-01-01T00:00:00Z' } };
        return json({ resourceType: 'Bundle', type: 'searchset', entry: [{ fullUrl: `${gatewayBase}/Task/gateway-task-1`, resource: task }], link: [{ relation: 'next', url: `${INTERNAL_BASE}/Task?page=2` }] });
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', () => resolve()));
    gatewayBase = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/fhir`;
    // A link-worker endpoint that is down for good: a port nothing listens on any more.
    const gone = http.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', () => resolve()));
    const deadBase = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/fhir`;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    sys = await startTestSystem({
      background: false,
      edit: (raw) => {
        raw.metrics = { token: 'metrics-test-token', listen: { host: '127.0.0.1', port: 0 } };
        raw.linkWorkerEndpoints.push({ id: 'gone-away', name: 'A service whose server is down', fhirBase: deadBase, auth: { type: 'none' }, subscriptions: { enabled: false } } as never);
        raw.linkWorkerEndpoints.push({ id: 'behind-gateway', name: 'Behind a gateway', fhirBase: gatewayBase, auth: { type: 'none' }, subscriptions: { enabled: false } } as never);
        raw.linkWorkerEndpoints.push({ id: 'behind-gateway-fixed', name: 'Behind a gateway, configured', fhirBase: gatewayBase, nextLinkBase: INTERNAL_BASE, auth: { type: 'none' }, subscriptions: { enabled: false } } as never);
      },
    });
  });
  after(async () => {
    await sys?.stop();
    gateway?.closeAllConnections();
    await new Promise<void>((resolve) => (gateway ? gateway.close(() => resolve()) : resolve()));
  });

  const scrape = async () => {
    const res = await fetch(`${sys.metricsUrl}/metrics`, { headers: { authorization: 'Bearer metrics-test-token' } });
    expect(res.status).to.equal(200);
    return res.text();
  };

  it('/metrics is served only on the admin address, and only with the bearer token', async () => {
    expect(sys.metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${sys.url}/metrics`)).status, 'not on the public port').to.equal(404);
    expect((await fetch(`${sys.metricsUrl}/metrics`)).status).to.equal(401);
    expect((await fetch(`${sys.metricsUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).to.equal(401);
    expect(await scrape()).to.match(/^# HELP /m);
  });

  it('2,000 junk webhooks and URLs leave /metrics the same size, give 404 and count under one `unknown` label', async () => {
    await fetch(`${sys.url}/reconcile/webhook/warm-up`, { method: 'POST' });
    await fetch(`${sys.url}/junk-warm-up`);
    const before = await scrape();
    const junk = (i: number) =>
      i % 2
        ? fetch(`${sys.url}/reconcile/webhook/junk-${i}-${Math.random().toString(36).slice(2)}`, { method: 'POST', headers: { 'x-sp-link-webhook-secret': `guess-${i}` } })
        : fetch(`${sys.url}/junk-${i}-${Math.random().toString(36).slice(2)}`);
    const statuses = new Set<number>();
    for (let i = 0; i < 2000; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, k) => junk(i + k)));
      for (const r of batch) {
        statuses.add(r.status);
        await r.arrayBuffer();
      }
    }
    expect([...statuses]).to.deep.equal([404]);
    const after = await scrape();
    const series = (text: string) => text.split('\n').filter((l) => l.startsWith('sp_link_reconcile_notifications_total{')).length;
    expect(series(after), 'no series per made-up endpoint').to.equal(series(before));
    expect(after).to.contain('sp_link_reconcile_notifications_total{endpoint="unknown",result="unknown-endpoint"} ');
    expect(after).to.not.match(/junk-/);
    // Only counters and histogram counts grew (digits), no new series: a few hundred bytes at most.
    expect(after.length - before.length).to.be.lessThan(2_000);
  });

  it('one link-worker endpoint down: /readyz stays 200 with that endpoint shown down, in the metrics too', async () => {
    const res = await fetch(`${sys.url}/readyz`);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string; critical: boolean; detail?: string }> };
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(body.status).to.equal('ready');
    expect(body.checks['fhir:lw:gone-away']).to.deep.include({ status: 'down', critical: false });
    expect(body.checks.store).to.deep.include({ status: 'up', critical: true });
    expect(await scrape()).to.contain('sp_link_endpoint_up{endpoint="gone-away",kind="lw"} 0');
  });

  it('refused next links show the endpoint as stalled, with an alert metric; nextLinkBase reads them from the endpoint', async () => {
    const { endpoints } = await sys.reconciler!.runOnce();
    expect(endpoints['behind-gateway']!.status).to.equal('stopped-on-failure');
    expect(endpoints['behind-gateway-fixed']!.status, JSON.stringify(endpoints['behind-gateway-fixed'])).to.equal('caught-up');
    expect(gatewayPages, 'the configured endpoint read page 2 through the gateway').to.include('2');
    const res = await fetch(`${sys.url}/readyz`);
    const body = (await res.json()) as { checks: Record<string, { status: string; detail?: string }> };
    expect(res.status, 'still ready').to.equal(200);
    expect(body.checks['reconcile:behind-gateway']!.detail).to.match(/^STALLED/);
    expect(body.checks['reconcile:behind-gateway-fixed']!.status).to.equal('up');
    const metrics = await scrape();
    expect(metrics).to.contain('sp_link_reconcile_endpoint_stalled{endpoint="behind-gateway"} 1');
    expect(metrics).to.contain('sp_link_reconcile_endpoint_stalled{endpoint="behind-gateway-fixed"} 0');
  });
});
