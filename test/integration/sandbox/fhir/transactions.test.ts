import { expect } from 'chai';
import { countOf, fhir, startSandboxApp, type Json, type SandboxApp } from './sandbox-app.js';

const patientEntry = (uuid: string, family: string): Json => ({
  fullUrl: `urn:uuid:${uuid}`,
  resource: { resourceType: 'Patient', name: [{ family }] },
  request: { method: 'POST', url: 'Patient' },
});

describe('sandbox FHIR server: transaction and batch Bundles', () => {
  let app: SandboxApp;
  let base: string;

  before(async () => {
    // An authoriser that yields to the event loop on every entry, as a real token check would,
    // so concurrent requests truly interleave unless the server serialises them.
    const authorize = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));
    app = await startSandboxApp({ lw: { authorize } });
    base = app.urls.lw;
  });
  after(async () => {
    await app.close();
  });

  it('commits a transaction with urn:uuid references rewritten and absolute locations', async () => {
    const res = await fhir('POST', base, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:6b0f6a44-0000-4000-8000-000000000001',
          resource: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { display: 'someone' } },
          request: { method: 'POST', url: 'ServiceRequest' },
        },
        {
          resource: { resourceType: 'Task', status: 'requested', intent: 'order', focus: { reference: 'urn:uuid:6b0f6a44-0000-4000-8000-000000000001' } },
          request: { method: 'POST', url: 'Task' },
        },
      ],
    });
    expect(res.status).to.equal(200);
    expect(res.body.type).to.equal('transaction-response');
    const [sr, task] = res.body.entry as Json[];
    expect(sr.response.status).to.equal('201');
    expect(sr.response.location).to.equal(`${base}/ServiceRequest/${sr.resource.id}/_history/1`);
    expect(sr.response.etag).to.equal('W/"1"');
    expect(task.resource.focus.reference).to.equal(`ServiceRequest/${sr.resource.id}`);
    expect((await fhir('GET', `${base}/Task/${task.resource.id}`)).status).to.equal(200);
  });

  it('persists nothing when one entry fails, answering 4xx with an OperationOutcome', async () => {
    const { body: task } = await fhir('GET', `${base}/Task/task-ref-01`);
    const patientsBefore = await countOf(`${base}/Patient`);
    const res = await fhir('POST', base, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        patientEntry('6b0f6a44-0000-4000-8000-000000000011', 'Rollback1'),
        patientEntry('6b0f6a44-0000-4000-8000-000000000012', 'Rollback2'),
        { resource: { ...task, status: 'accepted' }, request: { method: 'PUT', url: 'Task/task-ref-01' } },
        // Stale version: the whole transaction must fail.
        { resource: { ...task, status: 'rejected' }, request: { method: 'PUT', url: 'Task/task-ref-01', ifMatch: 'W/"999"' } },
      ],
    });
    expect(res.status).to.be.within(400, 499);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    expect(await countOf(`${base}/Patient`)).to.equal(patientsBefore);
    expect(await countOf(`${base}/Patient?name=Rollback1`)).to.equal(0);
    const after = await fhir('GET', `${base}/Task/task-ref-01`);
    expect(after.body.status).to.equal(task.status);
    expect(after.body.meta.versionId).to.equal(task.meta.versionId);
    expect((await fhir('GET', `${base}/Task/task-ref-01/_history`)).body.total).to.equal(1);
  });

  it('rolls back when an entry is an invalid resource', async () => {
    const before = await countOf(`${base}/Patient`);
    const res = await fhir('POST', base, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        patientEntry('6b0f6a44-0000-4000-8000-000000000021', 'Valid'),
        { fullUrl: 'urn:uuid:6b0f6a44-0000-4000-8000-000000000022', resource: { resourceType: 'Patient', birthDate: 'not a date' }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(res.status).to.equal(400);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    expect(await countOf(`${base}/Patient`)).to.equal(before);
  });

  it('keeps transactions atomic while concurrent requests interleave', async () => {
    const before = await countOf(`${base}/Patient`);
    const failing = (i: number): Promise<Json> =>
      fhir('POST', base, {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          ...Array.from({ length: 5 }, (_, k) => patientEntry(`6b0f6a44-0000-4000-8001-${String(i * 10 + k).padStart(12, '0')}`, `Concurrent${i}`)),
          { request: { method: 'DELETE', url: 'Patient/does-not-exist' }, resource: undefined },
          { resource: { resourceType: 'Patient', id: 'x', active: 'no' }, request: { method: 'PUT', url: 'Patient/x' } },
        ],
      });
    const single = (i: number): Promise<Json> => fhir('POST', `${base}/Patient`, { resourceType: 'Patient', name: [{ family: `Single${i}` }] });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? failing(i) : single(i))));
    for (const [i, r] of results.entries()) {
      if (i % 2 === 0) expect(r.status, `transaction ${i}`).to.be.within(400, 499);
      else expect(r.status, `create ${i}`).to.equal(201);
    }
    expect(await countOf(`${base}/Patient`)).to.equal(before + 5);
  });

  it('processes a batch entry by entry, reporting each result', async () => {
    const before = await countOf(`${base}/Patient`);
    const res = await fhir('POST', base, {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        patientEntry('6b0f6a44-0000-4000-8000-000000000031', 'Batch1'),
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        { resource: { resourceType: 'Patient', gender: 'nope', foo: 1 }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Organization?_count=2' } },
      ],
    });
    expect(res.status).to.equal(200);
    expect(res.body.type).to.equal('batch-response');
    expect(res.body.entry.map((e: Json) => e.response.status)).to.deep.equal(['201', '404', '400', '200']);
    expect(res.body.entry[0].response.location).to.match(new RegExp(`^${base}/Patient/[^/]+/_history/1$`));
    expect(res.body.entry[3].resource.type).to.equal('searchset');
    expect(await countOf(`${base}/Patient`)).to.equal(before + 1);
  });

  it('creates conditionally inside a transaction without duplicating', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:6b0f6a44-0000-4000-8000-000000000041',
          resource: { resourceType: 'Task', status: 'requested', intent: 'order', identifier: [{ system: 'urn:test:tx', value: 'once' }] },
          request: { method: 'POST', url: 'Task', ifNoneExist: 'identifier=urn:test:tx|once' },
        },
      ],
    };
    const first = await fhir('POST', base, bundle);
    const second = await fhir('POST', base, bundle);
    expect(first.body.entry[0].response.status).to.equal('201');
    expect(second.body.entry[0].response.status).to.equal('200');
    expect(second.body.entry[0].resource.id).to.equal(first.body.entry[0].resource.id);
    expect(await countOf(`${base}/Task?identifier=urn:test:tx|once`)).to.equal(1);
  });
});
