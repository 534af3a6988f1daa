import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createSandboxFhirServer } from '../../../../src/sandbox/fhir/index.js';
import { countOf, fhir, startSandboxApp, type SandboxApp } from './sandbox-app.js';

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

describe('sandbox FHIR server: persistence and reset', () => {
  let dataDir: string;
  let app: SandboxApp | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-sandbox-'));
  });
  after(async () => {
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('seeds an empty store, keeps writes across a restart, and reset restores the seed', async () => {
    app = await startSandboxApp({ dataDir });
    const seededPatients = await countOf(`${app.urls.ehr}/Patient`);

    const created = await fhir('POST', `${app.urls.ehr}/Patient`, { resourceType: 'Patient', name: [{ family: 'Persisted' }] });
    const { body: task } = await fhir('GET', `${app.urls.lw}/Task/task-ref-01`);
    await fhir('PUT', `${app.urls.lw}/Task/task-ref-01`, { ...task, status: 'accepted' });
    await fhir('DELETE', `${app.urls.ehr}/Patient/pat-28`);
    await app.close();
    app = undefined;

    app = await startSandboxApp({ dataDir });
    const reread = await fhir('GET', `${app.urls.ehr}/Patient/${created.body.id}`);
    expect(reread.status).to.equal(200);
    expect(reread.body.meta).to.deep.equal(created.body.meta);
    const taskAfter = await fhir('GET', `${app.urls.lw}/Task/task-ref-01`);
    expect(taskAfter.body.status).to.equal('accepted');
    expect(taskAfter.body.meta.versionId).to.equal('2');
    expect((await fhir('GET', `${app.urls.lw}/Task/task-ref-01/_history/1`)).body.status).to.equal('requested');
    expect((await fhir('GET', `${app.urls.ehr}/Patient/pat-28`)).status).to.equal(410);
    // Versions continue after a restart rather than starting again.
    const next = await fhir('PUT', `${app.urls.lw}/Task/task-ref-01`, { ...taskAfter.body, status: 'in-progress' });
    expect(next.body.meta.versionId).to.equal('3');
    expect(Date.parse(next.body.meta.lastUpdated)).to.be.greaterThan(Date.parse(taskAfter.body.meta.lastUpdated));

    await app.ehr.reset();
    await app.lw.reset();
    expect(await countOf(`${app.urls.ehr}/Patient`)).to.equal(seededPatients);
    expect((await fhir('GET', `${app.urls.ehr}/Patient/${created.body.id}`)).status).to.equal(404);
    expect((await fhir('GET', `${app.urls.ehr}/Patient/pat-28`)).status).to.equal(200);
    const resetTask = await fhir('GET', `${app.urls.lw}/Task/task-ref-01`);
    expect(resetTask.body.status).to.equal('requested');
    expect(resetTask.body.meta.versionId).to.equal('1');

    // The reset state is what a further restart finds.
    await app.close();
    app = await startSandboxApp({ dataDir });
    expect((await fhir('GET', `${app.urls.ehr}/Patient/${created.body.id}`)).status).to.equal(404);
    expect((await fhir('GET', `${app.urls.lw}/Task/task-ref-01`)).body.status).to.equal('requested');
  });

  it('imports a data file of earlier versions into an empty store on first start, every version kept', async () => {
    await app?.close();
    app = undefined;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sp-link-sandbox-import-'));
    try {
      const v1 = { resourceType: 'Patient', id: 'kept', meta: { versionId: '1', lastUpdated: '2026-01-05T10:00:00.000Z' }, name: [{ family: 'Old' }] };
      const v2 = { ...v1, meta: { versionId: '2', lastUpdated: '2026-01-06T10:00:00.000Z' }, name: [{ family: 'Newer' }] };
      const gone = { resourceType: 'Patient', id: 'gone', meta: { versionId: '1', lastUpdated: '2026-01-05T11:00:00.000Z' }, name: [{ family: 'Gone' }] };
      const deletion = { resourceType: 'Patient', id: 'gone', versionId: '2', lastUpdated: '2026-01-07T09:00:00.000Z' };
      await writeFile(path.join(dir, 'ehr.json'), JSON.stringify({ format: 'sp-link-sandbox-fhir/1', versions: [v1, v2, gone], deletions: [deletion] }));

      app = await startSandboxApp({ dataDir: dir });
      const kept = await fhir('GET', `${app.urls.ehr}/Patient/kept`);
      expect(kept.body.name[0].family).to.equal('Newer');
      expect(kept.body.meta).to.deep.equal(v2.meta);
      expect((await fhir('GET', `${app.urls.ehr}/Patient/kept/_history/1`)).body.name[0].family).to.equal('Old');
      expect((await fhir('GET', `${app.urls.ehr}/Patient/gone`)).status).to.equal(410);
      expect((await fhir('GET', `${app.urls.ehr}/Patient?family=newer`)).body.total).to.equal(1);
      expect(await countOf(`${app.urls.ehr}/Patient`), 'the data file, not the demo data').to.equal(1);
      // The link-worker server had no data file: demo data.
      expect((await fhir('GET', `${app.urls.lw}/Task/task-ref-01`)).status).to.equal(200);
      const next = await fhir('PUT', `${app.urls.ehr}/Patient/kept`, { ...kept.body, gender: 'female' });
      expect(next.body.meta.versionId).to.equal('3');
      expect(Date.parse(next.body.meta.lastUpdated)).to.be.greaterThan(Date.parse(v2.meta.lastUpdated));

      expect(await exists(path.join(dir, 'ehr.json')), 'renamed once imported').to.equal(false);
      expect(await exists(path.join(dir, 'ehr.json.imported'))).to.equal(true);
      await app.close();
      app = await startSandboxApp({ dataDir: dir });
      expect((await fhir('GET', `${app.urls.ehr}/Patient/kept`)).body.gender).to.equal('female');
    } finally {
      await app?.close();
      app = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the file when a data file to import is corrupt', async () => {
    const broken = await mkdtemp(path.join(os.tmpdir(), 'sp-link-sandbox-broken-'));
    try {
      await writeFile(path.join(broken, 'ehr.json'), '{ not json');
      let error: Error | undefined;
      await startSandboxApp({ dataDir: broken }).catch((err: Error) => {
        error = err;
      });
      expect(error?.message).to.include(path.join(broken, 'ehr.json'));
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('refuses to start on an invalid seed, naming the server', async () => {
    let error: Error | undefined;
    await createSandboxFhirServer({
      name: 'lw',
      baseUrl: 'http://127.0.0.1:1/sandbox/lw/fhir',
      seed: () => [{ resourceType: 'Patient', id: 'ok' }, { resourceType: 'Patient', id: 'bad', birthDate: 'last year' }],
    }).catch((err: Error) => {
      error = err;
    });
    expect(error?.message).to.match(/^sandbox lw seed failed: .*birthDate/i);
  });
});
