import { expect } from 'chai';
import express from 'express';
import { frameAncestorsFromConfig, securityHeaders } from '../../../src/http/security.js';
import { listen } from '../../helpers/http.js';

describe('http/security', () => {
  it('CSP frame-ancestors lists the configured EHR origins and X-Frame-Options is dropped', async () => {
    const app = express();
    app.use(securityHeaders({ frameAncestors: ['https://ehr.riverside.nhs.uk', 'https://gp.example.org:8443'], https: true }));
    app.get('/', (_req, res) => void res.send('ok'));
    const srv = await listen(app);
    try {
      const res = await fetch(srv.url);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).to.contain("frame-ancestors 'self' https://ehr.riverside.nhs.uk https://gp.example.org:8443");
      expect(csp).to.contain("default-src 'self'").and.contain("object-src 'none'").and.contain('upgrade-insecure-requests');
      expect(res.headers.get('x-frame-options')).to.equal(null);
      expect(res.headers.get('strict-transport-security')).to.contain('max-age=31536000');
    } finally {
      await srv.close();
    }
  });

  it('without frame ancestors only the same origin may frame; plain http sends no HSTS or upgrade', async () => {
    const app = express();
    app.use(securityHeaders({ frameAncestors: [], https: false }));
    app.get('/', (_req, res) => void res.send('ok'));
    const srv = await listen(app);
    try {
      const res = await fetch(srv.url);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).to.contain("frame-ancestors 'self'").and.not.contain('upgrade-insecure-requests');
      expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).to.equal(null);
    } finally {
      await srv.close();
    }
  });

  it('refuses a frame ancestor that could inject CSP directives', () => {
    expect(() => securityHeaders({ frameAncestors: ["https://ehr.test; script-src 'unsafe-inline'"], https: true })).to.throw(/invalid frame ancestor/);
    expect(() => securityHeaders({ frameAncestors: ['*'], https: true })).to.throw(/invalid frame ancestor/);
  });

  it('collects frame ancestors from every tenant, without duplicates', () => {
    const cfg = { tenants: [{ frameAncestors: ['https://a.test'] }, { frameAncestors: ['https://a.test', 'https://b.test'] }] };
    expect(frameAncestorsFromConfig(cfg as unknown as Parameters<typeof frameAncestorsFromConfig>[0])).to.deep.equal(['https://a.test', 'https://b.test']);
  });
});
