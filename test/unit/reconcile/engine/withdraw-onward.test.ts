import { expect } from 'chai';
import type { Task } from '@medplum/fhirtypes';
import type { FhirClient } from '../../../../src/fhir/client.js';
import { FhirHttpError } from '../../../../src/fhir/errors.js';
import { withdrawOnward } from '../../../../src/reconcile/engine/onward-relay.js';

/** A server holding one Task whose status the group may change between SP Link's read and its write. */
function server(task: Task, o: { changeBeforeFirstWrite?: Task['status']; alwaysConflict?: boolean } = {}) {
  let current = structuredClone(task);
  const writes: { status: Task['status']; ifMatch: string | undefined }[] = [];
  let reads = 0;
  const client = {
    async update(next: Task, opts: { ifMatch?: string }) {
      if (o.changeBeforeFirstWrite && writes.length === 0 && reads === 0) {
        current = { ...current, status: o.changeBeforeFirstWrite, meta: { versionId: String(Number(current.meta!.versionId) + 1) } };
      }
      writes.push({ status: next.status, ifMatch: opts.ifMatch });
      if (o.alwaysConflict || opts.ifMatch !== current.meta!.versionId) throw new FhirHttpError(412, 'PUT', `Task/${task.id}`);
      current = { ...next, meta: { versionId: String(Number(current.meta!.versionId) + 1) } };
      return { resource: current };
    },
    async read() {
      reads++;
      return structuredClone(current);
    },
  } as unknown as FhirClient;
  return { client, writes, now: () => current, reads: () => reads };
}

const open = (status: Task['status']): Task => ({ resourceType: 'Task', id: 'sub1', meta: { versionId: '3' }, status, intent: 'order' });
const o = { now: new Date('2026-12-01T10:00:00Z'), why: 'The GP cancelled the referral.' };
const validate = () => undefined;

describe('withdrawOnward: one If-Match withdrawal for the revocation sweep and the relay', () => {
  it('withdraws an open onward referral with If-Match on the version read', async () => {
    const s = server(open('accepted'));
    expect(await withdrawOnward(s.client, open('accepted'), o, validate)).to.equal(true);
    expect(s.writes).to.deep.equal([{ status: 'cancelled', ifMatch: '3' }]);
    expect(s.now().statusReason?.coding?.[0]?.code).to.equal('gp-cancelled');
  });

  it('on 412 re-reads once: still open → withdrawn on the new version; closed by the group meanwhile → left as the group closed it', async () => {
    const moved = server(open('requested'), { changeBeforeFirstWrite: 'accepted' });
    expect(await withdrawOnward(moved.client, open('requested'), o, validate)).to.equal(true);
    expect(moved.writes.map((w) => w.ifMatch)).to.deep.equal(['3', '4']);
    expect(moved.now().status).to.equal('cancelled');

    const finished = server(open('in-progress'), { changeBeforeFirstWrite: 'completed' });
    expect(await withdrawOnward(finished.client, open('in-progress'), o, validate)).to.equal(false);
    expect(finished.writes).to.have.length(1);
    expect(finished.now().status).to.equal('completed');
  });

  it('an already closed referral is not written; a second 412 is thrown for the caller to retry', async () => {
    const closed = server(open('rejected'));
    expect(await withdrawOnward(closed.client, open('rejected'), o, validate)).to.equal(false);
    expect(closed.writes).to.deep.equal([]);
    const busy = server(open('accepted'), { alwaysConflict: true });
    const err = await withdrawOnward(busy.client, open('accepted'), o, validate).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(FhirHttpError);
    expect(busy.writes).to.have.length(2);
    expect(busy.reads()).to.equal(1);
  });
});
