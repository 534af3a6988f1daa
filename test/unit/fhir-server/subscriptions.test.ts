import type { Resource, Subscription, Task } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { ensureR4Definitions } from '../../../src/fhir-server/definitions.js';
import type { Change } from '../../../src/fhir-server/subscriptions.js';
import { matchDeliveries, prepareSubscription } from '../../../src/fhir-server/subscriptions.js';

const sub = (id: string, criteria: string, extra: Partial<Subscription> = {}): Subscription => ({
  resourceType: 'Subscription',
  id,
  status: 'active',
  reason: 'test',
  criteria,
  channel: { type: 'rest-hook', endpoint: `http://127.0.0.1:9/${id}`, header: ['Authorization: Bearer abc:def'] },
  ...extra,
});
const task = (status: Task['status']): Change => ({
  interaction: 'update',
  resource: { resourceType: 'Task', id: 't1', status, intent: 'order', meta: { versionId: '2' } } as Task & { id: string },
});

describe('rest-hook matching', () => {
  before(() => {
    ensureR4Definitions();
  });

  it('matches creates and updates against active rest-hook criteria only', () => {
    const subs: Resource[] = [
      sub('all-tasks', 'Task'),
      sub('accepted', 'Task?status=accepted'),
      sub('off', 'Task', { status: 'off' }),
      sub('expired', 'Task', { end: '2020-01-01T00:00:00Z' }),
      sub('patients', 'Patient'),
    ];
    const deliveries = matchDeliveries([task('accepted'), task('completed'), { ...task('accepted'), interaction: 'delete' }], subs);
    expect(deliveries.map((d) => d.subscriptionId)).to.deep.equal(['all-tasks', 'accepted', 'all-tasks']);
    expect(deliveries[0]?.headers).to.deep.equal({ Authorization: 'Bearer abc:def' });
    expect(deliveries[0]?.body).to.equal(undefined);
  });

  it('carries the resource as FHIR JSON when the channel asks for a payload', () => {
    const [d] = matchDeliveries([task('accepted')], [sub('p', 'Task', { channel: { type: 'rest-hook', endpoint: 'http://x/', payload: 'application/fhir+json' } })]);
    expect(d?.headers['Content-Type']).to.equal('application/fhir+json');
    expect(JSON.parse(d?.body ?? '{}').id).to.equal('t1');
  });

  it('activates a requested rest-hook Subscription', () => {
    const s = sub('r', 'Task', { status: 'requested' });
    prepareSubscription(s);
    expect(s.status).to.equal('active');
  });
});
