import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { exportJWK, exportPKCS8 } from 'jose';
import type { Bundle, Patient, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { createAuthProvider, smartBackendAuth } from '../../../src/fhir/auth/index.js';
import { FhirHttpError, FhirTransportError } from '../../../src/fhir/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { BACKEND_CLIENT_ID as CLIENT_ID, BACKEND_KID as KID, startFhirFixture, type FhirFixture } from './fhir-fixture.js';
import { rejection } from '../../helpers/rejection.js';

const silent = createLogger({ level: 'silent' });

describe('fhir/client against the sandbox FHIR server over HTTP', function () {
  let fx: FhirFixture;
  let base: string;
  let client: FhirClient;

  before(async () => {
    fx = await startFhirFixture();
    base = fx.base;
    const auth = smartBackendAuth({ fhirBase: base, clientId: CLIENT_ID, scope: 'system/Task.cruds system/Patient.cruds', kid: KID, privateKey: fx.keys.privateKey });
    client = new FhirClient({ baseUrl: base, auth, logger: silent, retry: { baseDelayMs: 1, maxAttempts: 3 } });
  });

  after(async () => {
    await fx?.close();
  });

  it('reads the CapabilityStatement (R4) with a discovered SMART backend token', async () => {
    const cs = await client.capabilityStatement();
    expect(cs.resourceType).to.equal('CapabilityStatement');
    expect(cs.fhirVersion).to.equal('4.0.1');
    expect(fx.tokenRequests()).to.equal(1);
  });

  it('creates, reads, vreads and updates with If-Match, returning versions and ETags', async () => {
    const created = await client.create<Patient>({ resourceType: 'Patient', gender: 'female', birthDate: '1950-02-03' });
    expect(created).to.include({ created: true, status: 201, versionId: '1' });
    expect(created.etag).to.match(/^W\/"1"$/);
    expect(created.location).to.match(new RegExp(`/Patient/${created.id}`));
    const id = created.id!;

    const read = await client.read<Patient>('Patient', id);
    expect(read.birthDate).to.equal('1950-02-03');

    const updated = await client.update<Patient>({ ...read, gender: 'other' }, { ifMatch: created.etag });
    expect(updated.versionId).to.equal('2');
    expect(updated.resource?.gender).to.equal('other');

    const v1 = await client.vread<Patient>('Patient', id, '1');
    expect(v1.gender).to.equal('female');

    const stale = (await rejection(client.update<Patient>({ ...read, gender: 'male' }, { ifMatch: '1' }))) as FhirHttpError;
    expect(stale).to.be.instanceOf(FhirHttpError);
    expect(stale.code).to.equal('ERR_FHIR_PRECONDITION_FAILED');
    expect(stale.outcome?.resourceType).to.equal('OperationOutcome');
  });

  it('conditional create returns the existing resource the second time', async () => {
    const task: Task = {
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      identifier: [{ system: 'https://sp-link.test/referral', value: 'r-42' }],
    };
    const q = { identifier: 'https://sp-link.test/referral|r-42' };
    const first = await client.create(task, { ifNoneExist: q });
    const second = await client.create(task, { ifNoneExist: q });
    expect(first.created).to.equal(true);
    expect(second.created).to.equal(false);
    expect(second.id).to.equal(first.id);
  });

  it('pages through a search with searchAll', async () => {
    for (let i = 0; i < 5; i++) {
      await client.create<Task>({ resourceType: 'Task', status: 'ready', intent: 'order', description: `paged ${i}` });
    }
    const pages: Bundle<Task>[] = [];
    for await (const page of client.searchAll<Task>('Task', { status: 'ready', _count: 2 })) pages.push(page);
    const all = pages.flatMap((p) => p.entry ?? []).map((e) => e.resource?.description);
    expect(pages.length).to.be.at.least(3);
    expect(all.sort()).to.deep.equal(['paged 0', 'paged 1', 'paged 2', 'paged 3', 'paged 4']);
  });

  it('a transaction is atomic: a bad entry persists nothing; a good one commits', async () => {
    const marker = `tx-${Date.now()}`;
    const bad: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Task', status: 'requested', intent: 'order', identifier: [{ system: 'urn:test:tx', value: marker }] }, request: { method: 'POST', url: 'Task' } },
        // Task.status is required (1..1): the server's validation rejects this entry.
        { resource: { resourceType: 'Task', intent: 'order' } as unknown as Task, request: { method: 'POST', url: 'Task' } },
      ],
    };
    const err = (await rejection(client.transaction(bad))) as FhirHttpError;
    expect(err).to.be.instanceOf(FhirHttpError);
    expect(err.status).to.be.within(400, 499);
    const after = await client.search('Task', { identifier: `urn:test:tx|${marker}` });
    expect(after.entry ?? []).to.have.length(0);

    const good: Bundle = { ...bad, entry: bad.entry!.slice(0, 1) };
    const res = await client.transaction(good);
    expect(res.type).to.equal('transaction-response');
    expect(res.entry?.[0]?.response?.status).to.match(/^201/);
  });

  it('batch entries succeed or fail independently', async () => {
    const res = await client.batch({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Task', status: 'requested', intent: 'order' }, request: { method: 'POST', url: 'Task' } },
        { request: { method: 'GET', url: 'Task/does-not-exist' } },
      ],
    });
    expect(res.type).to.equal('batch-response');
    expect(res.entry?.map((e) => e.response?.status.slice(0, 3))).to.deep.equal(['201', '404']);
  });

  it('delete, then read is a typed 404/410', async () => {
    const { id } = await client.create<Task>({ resourceType: 'Task', status: 'draft', intent: 'order' });
    await client.delete('Task', id!);
    const err = (await rejection(client.read('Task', id!))) as FhirHttpError;
    expect(['ERR_FHIR_GONE', 'ERR_FHIR_NOT_FOUND']).to.include(err.code);
  });

  it('reuses the cached token, and refreshes once when the server stops accepting it', async () => {
    const before = fx.tokenRequests();
    await client.search('Task', { _count: 1 });
    expect(fx.tokenRequests()).to.equal(before);
    fx.validTokens.clear(); // the server forgets every token (e.g. key rotation)
    await client.search('Task', { _count: 1 });
    expect(fx.tokenRequests()).to.equal(before + 1);
  });

  it('builds a smart-backend provider from config with a PEM key', async () => {
    const pem = await exportPKCS8(fx.keys.privateKey);
    const auth = await createAuthProvider(
      { type: 'smart-backend', clientId: CLIENT_ID, scope: 'system/Task.rs', kid: KID, alg: 'RS384', privateKey: pem, tokenUrl: fx.tokenUrl },
      base,
    );
    const c = new FhirClient({ baseUrl: base, auth, logger: silent });
    expect((await c.search('Task', { _count: 1 })).resourceType).to.equal('Bundle');
    // and a JWK works the same
    const jwk = JSON.stringify({ ...(await exportJWK(fx.keys.privateKey)), kid: KID });
    const auth2 = await createAuthProvider({ type: 'smart-backend', clientId: CLIENT_ID, scope: 'system/Task.rs', kid: KID, alg: 'RS384', privateKey: jwk }, base);
    expect(await auth2.authorization()).to.match(/^Bearer tok-/);
  });

  it('connection refused: ERR_FHIR_NETWORK after the retries, even for a create (nothing was sent)', async () => {
    const closed = express().listen(0, '127.0.0.1');
    await new Promise((r) => closed.once('listening', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const c = new FhirClient({ baseUrl: `http://127.0.0.1:${port}/fhir`, logger: silent, retry: { baseDelayMs: 1, maxAttempts: 2 } });
    const err = (await rejection(c.create<Task>({ resourceType: 'Task', status: 'draft', intent: 'order' }))) as FhirTransportError;
    expect(err).to.be.instanceOf(FhirTransportError);
    expect(err.code).to.equal('ERR_FHIR_NETWORK');
    expect(err.sysCode).to.equal('ECONNREFUSED');
  });
});
