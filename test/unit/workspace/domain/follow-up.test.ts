import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../../src/referral-model/codes.js';
import { completedOn, followUpDue, followUpOpen, followUpsOf } from '../../../../src/workspace/domain/follow-up.js';
import { addMonths } from '../../../../src/time/london.js';
import { caseload, parseCaseloadQuery } from '../../../../src/workspace/domain/caseload.js';
import { parseAction, type ActionInput } from '../../../../src/workspace/domain/schemas.js';
import { buildChange } from '../../../../src/workspace/domain/task-builders.js';
import { validateForWrite } from '../../../../src/fhir/validate/index.js';
import { loadBaseR4 } from '../../../../src/fhir/validate/definitions.js';
import { ctx, referralTask } from '../fixtures.js';

const MONTHS = [3, 6];
/** The clock the workspace is given: a Europe/London noon on `day`. */
const at = (day: string) => new Date(`${day}T12:00:00Z`);

function completeOn(day: string): Task {
  const open = referralTask({ status: 'in-progress' });
  const r = buildChange('complete', open, parseOk('complete', { summary: 'Joined the choir' }, day), ctx({ now: at(day), followUpMonths: MONTHS }));
  if (!r.ok) throw new Error(r.message);
  return { ...r.change.task, meta: { ...r.change.task.meta, versionId: '2' } };
}
function parseOk<K extends 'complete' | 'outcome'>(kind: K, body: Record<string, unknown>, today: string): ActionInput<K> {
  const p = parseAction(kind, body, today);
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.value;
}
function measure(task: Task, day: string, instrument = 'ucla3', score = '5') {
  return buildChange('outcome', task, parseOk('outcome', { instrument, date: day, 'score-total': score }, day), ctx({ now: at(day), followUpMonths: MONTHS }));
}

describe('workspace follow-up after completion (src/workspace/domain/follow-up.ts)', () => {
  before(() => loadBaseR4());

  it('adds calendar months, the 31st becoming the last day of a shorter month', () => {
    expect(addMonths('2026-03-15', 3)).to.equal('2026-06-15');
    expect(addMonths('2026-11-30', 3)).to.equal('2027-02-28');
    expect(addMonths('2027-08-31', 6)).to.equal('2028-02-29');
  });

  it('completion records when support ended; follow-ups fall due 3 and 6 months later, not before', () => {
    const done = completeOn('2026-12-10');
    expect(done.executionPeriod?.end).to.equal(at('2026-12-10').toISOString());
    expect(completedOn(done)).to.equal('2026-12-10');
    expect(followUpsOf(done, MONTHS)).to.deep.equal([{ months: 3, dueOn: '2027-03-10' }, { months: 6, dueOn: '2027-06-10' }]);
    expect(followUpDue(done, '2027-03-09', MONTHS)).to.equal(undefined);
    expect(followUpDue(done, '2027-03-10', MONTHS)).to.deep.equal({ months: 3, dueOn: '2027-03-10' });
    // A 3-month follow-up missed is overtaken by the 6-month one.
    expect(followUpDue(done, '2027-06-10', MONTHS)?.months).to.equal(6);
    expect(followUpsOf(referralTask({ status: 'in-progress' }), MONTHS)).to.deep.equal([]);
    expect(followUpsOf(done, [])).to.deep.equal([]);
    const signposted = { ...done, businessStatus: { coding: [{ system: CODE_SYSTEM.businessStatus, code: 'signposted' }] } };
    expect(followUpsOf(signposted, MONTHS), 'signposted only: nothing to follow up').to.deep.equal([]);
  });

  it('a completed case takes measures only while a follow-up is open; the first marks it done, the rest of that day join it', () => {
    const done = completeOn('2026-12-10');
    const early = measure(done, '2027-02-01');
    expect(early.ok ? 'recorded' : early.message).to.equal('No follow-up is due for this case, so no more measures can be recorded.');

    const first = measure(done, '2027-03-12');
    if (!first.ok) throw new Error(first.message);
    validateForWrite(first.change.task);
    for (const o of first.change.observations) validateForWrite(o.resource);
    expect(first.change.task.status).to.equal('completed');
    expect(first.change.task.note?.at(-1)?.text).to.equal('Follow-up at 3 months\nOutcome measures repeated: UCLA 3-item Loneliness Scale total');
    expect(first.change.task.output?.filter((o) => o.type?.coding?.[0]?.code === 'outcome-measure')).to.have.length(1);
    const after = { ...first.change.task, meta: { ...first.change.task.meta, versionId: '3' } };
    expect(followUpDue(after, '2027-03-12', MONTHS)).to.equal(undefined);
    expect(followUpOpen(after, '2027-03-12', MONTHS)).to.deep.include({ months: 3, doneOn: '2027-03-12' });

    const second = measure(after, '2027-03-12', 'swemwbs', '24');
    if (!second.ok) throw new Error(second.message);
    expect(second.change.task.note?.filter((n) => n.text.startsWith('Follow-up at'))).to.have.length(1);
    expect(measure(after, '2027-03-13').ok, 'the next day it is closed again').to.equal(false);
    expect(followUpDue(after, '2027-06-10', MONTHS)?.months, 'then the 6-month one').to.equal(6);
  });

  it('the "follow-up" caseload lists completed cases with a follow-up due, marked with when', () => {
    const done = completeOn('2026-12-10');
    const open = referralTask({ id: 'task-2', status: 'in-progress' });
    const query = parseCaseloadQuery({ view: 'follow-up' });
    expect(caseload([done, open], undefined, query, at('2027-03-01'), undefined, MONTHS)).to.deep.equal([]);
    const rows = caseload([done, open], undefined, query, at('2027-03-11'), undefined, MONTHS);
    expect(rows.map((r) => [r.id, r.followUpDue])).to.deep.equal([['task-1', { months: 3, dueOn: '2027-03-10' }]]);
    expect(caseload([done], undefined, query, at('2027-03-11'), undefined, [])).to.deep.equal([]);
  });
});
