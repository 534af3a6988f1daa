import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import { TransactionReads } from '../../../src/fhir-store/transaction-reads.js';

const task = (id: string): Task & { id: string } => ({ resourceType: 'Task', id, status: 'requested', intent: 'order' });

describe('fhir-store: what a locked transaction already read and wrote', () => {
  it('answers a kept search with a slice of its rows, only when they were every match', () => {
    const reads = new TransactionReads();
    reads.keepSearch('q1', 'Task', [{ content: task('a') }], true);
    reads.keepSearch('q2', 'Task', [{ content: task('b') }, { content: task('c') }], false);
    expect(reads.search('q1', 3)).to.deep.equal([{ content: task('a') }]);
    expect(reads.search('q1', 0)).to.deep.equal([]);
    expect(reads.search('q2', 3)).to.equal(undefined);
  });

  it('forgets the searches of a type it writes, and reads back what it wrote as copies', () => {
    const reads = new TransactionReads();
    reads.keepSearch('tasks', 'Task', [], true);
    reads.keepSearch('patients', 'Patient', [], true);
    const t = task('a');
    reads.wrote('Task', 'a', t);
    expect(reads.search('tasks', 3)).to.equal(undefined);
    expect(reads.search('patients', 3)).to.deep.equal([]);
    t.status = 'accepted'; // the caller's object changes later: what was written does not
    const back = reads.read('Task', 'a') as Task;
    expect(back.status).to.equal('requested');
    back.status = 'cancelled';
    expect((reads.read('Task', 'a') as Task).status).to.equal('requested');
    reads.wrote('Task', 'a', null);
    expect(reads.read('Task', 'a')).to.equal(null);
    expect(reads.read('Task', 'b')).to.equal(undefined);
    reads.forget();
    expect(reads.read('Task', 'a')).to.equal(undefined);
    expect(reads.search('patients', 3)).to.equal(undefined);
  });
});
