import { expect } from 'chai';
import { checkBackendScopes, checkIntakeScopes, grantedPermissions, INTAKE_EHR_NEEDS, missingScopes, scopeNeeds, scopeOptions } from '../../../src/doctor/scope-checks.js';
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../../../src/config/load.js';
import type { EndpointAuthConfig } from '../../../src/config/schema.js';

describe('doctor: backend scope check', () => {
  it('reads SMART v2 and v1 system scopes, wildcards and query constraints', () => {
    const g = grantedPermissions('launch system/Observation.crus system/Task.read system/Flag.write system/*.s system/Communication.c?category=x patient/Patient.r');
    expect([...g.get('Observation')!].sort().join('')).to.equal('crsu');
    expect([...g.get('Task')!].sort().join('')).to.equal('rs');
    expect([...g.get('Flag')!].sort().join('')).to.equal('cdu');
    expect([...g.get('*')!].join('')).to.equal('s');
    expect([...g.get('Communication')!].join('')).to.equal('c');
    expect(g.has('Patient'), 'patient/ scopes are not a system client’s').to.equal(false);
  });

  it('names each missing permission with what it is for', () => {
    const missing = missingScopes('system/ServiceRequest.rus system/Observation.crs system/Communication.cr system/Flag.cr system/Provenance.c system/Patient.rs', scopeNeeds('ehr'));
    expect(missing.map((m) => `${m.resource}:${m.missing}`)).to.deep.equal(['Observation:u', 'Encounter:rs']);
    expect(missing[0]!.why).to.contain('corrections');
    expect(missing[1]!.why).to.contain('GP appointments');
    expect(missingScopes('system/*.cruds', scopeNeeds('link-worker', { subscriptions: true, workspace: true }))).to.deep.equal([]);
    expect(missingScopes('system/Task.crus system/Observation.rs system/HealthcareService.rs system/Provenance.c', scopeNeeds('link-worker', { workspace: true })).map((m) => `${m.resource}:${m.missing}`)).to.deep.equal(['Observation:cu']);
  });

  it('fails with a fix, passes, or skips auth without scopes', () => {
    const auth = { type: 'client-credentials' as const, clientId: 'c', clientSecret: 's', scope: 'system/Task.crus' };
    const [fail] = checkBackendScopes('link-worker:x', 'link-worker', auth, { subscriptions: true });
    expect(fail!.status).to.equal('FAIL');
    expect(fail!.fix).to.contain('system/Subscription.cruds');
    expect(checkBackendScopes('ehr:x', 'ehr', { type: 'bearer', token: 't' }, {})[0]!.status).to.equal('SKIP');
  });

  describe('a practice intake sends to: the GP-record write (ServiceRequest, Communication, Provenance create)', () => {
    const auth = (scope: string) => ({ type: 'smart-backend' as const, clientId: 'c', privateKey: 'k', kid: 'kid', alg: 'RS384' as const, scope });
    const EHR = 'system/ServiceRequest.crus system/Observation.crus system/Communication.cr system/Flag.cr system/Provenance.c system/Patient.rs';

    it('fails when the configured scope cannot create them, naming each, the scopes to add and what happens meanwhile', () => {
      const [c] = checkIntakeScopes('ehr:p', auth('system/ServiceRequest.rus system/Communication.r system/Provenance.c'), undefined);
      expect(c!.status).to.equal('FAIL');
      expect(c!.detail).to.contain('ServiceRequest.c').and.contain('Communication.c').and.not.contain('Provenance');
      expect(c!.fix).to.contain('system/ServiceRequest.c system/Communication.c system/Provenance.c').and.contain('ehr.auth.scope').and.contain('dead-lettered');
    });

    it('fails when the token the EHR issued carries less than was asked for', () => {
      const [c] = checkIntakeScopes('ehr:p', auth(EHR), 'system/ServiceRequest.rus system/Communication.cr system/Patient.rs');
      expect(c!.status).to.equal('FAIL');
      expect(c!.detail).to.match(/granted ".*", without ServiceRequest\.c, Provenance\.c$/);
      expect(c!.fix).to.contain('EHR\'s administrator');
    });

    it('passes when granted (or when the token response names no scope: granted as asked), wildcards and v1 scopes included', () => {
      expect(checkIntakeScopes('ehr:p', auth(EHR), EHR)[0]!.status).to.equal('PASS');
      expect(checkIntakeScopes('ehr:p', auth(EHR), undefined)[0]!.status).to.equal('PASS');
      expect(checkIntakeScopes('ehr:p', auth('system/*.write system/*.read'), 'system/*.cruds')[0]!.status).to.equal('PASS');
      expect(checkIntakeScopes('ehr:p', { type: 'bearer', token: 't' }, undefined)[0]!.status).to.equal('SKIP');
    });

    it('applies only to the practices whose link-worker endpoint intake sends to, and only while intake is on', () => {
      const tenants = [{ id: 'a', linkWorkerEndpoint: 'lw1' }, { id: 'b', linkWorkerEndpoint: 'lw2' }] as never;
      const intake = { enabled: true, linkWorkerEndpoint: 'lw1' } as never;
      expect(scopeOptions({ tenants, intake }, 'ehr', 'a').intake).to.equal(true);
      expect(scopeOptions({ tenants, intake }, 'ehr', 'b').intake).to.equal(false);
      expect(scopeOptions({ tenants, intake: { enabled: false, linkWorkerEndpoint: 'lw1' } as never }, 'ehr', 'a').intake).to.equal(false);
      expect(scopeOptions({ tenants }, 'ehr', 'a').intake).to.equal(false);
    });
  });

  it('the shipped configurations grant what SP Link needs', async () => {
    for (const file of ['config/default.yaml', 'config/production.example.yaml']) {
      const text = await readFile(file, 'utf8');
      const vars = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1] as string);
      const env = Object.fromEntries(vars.map((v) => [v, v.includes('SECRET') ? 'y'.repeat(40) : `value-of-${v}`]));
      const config = parseConfig(text, file, env);
      const scopeOf = (a: EndpointAuthConfig) => (a.type === 'smart-backend' || a.type === 'client-credentials' ? a.scope : 'system/*.cruds');
      for (const t of config.tenants) {
        expect(missingScopes(scopeOf(t.ehr.auth), scopeNeeds('ehr')), `${file} ${t.id}`).to.deep.equal([]);
        if (scopeOptions(config, 'ehr', t.id).intake) expect(missingScopes(scopeOf(t.ehr.auth), INTAKE_EHR_NEEDS), `${file} ${t.id}: intake`).to.deep.equal([]);
      }
      for (const e of config.linkWorkerEndpoints) {
        const work = { subscriptions: e.subscriptions.enabled, workspace: config.workspace?.linkWorkerEndpoint === e.id };
        expect(missingScopes(scopeOf(e.auth), scopeNeeds('link-worker', work)), `${file} ${e.id}`).to.deep.equal([]);
      }
    }
  });
});
