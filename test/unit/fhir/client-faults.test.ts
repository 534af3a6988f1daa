import { expect } from 'chai';
import nock from 'nock';
import type { Bundle, Patient, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { createLogger } from '../../../src/observability/logger.js';
import { clientCredentialsAuth } from '../../../src/fhir/auth/oauth.js';
import { FhirAuthError, FhirHttpError, FhirTransportError } from '../../../src/fhir/errors.js';
import { rejection } from '../../helpers/rejection.js';

const BASE = 'https://fhir.test/R4';
const TOKEN_URL = 'https://auth.test/token';
const silent = createLogger({ level: 'silent' });
const patient: Patient = { resourceType: 'Patient', id: 'p1' };
const outcome = (text: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: text }] });

function client(extra: Partial<ConstructorParameters<typeof FhirClient>[0]> = {}): FhirClient {
  return new FhirClient({ baseUrl: BASE, retry: { baseDelayMs: 1, maxDelayMs: 2000, timeoutMs: 2000, maxAttempts: 3 }, random: () => 0.5, logger: silent, ...extra });
}

describe('fhir/client under injected faults (nock)', () => {
  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending, 'every mocked response was used').to.deep.equal([]);
  });
  after(() => {
    nock.enableNetConnect();
  });

  it('retries a read after 500 and returns the 200', async () => {
    nock(BASE).get('/Patient/p1').reply(500, outcome('database busy')).get('/Patient/p1').reply(200, patient);
    expect(await client().read<Patient>('Patient', 'p1')).to.deep.equal(patient);
  });

  it('gives up after maxAttempts with a typed error carrying the OperationOutcome text', async () => {
    nock(BASE).get('/Patient/p1').times(3).reply(503, outcome('maintenance window'));
    const err = await rejection(client().read('Patient', 'p1'));
    expect(err).to.be.instanceOf(FhirHttpError);
    const e = err as FhirHttpError;
    expect(e.status).to.equal(503);
    expect(e.code).to.equal('ERR_FHIR_SERVER');
    expect(e.message).to.contain('maintenance window');
    expect(e.outcome?.issue?.[0]?.diagnostics).to.equal('maintenance window');
  });

  it('times out a slow attempt and retries it', async () => {
    nock(BASE).get('/Patient/p1').delay(1500).reply(200, patient).get('/Patient/p1').reply(200, patient);
    const c = client({ retry: { timeoutMs: 200, baseDelayMs: 1, maxAttempts: 2 } });
    expect(await c.read<Patient>('Patient', 'p1')).to.deep.equal(patient);
  });

  it('reports ERR_FHIR_TIMEOUT when every attempt is too slow', async () => {
    nock(BASE).get('/Patient/p1').times(2).delay(1500).reply(200, patient);
    const c = client({ retry: { timeoutMs: 200, baseDelayMs: 1, maxAttempts: 2 } });
    const err = await rejection(c.read('Patient', 'p1'));
    expect(err).to.be.instanceOf(FhirTransportError);
    expect((err as FhirTransportError).code).to.equal('ERR_FHIR_TIMEOUT');
  });

  it('honours Retry-After in seconds on 429', async () => {
    nock(BASE).get('/Task').query(true).reply(429, outcome('slow down'), { 'Retry-After': '1' }).get('/Task').query(true).reply(200, { resourceType: 'Bundle', type: 'searchset' });
    // With random() = 0 the jittered backoff is 0 ms, so a 1000 ms wait can only come from Retry-After.
    const lines: { delayMs?: number }[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(JSON.parse(s) as { delayMs?: number }) } });
    const b = await client({ random: () => 0, logger }).search('Task', { _lastUpdated: 'ge2026-01-01' });
    expect(b.type).to.equal('searchset');
    expect(lines.map((l) => l.delayMs)).to.deep.equal([1000]);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const when = new Date(Date.now() + 1000).toUTCString();
    nock(BASE).get('/Patient/p1').reply(429, '', { 'Retry-After': when }).get('/Patient/p1').reply(200, patient);
    expect(await client().read<Patient>('Patient', 'p1')).to.deep.equal(patient);
  });

  it('does not wait beyond maxDelayMs: a long Retry-After surfaces to the caller', async () => {
    nock(BASE).get('/Patient/p1').reply(429, outcome('quota'), { 'Retry-After': '3600' });
    const err = (await rejection(client().read('Patient', 'p1'))) as FhirHttpError;
    expect(err.code).to.equal('ERR_FHIR_RATE_LIMITED');
    expect(err.retryAfterMs).to.equal(3_600_000);
  });

  it('retries a GET after a network error', async () => {
    nock(BASE).get('/Patient/p1').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' }).get('/Patient/p1').reply(200, patient);
    expect(await client().read<Patient>('Patient', 'p1')).to.deep.equal(patient);
  });

  it('never retries a plain create after 500 or a reset connection', async () => {
    nock(BASE).post('/Patient').reply(500, outcome('boom'));
    const e1 = (await rejection(client().create(patient))) as FhirHttpError;
    expect(e1.code).to.equal('ERR_FHIR_SERVER');
    nock(BASE).post('/Patient').replyWithError({ code: 'ECONNRESET', message: 'reset' });
    const e2 = (await rejection(client().create(patient))) as FhirTransportError;
    expect(e2.code).to.equal('ERR_FHIR_NETWORK');
    expect(e2.sysCode).to.equal('ECONNRESET');
  });

  it('retries a conditional create (If-None-Exist) and reports whether it created', async () => {
    const task: Task = { resourceType: 'Task', status: 'requested', intent: 'order' };
    nock(BASE)
      .post('/Task')
      .matchHeader('if-none-exist', 'identifier=https%3A%2F%2Fsplink.test%2Fid%7Cr-1')
      .reply(503)
      .post('/Task')
      .reply(201, { ...task, id: 't1', meta: { versionId: '1' } }, { ETag: 'W/"1"', Location: `${BASE}/Task/t1/_history/1` });
    const res = await client().create(task, { ifNoneExist: { identifier: 'https://splink.test/id|r-1' } });
    expect(res).to.include({ created: true, id: 't1', versionId: '1', etag: 'W/"1"', status: 201 });
  });

  it('does not retry a transaction unless the caller marks it retrySafe', async () => {
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [] };
    nock(BASE).post('/').reply(502);
    expect(((await rejection(client().transaction(bundle))) as FhirHttpError).status).to.equal(502);
    nock(BASE).post('/').reply(502).post('/').reply(200, { resourceType: 'Bundle', type: 'transaction-response' });
    expect((await client().transaction(bundle, { retrySafe: true })).type).to.equal('transaction-response');
  });

  it('sends If-Match for a versioned update and types a 412', async () => {
    const task: Task = { resourceType: 'Task', id: 't1', status: 'in-progress', intent: 'order' };
    nock(BASE).put('/Task/t1').matchHeader('if-match', 'W/"3"').reply(412, outcome('version 3 is not current (4)'));
    const err = (await rejection(client().update(task, { ifMatch: '3' }))) as FhirHttpError;
    expect(err.code).to.equal('ERR_FHIR_PRECONDITION_FAILED');
    expect(err.message).to.contain('version 3 is not current');
  });

  it('on 401 refreshes the token once and resends, even for a create', async () => {
    nock('https://auth.test').post('/token').reply(200, { access_token: 'old', token_type: 'Bearer', expires_in: 3600 });
    nock('https://auth.test').post('/token').reply(200, { access_token: 'new', token_type: 'Bearer', expires_in: 3600 });
    nock(BASE).post('/Patient').matchHeader('authorization', 'Bearer old').reply(401, outcome('token revoked'));
    nock(BASE).post('/Patient').matchHeader('authorization', 'Bearer new').reply(201, patient);
    const auth = clientCredentialsAuth({ fhirBase: BASE, tokenUrl: TOKEN_URL, clientId: 'sp-link', clientSecret: 's3cret', scope: 'system/*.rs' });
    const res = await client({ auth }).create(patient);
    expect(res.created).to.equal(true);
  });

  it('a second 401 after the refresh is final: ERR_FHIR_UNAUTHORIZED', async () => {
    nock('https://auth.test').post('/token').times(2).reply(200, { access_token: 'tok', token_type: 'Bearer', expires_in: 3600 });
    nock(BASE).get('/Patient/p1').times(2).reply(401);
    const auth = clientCredentialsAuth({ fhirBase: BASE, tokenUrl: TOKEN_URL, clientId: 'sp-link', clientSecret: 's3cret', scope: 'system/*.rs' });
    const err = (await rejection(client({ auth }).read('Patient', 'p1'))) as FhirHttpError;
    expect(err.code).to.equal('ERR_FHIR_UNAUTHORIZED');
  });

  it('uses client_secret_basic and one token for concurrent requests', async () => {
    // client_secret_basic: id and secret form-url-encoded, then base64 (RFC 6749 §2.3.1).
    const basic = (h: string) => {
      const [id, secret] = Buffer.from(h.replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
      return id === 'sp-link' && secret === 's3cret';
    };
    nock('https://auth.test')
      .post('/token', (body: Record<string, string>) => body.grant_type === 'client_credentials' && body.scope === 'system/*.rs')
      .matchHeader('authorization', basic)
      .once()
      .reply(200, { access_token: 'shared', token_type: 'Bearer', expires_in: 3600 });
    nock(BASE).get('/Patient/p1').times(4).matchHeader('authorization', 'Bearer shared').reply(200, patient);
    const auth = clientCredentialsAuth({ fhirBase: BASE, tokenUrl: TOKEN_URL, clientId: 'sp-link', clientSecret: 's3cret', scope: 'system/*.rs' });
    const c = client({ auth });
    await Promise.all([1, 2, 3, 4].map(() => c.read('Patient', 'p1')));
  });

  it('a token endpoint refusing the client is a non-transient ERR_FHIR_AUTH', async () => {
    nock('https://auth.test').post('/token').reply(401, { error: 'invalid_client', error_description: 'bad secret' });
    const auth = clientCredentialsAuth({ fhirBase: BASE, tokenUrl: TOKEN_URL, clientId: 'sp-link', clientSecret: 'wrong', scope: 'system/*.rs' });
    const err = (await rejection(client({ auth }).read('Patient', 'p1'))) as FhirAuthError;
    expect(err).to.be.instanceOf(FhirAuthError);
    expect(err.code).to.equal('ERR_FHIR_AUTH');
    expect(err.transient).to.equal(false);
    expect(err.message).to.contain('invalid_client').and.not.contain('wrong');
  });

  it('refuses to follow a next link to another server', async () => {
    nock(BASE)
      .get('/Task')
      .query(true)
      .reply(200, { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: 'https://evil.test/R4/Task?page=2' }] });
    const pages: Bundle[] = [];
    const err = await rejection(
      (async () => {
        for await (const p of client().searchAll('Task', { status: 'requested' })) pages.push(p);
      })(),
    );
    expect(pages).to.have.length(1);
    expect((err as FhirHttpError).code).to.equal('ERR_FHIR_BAD_RESPONSE');
  });

  it('refuses ids, types and absolute URLs that would leave the intended path or server', async () => {
    const c = client();
    expect((await rejection(c.read('Patient', '../Observation/x'))).message).to.match(/invalid FHIR id/);
    expect((await rejection(c.read('Patient?x=1' as 'Patient', 'p1'))).message).to.match(/invalid FHIR resource type/);
    expect((await rejection(c.request('GET', 'https://evil.test/R4/Patient'))).message).to.match(/refusing/);
    nock(BASE).get('/Patient/p1/_history').reply(200, { resourceType: 'Bundle', type: 'history' });
    expect(await c.request<Bundle>('GET', `${BASE}/Patient/p1/_history`)).to.deep.include({ type: 'history' });
  });

  it('keeps patient identifiers out of error messages', async () => {
    nock(BASE).get('/Patient').query(true).reply(400, outcome('unknown search parameter'));
    const err = (await rejection(client().search('Patient', { identifier: 'https://fhir.nhs.uk/Id/nhs-number|9990001234' }))) as FhirHttpError;
    expect(err.message).to.contain('unknown search parameter').and.not.contain('9990001234');
  });
});
