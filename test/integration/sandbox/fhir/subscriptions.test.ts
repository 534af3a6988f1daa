import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { fhir, startSandboxApp, type Json, type SandboxApp } from './sandbox-app.js';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A local HTTP endpoint recording every notification; answers with `status()`. */
async function startListener(status: () => number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      res.statusCode = status();
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('sandbox FHIR server: rest-hook Subscriptions', () => {
  let app: SandboxApp;
  let listener: Awaited<ReturnType<typeof startListener>>;
  let listenerStatus = 200;
  let lw: string;

  before(async () => {
    app = await startSandboxApp({ lw: { restHook: { attempts: 3, retryDelaysMs: [10, 20], timeoutMs: 2000 } } });
    lw = app.urls.lw;
    listener = await startListener(() => listenerStatus);
  });
  after(async () => {
    await app.close();
    await listener.close();
  });
  beforeEach(() => {
    listener.received.length = 0;
    listenerStatus = 200;
  });

  const subscription = (criteria: string, endpoint: string, extra: Json = {}): Json => ({
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'test',
    criteria,
    channel: { type: 'rest-hook', endpoint, header: ['Authorization: Bearer hook-secret', 'X-Tenant: demo'], ...extra },
  });

  it('POSTs the matching resource with the channel headers after the write commits', async () => {
    const sub = await fhir('POST', `${lw}/Subscription`, subscription('Task?status=accepted', `${listener.url}/hook`, { payload: 'application/fhir+json' }));
    expect(sub.status).to.equal(201);
    expect(sub.body.status).to.equal('active');

    const { body: task } = await fhir('GET', `${lw}/Task/task-ref-01`);
    await fhir('PUT', `${lw}/Task/task-ref-01`, { ...task, status: 'in-progress' }); // does not match
    const accepted = await fhir('PUT', `${lw}/Task/task-ref-01`, { ...task, status: 'accepted' });
    await fhir('POST', `${lw}/Organization`, { resourceType: 'Organization', name: 'Unrelated' });
    await app.lw.idle();

    expect(listener.received).to.have.length(1);
    const [hit] = listener.received;
    expect(hit?.method).to.equal('POST');
    expect(hit?.path).to.equal('/hook');
    expect(hit?.headers.authorization).to.equal('Bearer hook-secret');
    expect(hit?.headers['x-tenant']).to.equal('demo');
    expect(hit?.headers['content-type']).to.match(/^application\/fhir\+json/);
    const delivered = JSON.parse(hit?.body ?? '{}') as Json;
    expect(delivered.id).to.equal('task-ref-01');
    expect(delivered.meta.versionId).to.equal(accepted.body.meta.versionId);
    await fhir('DELETE', `${lw}/Subscription/${sub.body.id}`);
  });

  it('sends an empty notification when the channel has no payload, and none for rolled-back writes', async () => {
    const sub = await fhir('POST', `${lw}/Subscription`, subscription('Task', `${listener.url}/ping`));
    const { body: task } = await fhir('GET', `${lw}/Task/task-ref-02`);
    const failed = await fhir('POST', lw, {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...task, status: 'in-progress' }, request: { method: 'PUT', url: 'Task/task-ref-02' } },
        { resource: { ...task, id: 'task-ref-03', status: 'completed' }, request: { method: 'PUT', url: 'Task/task-ref-03', ifMatch: 'W/"99"' } },
      ],
    });
    expect(failed.status).to.equal(412);
    await app.lw.idle();
    expect(listener.received).to.have.length(0);

    await fhir('PUT', `${lw}/Task/task-ref-02`, { ...task, status: 'in-progress' });
    await app.lw.idle();
    expect(listener.received).to.have.length(1);
    expect(listener.received[0]?.body).to.equal('');
    await fhir('DELETE', `${lw}/Subscription/${sub.body.id}`);
  });

  it('retries, then marks the Subscription as error', async () => {
    listenerStatus = 503;
    const sub = await fhir('POST', `${lw}/Subscription`, subscription('Task', `${listener.url}/down`));
    const { body: task } = await fhir('GET', `${lw}/Task/task-ref-06`);
    const write = await fhir('PUT', `${lw}/Task/task-ref-06`, { ...task, status: 'accepted' });
    expect(write.status).to.equal(200); // the write never waits for delivery
    await app.lw.idle();
    expect(listener.received).to.have.length(3);
    const after = await fhir('GET', `${lw}/Subscription/${sub.body.id}`);
    expect(after.body.status).to.equal('error');
    expect(after.body.error).to.match(/3 attempts.*HTTP 503/);

    // An errored Subscription gets no more deliveries.
    listener.received.length = 0;
    await fhir('PUT', `${lw}/Task/task-ref-06`, { ...write.body, status: 'in-progress' });
    await app.lw.idle();
    expect(listener.received).to.have.length(0);
  });

  it('refuses a Subscription whose criteria cannot be parsed', async () => {
    const res = await fhir('POST', `${lw}/Subscription`, subscription('', `${listener.url}/x`));
    expect(res.status).to.equal(400);
    expect(res.body.resourceType).to.equal('OperationOutcome');
  });
});
