import { runCli } from '../../helpers/cli.js';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { expect } from 'chai';
import { launch, request, startTestSystem, type TestSystem } from '../../helpers/gp-launch.js';
import { devAuthHeader } from '../../helpers/sandbox-tokens.js';
import { acquireLease } from '../../../src/reconcile/store/leases.js';
import { loadBackendClientKey } from '../../../src/sandbox/auth/keys.js';
import { openDb } from '../../../src/store/db.js';

/**
 * The attack probe's malformed-input cases, kept as tests: bodies too large or nested too deep, unreadable
 * content, codes outside the base specification's required bindings, scopes a client may not have. Every surface
 * answers in its own shape with the code from the one error registry, and nothing internal reaches the client.
 */

const FHIR_JSON = 'application/fhir+json';
/** 3,000 nested arrays in 6 KB: far below every size limit. */
const deepArray = (n = 3000) => `${'['.repeat(n)}${']'.repeat(n)}`;
/** 3,000 nested complex extensions: valid FHIR in shape, which a recursive validator walks to the bottom. */
const deepExtension = (n = 3000) => `${'{"url":"http://example.org/x","extension":['.repeat(n)}{"url":"http://example.org/x","valueString":"v"}${']}'.repeat(n)}`;

type Outcome = { resourceType: string; issue: { code: string; diagnostics?: string; details?: { text?: string } }[] };

