import { expect } from 'chai';
import { launchUrl } from '../../helpers/gp-launch.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * The attack and fault probe of SP Link, kept as tests: each case is something an anonymous client on the
 * network tried, and what SP Link must do about it. One loopback client plays the attacker.
 */

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
