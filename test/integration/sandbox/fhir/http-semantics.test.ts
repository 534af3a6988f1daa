import { expect } from 'chai';
import { countOf, fhir, startSandboxApp, type Json, type SandboxApp } from './sandbox-app.js';

/** The R4 HTTP semantics SP Link relies on, proven over real HTTP against the sandbox EHR (issue 3 item 4). */
describe('sandbox FHIR server: HTTP semantics', () => {
  let app: SandboxApp;
  let base: string;

  before(async () => {
    app = await startSandboxApp();
    base = app.urls.ehr;
  });
  after(async () => {
    await app.close();
  });

  const newPatient = (family: string): Json => ({ resourceType: 'Patient', name: [{ family, given: ['Test'] }], gender: 'unknown' });

  it('serves an R4 CapabilityStatement at /metadata', async () => {
    const { status, headers, body } = await fhir('GET', `${base}/metadata`);
    expect(status).to.equal(200);
    expect(headers.get('content-type')).to.match(/^application\/fhir\+json/);
    expect(body.resourceType).to.equal('CapabilityStatement');
    expect(body.fhirVersion).to.equal('4.0.1');
    expect(body.software.name).to.be.a('string');
    const rest = body.rest[0];
    expect(rest.interaction.map((i: Json) => i.code)).to.include.members(['transaction', 'batch']);
    const task = rest.resource.find((r: Json) => r.type === 'Task');
    expect(task.versioning).to.equal('versioned-update');
    expect(task.conditionalCreate).to.equal(true);
    expect(task.interaction.map((i: Json) => i.code)).to.include.members(['read', 'vread', 'update', 'delete', 'create', 'search-type', 'history-instance', 'history-type']);
    expect(task.searchParam.map((p: Json) => p.name)).to.include.members(['_lastUpdated', 'status', 'owner', 'focus']);
    expect(task.searchInclude).to.include('Task:focus');
  });

  it('creates, reads, vreads, updates and deletes with ETag, Location and Last-Modified', async () => {
    const created = await fhir('POST', `${base}/Patient`, { ...newPatient('Crud'), id: 'client-chosen' });
    expect(created.status).to.equal(201);
    const id = created.body.id as string;
    expect(id).to.not.equal('client-chosen');
    expect(created.body.meta.versionId).to.equal('1');
    expect(created.headers.get('etag')).to.equal('W/"1"');
    expect(created.headers.get('location')).to.equal(`${base}/Patient/${id}/_history/1`);
    expect(Date.parse(created.headers.get('last-modified') ?? '')).to.be.closeTo(Date.parse(created.body.meta.lastUpdated), 1000);

    const followed = await fhir('GET', created.headers.get('location') ?? '');
    expect(followed.status).to.equal(200);
    expect(followed.body.name[0].family).to.equal('Crud');

    const read = await fhir('GET', `${base}/Patient/${id}`);
    expect(read.status).to.equal(200);
    expect(read.headers.get('etag')).to.equal('W/"1"');
    expect(read.headers.get('last-modified')).to.be.a('string');

    const notModified = await fetch(`${base}/Patient/${id}`, { headers: { 'if-none-match': 'W/"1"' } });
    expect(notModified.status).to.equal(304);

    const updated = await fhir('PUT', `${base}/Patient/${id}`, { ...read.body, gender: 'female' });
    expect(updated.status).to.equal(200);
    expect(updated.headers.get('etag')).to.equal('W/"2"');
    expect(updated.body.gender).to.equal('female');

    const v1 = await fhir('GET', `${base}/Patient/${id}/_history/1`);
    expect(v1.status).to.equal(200);
    expect(v1.body.gender).to.equal('unknown');
    expect(v1.headers.get('etag')).to.equal('W/"1"');

    const deleted = await fhir('DELETE', `${base}/Patient/${id}`);
    expect(deleted.status).to.equal(200);
    const gone = await fhir('GET', `${base}/Patient/${id}`);
    expect(gone.status).to.equal(410);
    expect(gone.body.resourceType).to.equal('OperationOutcome');
    const missing = await fhir('GET', `${base}/Patient/never-existed`);
    expect(missing.status).to.equal(404);
    expect(missing.body.resourceType).to.equal('OperationOutcome');

    const history = await fhir('GET', `${base}/Patient/${id}/_history`);
    expect(history.status).to.equal(200);
    expect(history.body.type).to.equal('history');
    expect(history.body.entry.map((e: Json) => e.request.method)).to.deep.equal(['DELETE', 'PUT', 'POST']);
    expect(history.body.entry[1].fullUrl).to.equal(`${base}/Patient/${id}`);
  });

  it('answers update-as-create with 201 and a Location', async () => {
    const res = await fhir('PUT', `${base}/Patient/chosen-by-client`, { ...newPatient('UpdateCreate'), id: 'chosen-by-client' });
    expect(res.status).to.equal(201);
    expect(res.headers.get('location')).to.equal(`${base}/Patient/chosen-by-client/_history/1`);
  });

  it('serves type-level history with _since', async () => {
    const before = new Date().toISOString();
    const a = await fhir('POST', `${base}/Practitioner`, { resourceType: 'Practitioner', name: [{ family: 'Hist' }] });
    await fhir('PUT', `${base}/Practitioner/${a.body.id}`, { ...a.body, gender: 'male' });
    const res = await fhir('GET', `${base}/Practitioner/_history?_since=${encodeURIComponent(before)}`);
    expect(res.status).to.equal(200);
    expect(res.body.type).to.equal('history');
    expect(res.body.entry.map((e: Json) => `${e.resource.id}/${e.resource.meta.versionId}`)).to.deep.equal([`${a.body.id}/2`, `${a.body.id}/1`]);
  });

  it('refuses a stale If-Match with 412 and accepts the current one', async () => {
    const { body: p } = await fhir('POST', `${base}/Patient`, newPatient('IfMatch'));
    const ok = await fhir('PUT', `${base}/Patient/${p.id}`, { ...p, gender: 'male' }, { 'if-match': 'W/"1"' });
    expect(ok.status).to.equal(200);
    const stale = await fhir('PUT', `${base}/Patient/${p.id}`, { ...p, gender: 'female' }, { 'if-match': 'W/"1"' });
    expect(stale.status).to.equal(412);
    expect(stale.body.resourceType).to.equal('OperationOutcome');
    const current = await fhir('GET', `${base}/Patient/${p.id}`);
    expect(current.body.gender).to.equal('male');
    const staleDelete = await fhir('DELETE', `${base}/Patient/${p.id}`, undefined, { 'if-match': 'W/"1"' });
    expect(staleDelete.status).to.equal(412);
  });

  it('returns the existing resource for a matching If-None-Exist, without a duplicate', async () => {
    const identifier = [{ system: 'urn:test:ine', value: 'ine-1' }];
    const first = await fhir('POST', `${base}/Patient`, { ...newPatient('Ine'), identifier }, { 'if-none-exist': 'identifier=urn:test:ine|ine-1' });
    expect(first.status).to.equal(201);
    const second = await fhir('POST', `${base}/Patient`, { ...newPatient('Ine2'), identifier }, { 'if-none-exist': 'identifier=urn:test:ine|ine-1' });
    expect(second.status).to.equal(200);
    expect(second.body.id).to.equal(first.body.id);
    expect(second.body.name[0].family).to.equal('Ine');
    expect(await countOf(`${base}/Patient?identifier=urn:test:ine|ine-1`)).to.equal(1);
  });

  it('searches by _lastUpdated (gt, ge, lt, le) and sorts by it both ways', async () => {
    const made: Json[] = [];
    for (const family of ['Lu1', 'Lu2', 'Lu3']) made.push((await fhir('POST', `${base}/Organization`, { resourceType: 'Organization', name: family })).body);
    const [a, b, c] = made.map((r) => r.meta.lastUpdated as string);
    const names = async (q: string): Promise<string[]> =>
      (await fhir('GET', `${base}/Organization?name=Lu&${q}`)).body.entry?.map((e: Json) => e.resource.name) ?? [];
    expect(await names(`_lastUpdated=gt${encodeURIComponent(a ?? '')}&_sort=_lastUpdated`)).to.deep.equal(['Lu2', 'Lu3']);
    expect(await names(`_lastUpdated=ge${encodeURIComponent(b ?? '')}&_sort=_lastUpdated`)).to.deep.equal(['Lu2', 'Lu3']);
    expect(await names(`_lastUpdated=lt${encodeURIComponent(c ?? '')}&_sort=_lastUpdated`)).to.deep.equal(['Lu1', 'Lu2']);
    expect(await names(`_lastUpdated=le${encodeURIComponent(a ?? '')}&_sort=_lastUpdated`)).to.deep.equal(['Lu1']);
    expect(await names('_sort=-_lastUpdated')).to.deep.equal(['Lu3', 'Lu2', 'Lu1']);
  });

  it('pages with _count and next links that reach every match exactly once', async () => {
    const total = await countOf(`${base}/Patient`);
    expect(total).to.be.greaterThan(25);
    const seen: string[] = [];
    let url: string | undefined = `${base}/Patient?_count=7&_sort=birthdate`;
    let pages = 0;
    while (url) {
      const page: Json = await fhir('GET', url);
      expect(page.status).to.equal(200);
      expect(page.body.link.find((l: Json) => l.relation === 'self').url).to.match(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(page.body.entry.length).to.be.at.most(7);
      for (const e of page.body.entry) {
        expect(e.fullUrl).to.equal(`${base}/Patient/${e.resource.id}`);
        seen.push(e.resource.id);
      }
      url = page.body.link.find((l: Json) => l.relation === 'next')?.url;
      pages++;
    }
    expect(pages).to.equal(Math.ceil(total / 7));
    expect(seen).to.have.length(total);
    expect(new Set(seen).size).to.equal(total);
  });

  it('sorts by a search parameter ascending and descending', async () => {
    const dates = async (sort: string): Promise<string[]> =>
      (await fhir('GET', `${base}/Patient?_sort=${sort}&_count=100&birthdate=lt2000-01-01`)).body.entry.map((e: Json) => e.resource.birthDate);
    const asc = await dates('birthdate');
    expect(asc).to.deep.equal([...asc].sort());
    expect(await dates('-birthdate')).to.deep.equal([...asc].reverse());
  });

  it('adds _include targets to search results', async () => {
    const sr = await fhir('GET', `${base}/ServiceRequest?_include=ServiceRequest:subject&_id=ref-01`);
    expect(sr.body.entry.map((e: Json) => `${e.search.mode}:${e.resource.resourceType}/${e.resource.id}`)).to.deep.equal([
      'match:ServiceRequest/ref-01',
      'include:Patient/pat-03',
    ]);
    const roles = await fhir('GET', `${base}/PractitionerRole?_include=PractitionerRole:practitioner`);
    const included = roles.body.entry.filter((e: Json) => e.search.mode === 'include').map((e: Json) => e.resource.resourceType);
    expect(included).to.have.length(3);
    expect(new Set(included)).to.deep.equal(new Set(['Practitioner']));

    // Task.focus points at another server in the demo; a local focus is included.
    const lw = app.urls.lw;
    const { body: sr2 } = await fhir('POST', `${lw}/ServiceRequest`, { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { display: 'x' } });
    const { body: task } = await fhir('POST', `${lw}/Task`, { resourceType: 'Task', status: 'requested', intent: 'order', focus: { reference: `ServiceRequest/${sr2.id}` } });
    const tasks = await fhir('GET', `${lw}/Task?_id=${task.id}&_include=Task:focus`);
    expect(tasks.body.entry.map((e: Json) => e.resource.resourceType)).to.deep.equal(['Task', 'ServiceRequest']);
  });

  it('rejects an invalid resource with 400 and an OperationOutcome, storing nothing', async () => {
    const before = await countOf(`${base}/Patient`);
    const unknownProperty = await fhir('POST', `${base}/Patient`, { resourceType: 'Patient', favouriteColour: 'green' });
    expect(unknownProperty.status).to.equal(400);
    expect(unknownProperty.body.resourceType).to.equal('OperationOutcome');
    expect(unknownProperty.body.issue[0].severity).to.equal('error');
    const wrongType = await fhir('POST', `${base}/Patient`, { resourceType: 'Patient', active: 'yes' });
    expect(wrongType.status).to.equal(400);
    const missingRequired = await fhir('POST', `${base}/Task`, { resourceType: 'Task', intent: 'order' });
    expect(missingRequired.status).to.equal(400);
    expect(await countOf(`${base}/Patient`)).to.equal(before);
  });

  it('speaks OperationOutcome for malformed JSON, wrong media types and unknown routes', async () => {
    const malformed = await fhir('POST', `${base}/Patient`, '{"resourceType":');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.resourceType).to.equal('OperationOutcome');
    const xml = await fhir('POST', `${base}/Patient`, '<Patient/>', { 'content-type': 'application/fhir+xml' });
    expect(xml.status).to.equal(415);
    expect(xml.body.resourceType).to.equal('OperationOutcome');
    const typeMismatch = await fhir('POST', `${base}/Patient`, { resourceType: 'Practitioner' });
    expect(typeMismatch.status).to.equal(400);
    const graphql = await fhir('POST', `${base}/$graphql`, { query: '{ PatientList { id } }' });
    expect(graphql.status).to.be.within(400, 499);
    expect(graphql.body.resourceType).to.equal('OperationOutcome');
  });

  it('honours Prefer: return=minimal', async () => {
    const res = await fetch(`${base}/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
      body: JSON.stringify(newPatient('Minimal')),
    });
    expect(res.status).to.equal(201);
    expect(res.headers.get('location')).to.match(/\/Patient\/[^/]+\/_history\/1$/);
    expect(await res.text()).to.equal('');
  });
});
