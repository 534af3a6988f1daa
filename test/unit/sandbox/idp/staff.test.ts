import { expect } from 'chai';
import { sandboxStaff, OTHER_ORG_ODS } from '../../../../src/sandbox/idp/staff.js';
import { loadConfig } from '../../../../src/config/load.js';
import { linkWorkerResources } from '../../../../src/sandbox/demo/link-workers.js';
import { ODS } from '../../../../src/sandbox/demo/index.js';

describe('sandbox staff', () => {
  const staff = sandboxStaff();

  it('has the four demo link workers (same Practitioner ids as the link-worker server), a manager and another organisation', () => {
    const demoIds = linkWorkerResources().filter((r) => r.resourceType === 'Practitioner').map((r) => r.id);
    const workers = staff.filter((s) => s.org === ODS.linkWorkerService && s.roles.includes('link-worker'));
    expect(workers.map((w) => w.id)).to.deep.equal(demoIds);
    expect(workers).to.have.length(4);
    expect(staff.filter((s) => s.roles.includes('service-manager') && s.org === ODS.linkWorkerService)).to.have.length(1);
    expect(staff.filter((s) => s.org === OTHER_ORG_ODS && s.roles.includes('link-worker'))).to.have.length(1);
  });

  it('has unique ids and usernames', () => {
    expect(new Set(staff.map((s) => s.id)).size).to.equal(staff.length);
    expect(new Set(staff.map((s) => s.username.toLowerCase())).size).to.equal(staff.length);
  });

  it('has staff with the role that may refer at each agency the shipped configuration knows, and one without', async () => {
    const config = await loadConfig('config/default.yaml', { PORT: '4123' });
    for (const agency of config.intake!.knownAgencies) {
      const referrers = staff.filter((s) => s.agency && s.org === agency.odsCode && s.roles.some((r) => agency.oidc.roles.includes(r)));
      expect(referrers, agency.id).to.have.length.greaterThan(0);
      expect(referrers.every((s) => s.orgName === agency.name), `${agency.id}: one name for the agency`).to.equal(true);
    }
    expect(staff.filter((s) => s.agency && !s.roles.some((r) => config.intake!.knownAgencies.some((a) => a.odsCode === s.org && a.oidc.roles.includes(r))))).to.have.length(1);
  });
});
