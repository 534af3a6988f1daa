import { expect } from 'chai';
import { sandboxStaff, OTHER_ORG_ODS } from '../../../../src/sandbox/idp/staff.js';
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
});
