import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { capacity, caseload, parseCaseloadQuery } from '../../../src/workspace/domain/caseload.js';
import { NOW, referralTask } from './fixtures.js';

const patient = (given: string, family: string) => ({ resourceType: 'Patient' as const, id: 'patient', name: [{ given: [given], family }] });

function task(id: string, over: Partial<Task> & { name?: [string, string]; nhs?: string } = {}): Task {
  const { name, nhs, ...rest } = over;
  const t = referralTask({ id, ...rest });
  if (name) t.contained = [patient(...name)];
  if (nhs) t.for = { identifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhs } };
  return t;
}

const mine = 'PractitionerRole/lw-amira-role';
const TASKS: Task[] = [
  task('new-old', { status: 'requested', authoredOn: '2026-11-01T09:00:00Z', name: ['Grace', 'Adeyemi'], nhs: '9990010099' }),
  task('new-urgent', { status: 'received', priority: 'urgent', authoredOn: '2026-11-20T09:00:00Z', name: ['Tom', 'Price'] }),
  task('open-mine', { status: 'in-progress', owner: { reference: mine, display: 'Amira Shah' }, authoredOn: '2026-11-10T09:00:00Z', name: ['Ann', 'Lee'] }),
  task('open-other', { status: 'accepted', owner: { reference: 'PractitionerRole/lw-ben-role', display: 'Ben Okafor' }, name: ['Raj', 'Singh'] }),
  task('done', { status: 'completed', owner: { reference: mine, display: 'Amira Shah' }, name: ['Sue', 'Ward'] }),
];

describe('workspace caseload views', () => {
  it('new referrals: requested/received, urgent first, then oldest first, with age in days', () => {
    const rows = caseload(TASKS, mine, { view: 'new' }, NOW);
    expect(rows.map((r) => r.id)).to.deep.equal(['new-urgent', 'new-old']);
    expect(rows[1]).to.include({ name: 'Grace Adeyemi', ageDays: 23, statusText: 'New' });
  });

  it('mine, open and closed', () => {
    expect(caseload(TASKS, mine, { view: 'mine' }, NOW).map((r) => r.id)).to.deep.equal(['open-mine']);
    expect(caseload(TASKS, undefined, { view: 'mine' }, NOW)).to.deep.equal([]);
    expect(caseload(TASKS, mine, { view: 'open' }, NOW).map((r) => r.id).sort()).to.deep.equal(['open-mine', 'open-other']);
    expect(caseload(TASKS, mine, { view: 'closed' }, NOW).map((r) => r.id)).to.deep.equal(['done']);
  });

  it('searches by any part of the name, or by NHS number with or without spaces', () => {
    expect(caseload(TASKS, mine, { view: 'all', q: 'adeyemi' }, NOW).map((r) => r.id)).to.deep.equal(['new-old']);
    expect(caseload(TASKS, mine, { view: 'all', q: 'grace ADE' }, NOW).map((r) => r.id)).to.deep.equal(['new-old']);
    expect(caseload(TASKS, mine, { view: 'all', q: '999 001 0099' }, NOW).map((r) => r.id)).to.deep.equal(['new-old']);
    expect(caseload(TASKS, mine, { view: 'all', q: 'nobody' }, NOW)).to.deep.equal([]);
  });

  it('parses the query defensively', () => {
    expect(parseCaseloadQuery({ view: 'bogus', q: '  ', status: 'nope' })).to.deep.equal({ view: 'new', q: undefined, status: undefined });
    expect(parseCaseloadQuery({ view: 'closed', q: ' Ann ', status: 'completed' })).to.deep.equal({ view: 'closed', q: 'Ann', status: 'completed' });
  });

  it('capacity: open cases per link worker, unassigned counted apart, closed cases ignored', () => {
    const c = capacity(TASKS, [{ reference: mine, name: 'Amira Shah' }, { reference: 'PractitionerRole/lw-cara-role', name: 'Cara Jones' }]);
    expect(c.unassignedNew).to.equal(2);
    expect(c.rows.map((r) => [r.name, r.open, r.inProgress])).to.deep.equal([['Amira Shah', 1, 1], ['Ben Okafor', 1, 0], ['Cara Jones', 0, 0]]);
  });
});