describe('attack suite: oversized, deep and unreadable request bodies', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let gp: { jar: Awaited<ReturnType<typeof launch>>['jar']; headers: Record<string, string> };
  let fhirAuth: { authorization: string };
  before(async () => {
    sys = await startTestSystem({ background: false });
    const l = await launch(sys, { patient: 'pat-01', practitioner: 'gp-1' });
    gp = { jar: l.jar, headers: { 'content-type': 'application/json', 'x-csrf-token': l.csrf, origin: sys.url } };
    fhirAuth = await devAuthHeader(sys.url, 'lw');
  });
  after(async () => {
    await sys?.stop();
  });

  const gpPost = (body: string, headers: Record<string, string> = {}) =>
    request(gp.jar, `${sys.url}/app/api/referrals`, { method: 'POST', headers: { ...gp.headers, ...headers }, body });
  const apiError = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;
  const fhirPost = (type: string, body: string) => fetch(`${sys.url}/sandbox/lw/fhir/${type}`, { method: 'POST', headers: { ...fhirAuth, 'content-type': FHIR_JSON }, body });
  const outcomeOf = async (res: Response) => {
    expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
    return (await res.json()) as Outcome;
  };

  it('GP API: an oversized body is 413 ERR_PAYLOAD_TOO_LARGE; 3,000-deep nesting is 400 ERR_JSON_TOO_DEEP; an unknown charset is 415', async () => {
    const big = await gpPost(JSON.stringify({ patientId: 'pat-01', notes: 'x'.repeat(100_000) }));
    expect(big.status).to.equal(413);
    expect((await apiError(big)).code).to.equal('ERR_PAYLOAD_TOO_LARGE');

    const deep = await gpPost(`{"patientId":"pat-01","needs":${deepArray()}}`);
    expect(deep.status).to.equal(400);
    const e = await apiError(deep);
    expect(e.code).to.equal('ERR_JSON_TOO_DEEP');
    expect(e.message).to.match(/nests/).and.not.match(/stack/i);

    const charset = await gpPost('{}', { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(charset.status).to.equal(415);
    expect((await apiError(charset)).code).to.equal('ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('workspace: an oversized form or too many fields is a 413 page saying nothing was saved (never a 500)', async () => {
    const post = (body: string) =>
      fetch(`${sys.url}/workspace/cases/any-case/session`, { method: 'POST', redirect: 'manual', headers: { origin: sys.url, 'content-type': 'application/x-www-form-urlencoded' }, body });
    for (const body of [`notes=${'x'.repeat(100_000)}`, Array.from({ length: 300 }, (_, i) => `f${i}=1`).join('&')]) {
      const res = await post(body);
      expect(res.status).to.equal(413);
      const page = await res.text();
      expect(page).to.contain('What you entered is too long').and.contain('Nothing was saved');
      expect(page).to.not.match(/PayloadTooLarge|request entity too large|at \//);
    }
  });

  it('webhook: too large, too deep or not JSON is an OperationOutcome with the registry code', async () => {
    const hook = (body: string) => fetch(`${sys.url}/reconcile/webhook/demo-link-workers`, { method: 'POST', headers: { 'content-type': FHIR_JSON }, body });
    const big = await hook(JSON.stringify({ resourceType: 'Task', id: 't', note: [{ text: 'x'.repeat(1_100_000) }] }));
    expect(big.status).to.equal(413);
    expect((await outcomeOf(big)).issue[0]).to.deep.include({ code: 'too-costly', diagnostics: 'ERR_PAYLOAD_TOO_LARGE' });
    const deep = await hook(`{"resourceType":"Task","id":"t","extension":[${deepExtension()}]}`);
    expect(deep.status).to.equal(400);
    expect((await outcomeOf(deep)).issue[0]).to.deep.include({ code: 'structure', diagnostics: 'ERR_JSON_TOO_DEEP' });
    const garbage = await hook('{"resourceType":');
    expect(garbage.status).to.equal(400);
    expect((await outcomeOf(garbage)).issue[0]).to.deep.include({ diagnostics: 'ERR_MALFORMED_REQUEST' });
  });

  it('sandbox FHIR: a 3,000-deep resource is refused as too deep, never with an internal message', async () => {
    const res = await fhirPost('Task', `{"resourceType":"Task","status":"requested","intent":"order","extension":[${deepExtension()}]}`);
    expect(res.status).to.equal(400);
    const text = JSON.stringify(await outcomeOf(res));
    expect(text).to.contain('ERR_JSON_TOO_DEEP');
    expect(text).to.not.match(/Maximum call stack|RangeError/);
    const big = await fhirPost('Task', JSON.stringify({ resourceType: 'Task', status: 'requested', intent: 'order', note: [{ text: 'x'.repeat(11_000_000) }] }));
    expect(big.status).to.equal(413);
    expect((await outcomeOf(big)).issue[0]).to.deep.include({ diagnostics: 'ERR_PAYLOAD_TOO_LARGE' });
  });

  it('sandbox FHIR: codes outside a required binding of the base specification are refused on write', async () => {
    const task = await fhirPost('Task', JSON.stringify({ resourceType: 'Task', status: 'bogus', intent: 'order' }));
    expect(task.status).to.equal(400);
    const t = (await outcomeOf(task)).issue.find((i) => i.code === 'code-invalid');
    expect(t?.details?.text).to.contain('"bogus"').and.contain('task-status');
    const obs = await fhirPost('Observation', JSON.stringify({ resourceType: 'Observation', status: 'foo', code: { text: 'Loneliness score' } }));
    expect(obs.status).to.equal(400);
    expect((await outcomeOf(obs)).issue.find((i) => i.code === 'code-invalid')?.details?.text).to.contain('"foo"').and.contain('observation-status');
    // A coded element bound to a required ValueSet (Task.priority) and one inside a data type (ContactPoint.system).
    const priority = await fhirPost('Task', JSON.stringify({ resourceType: 'Task', status: 'requested', intent: 'order', priority: 'whenever' }));
    expect(priority.status).to.equal(400);
    const telecom = await fhirPost('Organization', JSON.stringify({ resourceType: 'Organization', name: 'x', telecom: [{ system: 'pigeon', value: '1' }] }));
    expect(telecom.status).to.equal(400);
    // The same resources with codes from their ValueSets are stored.
    expect((await fhirPost('Task', JSON.stringify({ resourceType: 'Task', status: 'requested', intent: 'order', priority: 'urgent' }))).status).to.equal(201);
    expect((await fhirPost('Observation', JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'Loneliness score' } }))).status).to.equal(201);
  });

  it('the sandbox developer client asking for scopes it may not have gets invalid_scope, not a token without them', async () => {
    const token = (scope: string) =>
      fetch(`${sys.url}/sandbox/auth/lw/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('sandbox-dev:sandbox-dev-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
      });
    const refused = await token('system/Task.rs user/*.cruds patient/Patient.r');
    expect(refused.status).to.equal(400);
    const body = (await refused.json()) as { error: string; error_description?: string; scope?: string };
    expect(body.error).to.equal('invalid_scope');
    expect(`${body.error_description} ${body.scope ?? ''}`).to.contain('user/*.cruds');
    const granted = await token('system/Task.rs');
    expect(granted.status).to.equal(200);
    expect(((await granted.json()) as { scope: string }).scope).to.equal('system/Task.rs');
  });
});

describe('attack suite: reconcile --once --direct while another instance holds the lease', function () {
  this.timeout(240_000);
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-lease-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits 75 (EX_TEMPFAIL) with a one-line message that another instance is doing it, not 1', async () => {
    await loadBackendClientKey(dataDir); // what the first `sp-link start` leaves in the data directory
    const db = await openDb({ dataDir });
    try {
      expect(await acquireLease(db, 'demo-link-workers', 'another-instance', 10 * 60_000)).to.not.equal(undefined);
    } finally {
      await db.close();
    }
    const r = await runCli(['reconcile', '--once', '--direct'], { SP_LINK_DATA_DIR: dataDir });
    expect(r.code, r.stderr).to.equal(75);
    expect(r.stderr).to.match(/another SP Link instance is reconciling demo-link-workers/).and.contain('run again later');
  });
});
