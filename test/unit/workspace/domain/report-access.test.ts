import { expect } from 'chai';
import { reportAccess } from '../../../../src/workspace/domain/report-access.js';
import type { Role } from '../../../../src/workspace/domain/actor.js';

const config = {
  linkWorkerEndpoints: [{ id: 'connect', organizationOdsCode: 'Y99950' }, { id: 'carers', organizationOdsCode: 'Y99960' }, { id: 'other' }],
  reports: { areas: [{ organisation: 'Y99990', pcns: ['Central PCN'], practices: ['Y99909'] }, { commissioner: 'carol', pcns: ['Vale PCN'], practices: [] }] },
} as unknown as Parameters<typeof reportAccess>[1];
const actor = (roles: Role[], orgOds: string, sub = 'someone') => ({ sub, orgOds, roles });

describe('workspace/domain/report-access: who sees which referrals in the reports', () => {
  it('a service manager sees their own organisation’s services', () => {
    expect(reportAccess(actor(['service-manager'], 'Y99950'), config)).to.deep.equal({ ok: true, within: { services: ['connect'] } });
  });

  it('a commissioner sees their organisation’s area, and one named for them', () => {
    expect(reportAccess(actor(['commissioner'], 'Y99990'), config)).to.deep.equal({ ok: true, within: { pcns: ['Central PCN'], practices: ['Y99909'] } });
    expect(reportAccess(actor(['commissioner'], 'Y99990', 'carol'), config)).to.deep.equal({ ok: true, within: { pcns: ['Central PCN', 'Vale PCN'], practices: ['Y99909'] } });
  });

  it('someone with both roles sees their services within their area', () => {
    expect(reportAccess(actor(['commissioner', 'service-manager'], 'Y99990', 'carol'), { ...config, linkWorkerEndpoints: [{ id: 'icb-service', organizationOdsCode: 'Y99990' }] } as typeof config))
      .to.deep.equal({ ok: true, within: { pcns: ['Central PCN', 'Vale PCN'], practices: ['Y99909'], services: ['icb-service'] } });
  });

  it('with nothing configured, refuses and says what to configure', () => {
    const c = reportAccess(actor(['commissioner'], 'Y11111'), config);
    expect(c.ok).to.equal(false);
    expect(!c.ok && c.message).to.contain('reports.areas').and.contain('Y11111');
    const m = reportAccess(actor(['service-manager'], 'Y22222'), config);
    expect(!m.ok && m.message).to.contain('linkWorkerEndpoints[].organizationOdsCode').and.contain('Y22222');
    expect(reportAccess(actor(['link-worker'], 'Y99950'), config).ok).to.equal(false);
  });
});
