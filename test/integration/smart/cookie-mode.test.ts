import os from 'node:os';
import path from 'node:path';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * Embedded cross-site mode (the EHR frames SP Link from another site) behind a TLS-terminating proxy:
 * the session cookie must be `SameSite=None; Secure; Partitioned` (CHIPS) and HttpOnly. The proxy is
 * simulated with `X-Forwarded-Proto: https` and `trustProxy: true`.
 */
describe('GP app: session cookie in embedded-cross-site mode (integration)', function () {
  this.timeout(180_000);
  let sys: TestSystem;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-cookie-mode-'));
    const yaml = (await readFile('config/default.yaml', 'utf8'))
      .replace(/^ {2}publicUrl: .*$/m, '  publicUrl: https://localhost:${PORT:-3000}')
      .replace(/^ {2}cookieMode: same-site$/m, '  cookieMode: embedded-cross-site\n  trustProxy: true');
    expect(yaml).to.contain('embedded-cross-site');
    const file = path.join(dir, 'embedded.yaml');
    await writeFile(file, yaml);
    sys = await startTestSystem({ configFile: file, background: false });
  });
  after(async () => {
    await sys?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('sets SameSite=None; Secure; Partitioned; HttpOnly on the pre-login launch cookie', async () => {
    const iss = sys.config.tenants[0]!.ehr.fhirBase;
    const res = await fetch(`${sys.url}/launch?${new URLSearchParams({ iss, launch: 'any-launch' })}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.status).to.equal(302);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sp_link_gp_launch='));
    expect(cookie).to.match(/;\s*HttpOnly/i).and.match(/;\s*Secure/i).and.match(/;\s*SameSite=None/i).and.match(/;\s*Partitioned/i);
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_uri')).to.equal(`${sys.config.server.publicUrl}/smart/callback`);
  });

  it('refuses a launch that reaches SP Link over plain http, where the Secure cookie could not work', async () => {
    const iss = sys.config.tenants[0]!.ehr.fhirBase;
    const res = await fetch(`${sys.url}/launch?${new URLSearchParams({ iss, launch: 'any-launch' })}`, { redirect: 'manual' });
    expect(res.status).to.equal(500);
    expect(res.headers.get('location')).to.equal(null);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('sp_link_gp'))).to.equal(false);
    expect(await res.text()).to.contain('ERR_CONFIG_INVALID');
  });
});
