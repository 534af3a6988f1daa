import { expect } from 'chai';
import express from 'express';
import { configSchema } from '../../../src/config/schema.js';
import { createRateLimits, type RateLimitPaths } from '../../../src/http/rate-limits.js';
import type { Db } from '../../../src/store/db.js';
import { listen } from '../../helpers/http.js';

const PATHS: RateLimitPaths = { login: ['/launch'], token: ['/token'], webhook: '/webhook/:endpointId', forms: ['/form'] };
const limitsOf = (over: Record<string, unknown>) => configSchema.shape.rateLimits.parse(over);

async function appWith(rateLimits: ReturnType<typeof limitsOf>) {
  const limits = createRateLimits({ config: { rateLimits }, db: { kind: 'pglite' } as Db, paths: PATHS, knownEndpoints: ['lw-1'] });
  const app = express();
  app.use(limits.router);
  app.all(['/launch', '/token', '/webhook/:endpointId'], (_req, res) => void res.send('ok'));
  app.post('/form', (req, res) => void res.json(req.body));
  const srv = await listen(app);
  return { ...srv, close: async () => (limits.close(), srv.close()) };
}

async function statuses(n: number, req: () => Promise<Response>): Promise<{ codes: number[]; last: Response }> {
  const codes: number[] = [];
  let last!: Response;
  for (let i = 0; i < n; i++) {
    last = await req();
    codes.push(last.status);
    if (i < n - 1) await last.arrayBuffer();
  }
  return { codes, last };
}

describe('http/rate-limits', () => {
  it('defaults every group and refuses a limit below 1', () => {
    const d = limitsOf({});
    expect(d).to.include({ enabled: true, windowSeconds: 60 });
    expect(d.login.perIp).to.be.a('number');
    expect(() => limitsOf({ login: { perIp: 0 } })).to.throw();
  });

  it('a person gets an NHS-styled 429 page with Retry-After; an API gets ERR_RATE_LIMITED JSON', async () => {
    const srv = await appWith(limitsOf({ login: { perIp: 2 } }));
    try {
      const page = await statuses(3, () => fetch(`${srv.url}/launch`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } }));
      expect(page.codes).to.deep.equal([200, 200, 429]);
      expect(Number(page.last.headers.get('retry-after'))).to.be.greaterThan(0);
      const body = await page.last.text();
      expect(body).to.contain('nhsuk-frontend').and.contain('Too many attempts').and.contain('ERR_RATE_LIMITED');
      const api = await fetch(`${srv.url}/launch`, { headers: { accept: 'application/json' } });
      expect(api.status).to.equal(429);
      expect(api.headers.get('retry-after')).to.be.a('string');
      expect(await api.json()).to.deep.equal({ error: { code: 'ERR_RATE_LIMITED', message: 'Too many requests; try again shortly.' } });
    } finally {
      await srv.close();
    }
  });

  it('token requests are limited per client as well as per IP', async () => {
    const srv = await appWith(limitsOf({ token: { perIp: 100, perClient: 2 } }));
    const basic = (id: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:secret`).toString('base64')}` });
    try {
      const a = await statuses(3, () => fetch(`${srv.url}/token`, { method: 'POST', headers: basic('client-a') }));
      expect(a.codes).to.deep.equal([200, 200, 429]);
      const b = await fetch(`${srv.url}/token`, { method: 'POST', headers: basic('client-b') });
      expect(b.status, 'another client has its own allowance').to.equal(200);
    } finally {
      await srv.close();
    }
  });

  it('webhooks for made-up endpoint ids share one allowance', async () => {
    const srv = await appWith(limitsOf({ webhook: { perIp: 100, perEndpoint: 3 } }));
    try {
      const junk = await statuses(4, () => fetch(`${srv.url}/webhook/junk-${Math.random()}`, { method: 'POST' }));
      expect(junk.codes).to.deep.equal([200, 200, 200, 429]);
      expect((await fetch(`${srv.url}/webhook/lw-1`, { method: 'POST' })).status, 'a configured endpoint is not starved by junk').to.equal(200);
    } finally {
      await srv.close();
    }
  });

  it('a public form is limited per account name, and the form still reads its body', async () => {
    const srv = await appWith(limitsOf({ forms: { perIp: 100, perAccount: 2 } }));
    const post = (username: string) => fetch(`${srv.url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=${username}` });
    try {
      const r = await statuses(3, () => post('Alice'));
      expect(r.codes).to.deep.equal([200, 200, 429]);
      const other = await post('bob');
      expect(await other.json()).to.deep.equal({ username: 'bob' });
    } finally {
      await srv.close();
    }
  });

  it('enabled: false mounts nothing', async () => {
    const srv = await appWith(limitsOf({ enabled: false, login: { perIp: 1 } }));
    try {
      expect((await statuses(3, () => fetch(`${srv.url}/launch`))).codes).to.deep.equal([200, 200, 200]);
    } finally {
      await srv.close();
    }
  });
});
