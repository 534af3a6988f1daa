import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, IDENTIFIER_SYSTEM } from '../../../../src/referral-model/codes.js';
import { serviceWorkload, workloadCells } from '../../../../src/workspace/domain/service-workload.js';
import { suppressTable, NHS_SUPPRESSION } from '../../../../src/reports/suppression.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
let n = 0;
const sub = (service: string, status: Task['status'], sentDaysAgo: number): Task => ({
  resourceType: 'Task', id: `t${++n}`, status, intent: 'order', authoredOn: daysAgo(sentDaysAgo),
  identifier: [{ system: IDENTIFIER_SYSTEM.onwardReferral, value: `x${n}` }], partOf: [{ reference: 'Task/parent' }],
  owner: { reference: `Organization/${service}-org`, display: `${service} org` },
  input: [{ type: { coding: [{ system: CODE_SYSTEM.prsbSection, code: 'support-offered' }] }, valueReference: { reference: `HealthcareService/${service}`, display: `Service ${service}` } }],
});

describe('workspace: workload per service (last 90 days)', () => {
  it('counts received, accepted, attended, declined per service from the sub-Tasks as they stand, busiest first', () => {
    const rows = serviceWorkload([
      sub('walk', 'requested', 1), sub('walk', 'accepted', 2), sub('walk', 'in-progress', 3), sub('walk', 'completed', 4), sub('walk', 'failed', 5), sub('walk', 'cancelled', 6),
      sub('art', 'rejected', 10), sub('art', 'accepted', 89),
      sub('art', 'accepted', 91), // outside the window
      { ...sub('art', 'accepted', 1), partOf: [], identifier: [] }, // not an onward referral
    ], NOW);
    expect(rows.map((r) => [r.serviceId, ...workloadCells(r)])).to.deep.equal([
      ['walk', 6, 4, 2, 0],
      ['art', 2, 1, 0, 1],
    ]);
    expect(rows[0]).to.deep.include({ name: 'Service walk', provider: 'walk org' });
  });

  it('reuses the reports\' suppression for viewers beyond the service', () => {
    const rows = serviceWorkload([sub('walk', 'accepted', 1), sub('walk', 'rejected', 1)], NOW);
    const t = suppressTable(rows.map(workloadCells), NHS_SUPPRESSION);
    expect(t.cells[0]!.every((c) => c.hidden || c.value === 0)).to.equal(true);
  });
});
