import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { parseConfig } from '../../../../src/config/load.js';
import { LINK_WORKER_ORG } from '../../../../src/sandbox/demo/link-workers.js';
import { ODS } from '../../../../src/sandbox/demo/index.js';
import { sandboxStaff } from '../../../../src/sandbox/idp/staff.js';

describe('the demo link-worker organisation has one name', () => {
  it('seed, configuration (what the GP is told) and staff sign-in all say the same', async () => {
    const file = path.resolve('config/default.yaml');
    const config = parseConfig(await readFile(file, 'utf8'), file, { PORT: '3000' });
    const endpoint = config.linkWorkerEndpoints.find((e) => e.organizationOdsCode === ODS.linkWorkerService);
    expect(LINK_WORKER_ORG.name).to.equal('Fernbridge Community Connect');
    expect(endpoint?.name).to.equal(LINK_WORKER_ORG.name);
    const names = new Set(sandboxStaff().filter((s) => s.org === ODS.linkWorkerService).map((s) => s.orgName));
    expect([...names]).to.deep.equal([LINK_WORKER_ORG.name]);
  });
});
