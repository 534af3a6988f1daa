import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { capacity, caseload, parseCaseloadQuery } from '../../../../src/workspace/domain/caseload.js';
import { NOW, referralTask } from '../fixtures.js';

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

  it('ages referrals in calendar days in England: yesterday afternoon is "1 day", not "today"', () => {
    const now = new Date('2026-12-01T09:00:00Z');
    const [row] = caseload([task('t', { authoredOn: '2026-11-30T16:00:00Z' })], mine, { view: 'all' }, now);
    expect(row?.ageDays).to.equal(1);
    const [bst] = caseload([task('t', { authoredOn: '2026-06-30T23:30:00Z' })], mine, { view: 'all' }, new Date('2026-07-01T07:00:00Z'));
    expect(bst?.ageDays).to.equal(0);
  });

  it('marks a new referral overdue once its urgency\'s response target has passed, and lists it first', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    const rows = caseload([
      task('routine-4d', { status: 'requested', priority: 'routine', authoredOn: '2026-11-28T11:00:00Z' }),
      task('urgent-25h', { status: 'requested', priority: 'asap', authoredOn: '2026-12-01T11:00:00Z' }),
      task('urgent-23h', { status: 'requested', priority: 'asap', authoredOn: '2026-12-01T13:00:00Z' }),
      task('soon-73h', { status: 'requested', priority: 'urgent', authoredOn: '2026-11-29T11:00:00Z' }),
      task('soon-71h', { status: 'received', priority: 'urgent', authoredOn: '2026-11-29T13:00:00Z' }),
      task('urgent-accepted', { status: 'accepted', priority: 'asap', authoredOn: '2026-11-20T11:00:00Z' }),
    ], mine, { view: 'all' }, now);
    const overdue = Object.fromEntries(rows.map((r) => [r.id, r.overdueSince]));
    expect(overdue).to.deep.equal({
      'routine-4d': undefined, 'urgent-25h': '2026-12-02T11:00:00.000Z', 'urgent-23h': undefined,
      'soon-73h': '2026-12-02T11:00:00.000Z', 'soon-71h': undefined, 'urgent-accepted': undefined,
    });
    expect(rows.slice(0, 2).map((r) => r.id)).to.deep.equal(['urgent-25h', 'soon-73h']);
  });
});
