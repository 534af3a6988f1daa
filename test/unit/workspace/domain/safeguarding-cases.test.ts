import { expect } from 'chai';
import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, EXTENSION_PART } from '../../../../src/referral-model/codes.js';
import { raiseSafeguarding } from '../../../../src/workspace/domain/task-builders.js';
import { safeguardingCases } from '../../../../src/workspace/domain/safeguarding-cases.js';
import { capacityPage } from '../../../../src/workspace/views/caseload-page.js';
import { ctx, manager, referralTask } from '../fixtures.js';

const P = EXTENSION_PART.safeguardingConcern;
/** A Task whose referral copy carries the GP's safeguarding flag (as the GP app sends it). */
function gpFlagged(id: string, detail: string): Task {
  const copy: ServiceRequest = {
    resourceType: 'ServiceRequest', id: 'referral', status: 'active', intent: 'order', subject: { reference: '#patient' },
    authoredOn: '2026-11-21T09:00:00Z', requester: { display: 'Dr Asha Patel' },
    extension: [{ url: EXTENSION.safeguardingConcern, extension: [{ url: P.flag, valueBoolean: true }, { url: P.detail, valueString: detail }] }],
  };
  return referralTask({
    id,
    contained: [copy, { resourceType: 'Patient', id: 'patient', name: [{ given: ['Rose'], family: 'Hill' }] }],
    input: [{ type: { coding: [{ system: CODE_SYSTEM.prsbSection, code: 'referral-details' }] }, valueReference: { reference: '#referral' } }],
  });
}

describe('workspace: safeguarding concerns for the service manager', () => {
  it('lists the GP\'s and the link worker\'s concerns on open cases, newest first, and none on closed cases', () => {
    const raised = raiseSafeguarding(referralTask({ id: 'task-lw', status: 'in-progress' }), { detail: 'Neighbour reports shouting at night.' }, ctx());
    if (!raised.ok) throw new Error('builder refused');
    const closed = { ...gpFlagged('task-closed', 'old'), status: 'completed' as const };
    const rows = safeguardingCases([referralTask({ id: 'quiet' }), gpFlagged('task-gp', 'Lives with an abusive partner.'), raised.change.task, closed]);
    expect(rows.map((r) => [r.id, r.source, r.raisedBy, r.detail])).to.deep.equal([
      ['task-lw', 'link-worker', 'Amira Shah', 'Neighbour reports shouting at night.'],
      ['task-gp', 'referrer', 'Dr Asha Patel', 'Lives with an abusive partner.'],
    ]);
    expect(rows[1]!.name).to.equal('Rose Hill');
  });

  it('puts them first on the manager\'s page, each linking to its case', () => {
    const page = capacityPage({ actor: manager, csrfToken: 't', rows: [], unassignedNew: 0, unassignedOpen: 0, safeguarding: safeguardingCases([gpFlagged('task-gp', 'Lives with an abusive partner.')]) });
    const list = page.indexOf('data-testid="safeguarding-cases"');
    expect(list).to.be.greaterThan(0);
    expect(list, 'before the capacity table').to.be.below(page.indexOf('data-testid="capacity"'));
    expect(page).to.contain('href="/workspace/cases/task-gp"').and.contain('Lives with an abusive partner.').and.contain('By the GP at referral');
    expect(capacityPage({ actor: manager, csrfToken: 't', rows: [], unassignedNew: 0, unassignedOpen: 0, safeguarding: [] })).to.contain('No open case has a safeguarding concern.');
  });
});
