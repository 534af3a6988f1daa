import { OperationOutcomeError, badRequest, getStatus, parseSearchRequest, validateResource } from '@medplum/core';
import type { Bundle, Observation, Patient, Provenance, Resource, Task } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { ensureR4Definitions } from '../../../src/fhir/r4-definitions.js';
import { FhirRouter } from '@medplum/fhir-router';
import { ChangeReader, openFhirStore, serialiseConditionalBundles, type DbFhirRepository } from '../../../src/fhir-store/index.js';
import type { Db } from '../../../src/store/db.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const BASE = 'http://localhost:3999/fhir';

/** The HTTP status an operation fails with. */
async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OperationOutcomeError) return getStatus(err.outcome);
    throw err;
  }
  return 200;
}

const patient = (family: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Ann'] }],
  gender: 'female',
  ...extra,
});

const task = (identifier: string, extra: Partial<Task> = {}): Task => ({
  resourceType: 'Task',
  identifier: [{ system: 'urn:test:task', value: identifier }],
  status: 'requested',
  intent: 'order',
  ...extra,
});

/** The same database, counting the statements sent through it (transaction handles included). */
function countingDb(inner: Db, counter: { n: number }): Db {
  return {
    kind: inner.kind,
    schema: inner.schema,
    query: (sql, params) => {
      counter.n++;
      return inner.query(sql, params);
    },
    exec: (sql) => inner.exec(sql),
    transaction: (fn) => inner.transaction((tx) => fn(countingDb(tx, counter))),
    close: () => inner.close(),
  };
}

for (const backend of STORE_BACKENDS) {
  describe(`FHIR store on ${backend.name}`, function () {
    let db: Db;
    let repo: DbFhirRepository;
    let commits = 0;
    const suite = suiteStore(backend, 't_fhirstore', { maxConnections: 40 });

    before(async () => {
      ensureR4Definitions();
      db = suite.db;
      repo = await openFhirStore(db, {
        store: 'test',
        baseUrl: BASE,
        validate: async (r) => {
          validateResource(r);
        },
        onCommit: () => commits++,
      });
    });


    const search = <T extends Resource>(url: string): Promise<Bundle<T & { id: string }>> =>
      repo.search(parseSearchRequest<T>(url));
    const ids = (b: Bundle): string[] => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);

    it('creates, reads, updates, vreads, deletes (tombstone) and keeps every version in history', async () => {
      const created = await repo.createResource({ ...patient('Crud'), id: 'client-chosen' });
      expect(created.id).to.not.equal('client-chosen');
      expect(created.meta?.versionId).to.equal('1');
      const read = await repo.readResource<Patient>('Patient', created.id);
      expect(read.name?.[0]?.family).to.equal('Crud');

      const updated = await repo.updateResource({ ...read, gender: 'other' });
      expect(updated.meta?.versionId).to.equal('2');
      expect(Date.parse(updated.meta!.lastUpdated!)).to.be.greaterThan(Date.parse(created.meta!.lastUpdated!));
      // Nothing but meta changed: no new version.
      expect((await repo.updateResource<Patient>(updated)).meta?.versionId).to.equal('2');

      expect((await repo.readVersion<Patient>('Patient', created.id, '1')).gender).to.equal('female');
      await repo.deleteResource('Patient', created.id);
      expect(await statusOf(repo.readResource('Patient', created.id))).to.equal(410);
      expect(await statusOf(repo.readResource('Patient', 'never-existed'))).to.equal(404);
      expect(await statusOf(repo.readVersion('Patient', created.id, '3'))).to.equal(410);
      await repo.deleteResource('Patient', created.id); // idempotent

      const history = await repo.readHistory('Patient', created.id);
      expect(history.total).to.equal(3);
      expect(history.entry?.map((e) => e.request?.method)).to.deep.equal(['DELETE', 'PUT', 'POST']);
      expect(ids(await search(`Patient?family=Crud`))).to.deep.equal([]);

      // Update after delete brings it back as the next version.
      const back = await repo.updateResource<Patient>({ ...read, meta: {} });
      expect(back.meta?.versionId).to.equal('4');
      expect(ids(await search('Patient?family=crud'))).to.deep.equal([created.id]);
    });

    it('writes a create in one statement and an update or a delete in three, storing exactly what it returns', async () => {
      const counter = { n: 0 };
      const counted = await openFhirStore(countingDb(db, counter), { store: 'test', baseUrl: BASE });
      const count = async <T>(write: () => Promise<T>): Promise<[T, number]> => {
        counter.n = 0;
        const out = await write();
        return [out, counter.n];
      };
      const [created, createStatements] = await count(() => counted.createResource(patient('Counted', { identifier: [{ value: 'c-1' }] })));
      expect(createStatements).to.equal(1);
      expect(await repo.readResource('Patient', created.id)).to.deep.equal(created);
      expect(ids(await search('Patient?identifier=c-1'))).to.deep.equal([created.id]);

      const [updated, updateStatements] = await count(() => counted.updateResource({ ...created, gender: 'male', identifier: [{ value: 'c-2' }] }));
      expect(updateStatements).to.equal(3); // store lock, current row, the write
      expect(await repo.readResource('Patient', created.id)).to.deep.equal(updated);
      expect(ids(await search('Patient?identifier=c-1'))).to.deep.equal([]);
      expect(ids(await search('Patient?identifier=c-2'))).to.deep.equal([created.id]);

      const [, deleteStatements] = await count(() => counted.deleteResource('Patient', created.id));
      expect(deleteStatements).to.equal(3);
      expect(ids(await search('Patient?identifier=c-2'))).to.deep.equal([]);
      // Creating with the id of a tombstone brings it back as its next version.
      const [again, againStatements] = await count(() => counted.createResource({ ...patient('Counted'), id: created.id }, { assignedId: true }));
      expect(again.meta?.versionId).to.equal('4');
      expect(againStatements).to.equal(4); // the insert finds the id taken, then lock, current row, the write
      const changes = (await repo.changesSince(0, 10_000)).filter((c) => c.resource.id === created.id);
      expect(changes.map((c) => `${c.interaction}:${c.resource.meta?.versionId}`)).to.deep.equal(['create:1', 'update:2', 'delete:2', 'create:4']);
    });

    it('checks If-Match against the stored version inside the write transaction', async () => {
      const p = await repo.createResource(patient('Match'));
      expect(await statusOf(repo.updateResource({ ...p, gender: 'male' }, { ifMatch: '7' }))).to.equal(412);
      const ok = await repo.updateResource({ ...p, gender: 'male' }, { ifMatch: '1' });
      expect(ok.meta?.versionId).to.equal('2');
      expect(await statusOf(repo.updateResource({ ...p, gender: 'other' }, { ifMatch: '1' }))).to.equal(412);
      expect(await statusOf(repo.deleteResource('Patient', p.id, { ifMatch: '1' }))).to.equal(412);
    });

    it('validates before anything is stored', async () => {
      const before = (await search('Patient?_count=0')).total;
      const bad = { resourceType: 'Patient', gender: 'female', colour: 'blue' } as unknown as Patient;
      expect(await statusOf(repo.createResource(bad))).to.equal(400);
      expect((await search('Patient?_count=0')).total).to.equal(before);
    });

    it('rolls a whole transaction back when any part fails, journal included', async () => {
      const seqBefore = await repo.lastChangeSeq();
      const err = await repo
        .withTransaction(async (tx) => {
          await tx.createResource(patient('Rollback'));
          await tx.createResource({ resourceType: 'Patient', birthDate: 'yesterday' } as Patient);
        })
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OperationOutcomeError);
      expect(ids(await search('Patient?family=Rollback'))).to.deep.equal([]);
      expect(await repo.lastChangeSeq()).to.equal(seqBefore);
    });

    it('searches tokens (identifier with and without system, :not, :missing) from index rows', async () => {
      const a = await repo.createResource(task('tok-a', { status: 'accepted' }));
      const b = await repo.createResource(task('tok-b', { identifier: [{ value: 'tok-b' }] }));
      expect(ids(await search('Task?identifier=urn:test:task|tok-a'))).to.deep.equal([a.id]);
      expect(ids(await search('Task?identifier=tok-b'))).to.deep.equal([b.id]);
      expect(ids(await search('Task?identifier=|tok-b'))).to.deep.equal([b.id]);
      expect(ids(await search('Task?identifier=|tok-a'))).to.deep.equal([]);
      expect(ids(await search('Task?identifier=urn:test:task|tok-a,urn:test:task|nope'))).to.deep.equal([a.id]);
      expect(ids(await search('Task?identifier=tok-a,tok-b&status=accepted'))).to.deep.equal([a.id]);
      expect(ids(await search('Task?identifier=tok-a,tok-b&status:not=accepted'))).to.deep.equal([b.id]);
      expect(ids(await search('Task?identifier=tok-a,tok-b&owner:missing=true'))).to.have.members([a.id, b.id]);
      expect(ids(await search(`Task?_id=${a.id}`))).to.deep.equal([a.id]);
    });

    it('searches references relative and absolute, with _include and _revinclude', async () => {
      const p = await repo.createResource(patient('Refs'));
      const o1 = await repo.createResource<Observation>({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'x' },
        subject: { reference: `Patient/${p.id}` },
      });
      const o2 = await repo.createResource<Observation>({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'y' },
        subject: { reference: `${BASE}/Patient/${p.id}` },
      });
      const elsewhere = await repo.createResource<Observation>({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'z' },
        subject: { reference: `https://other.example/fhir/Patient/${p.id}` },
      });
      expect(ids(await search(`Observation?subject=Patient/${p.id}`))).to.have.members([o1.id, o2.id]);
      expect(ids(await search(`Observation?patient=${BASE}/Patient/${p.id}`))).to.have.members([o1.id, o2.id]);
      expect(ids(await search(`Observation?subject=https://other.example/fhir/Patient/${p.id}`))).to.deep.equal([elsewhere.id]);
      expect(ids(await search(`Observation?subject=${p.id}`))).to.have.members([o1.id, o2.id, elsewhere.id]);

      const withSubject = await search(`Observation?_id=${o1.id}&_include=Observation:subject`);
      expect(withSubject.entry?.map((e) => `${e.search?.mode}:${e.resource?.resourceType}`)).to.deep.equal(['match:Observation', 'include:Patient']);
      const withObs = await search(`Patient?_id=${p.id}&_revinclude=Observation:subject`);
      expect(withObs.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id)).to.have.members([o1.id, o2.id]);
    });

    it('reads an _include target once however many matches name it', async () => {
      const p = await repo.createResource(patient('Included'));
      const observe = (n: number) =>
        Promise.all(Array.from({ length: n }, (_, i) => repo.createResource<Observation>({
          resourceType: 'Observation', status: 'final', code: { text: 'included' }, subject: { reference: `Patient/${p.id}` }, valueInteger: i,
        })));
      const counter = { n: 0 };
      const counted = await openFhirStore(countingDb(db, counter), { store: 'test', baseUrl: BASE });
      const statements = async () => {
        counter.n = 0;
        const found = await counted.search(parseSearchRequest(`Observation?subject=Patient/${p.id}&_include=Observation:subject&_count=100`));
        expect(found.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id)).to.deep.equal([p.id]);
        return counter.n;
      };
      await observe(1);
      const one = await statements();
      await observe(29);
      expect(await statements()).to.equal(one);
    });

    it('reads the _include targets of a page in one statement per type, deleted and missing ones left out', async () => {
      const people = await Promise.all(['Inc1', 'Inc2', 'Inc3', 'Inc4'].map((f) => repo.createResource(patient(f))));
      const [kept, deleted, , other] = people;
      await repo.deleteResource('Patient', deleted!.id);
      const subjects = [kept!.id, deleted!.id, 'no-such-patient', other!.id, kept!.id];
      for (const [i, id] of subjects.entries()) {
        // Absolute references on this server's base are read like relative ones.
        for (const reference of [`Patient/${id}`, `${BASE}/Patient/${id}`]) {
          await repo.createResource<Observation>({ resourceType: 'Observation', status: 'final', code: { text: 'several' }, subject: { reference }, valueInteger: i });
        }
      }
      const counter = { n: 0 };
      const counted = await openFhirStore(countingDb(db, counter), { store: 'test', baseUrl: BASE });
      const ids = [...subjects, ...people.map((p) => p.id)].join(',');
      counter.n = 0;
      const found = await counted.search(parseSearchRequest(`Observation?subject=${ids}&_include=Observation:subject&_count=100`));
      expect(found.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id)).to.have.members([kept!.id, other!.id]);
      const withOne = counter.n;
      counter.n = 0;
      await counted.search(parseSearchRequest(`Observation?subject=${kept!.id}&_include=Observation:subject&_count=100`));
      expect(withOne).to.equal(counter.n);
    });

    it('searches dates and periods with every prefix, and strings case- and accent-insensitively', async () => {
      const p1 = await repo.createResource(patient('Zoë', { birthDate: '1950-06-15' }));
      const p2 = await repo.createResource(patient('Zola', { birthDate: '2001-01-01' }));
      const both = `&_id=${p1.id},${p2.id}`;
      expect(ids(await search(`Patient?birthdate=lt2000-01-01${both}`))).to.deep.equal([p1.id]);
      expect(ids(await search(`Patient?birthdate=ge2001${both}`))).to.deep.equal([p2.id]);
      expect(ids(await search(`Patient?birthdate=1950-06${both}`))).to.deep.equal([p1.id]);
      expect(ids(await search(`Patient?birthdate=ne1950-06-15${both}`))).to.deep.equal([p2.id]);
      expect(ids(await search(`Patient?birthdate=sa1950-06-15${both}`))).to.deep.equal([p2.id]);
      expect(ids(await search(`Patient?birthdate=eb2001-01-01${both}`))).to.deep.equal([p1.id]);
      expect(ids(await search(`Patient?family=zoe${both}`))).to.deep.equal([p1.id]);
      expect(ids(await search(`Patient?family=ZO${both}`))).to.have.members([p1.id, p2.id]);
      expect(ids(await search(`Patient?family:exact=Zoë${both}`))).to.deep.equal([p1.id]);
      expect(ids(await search(`Patient?family:exact=zoe${both}`))).to.deep.equal([]);
      expect(ids(await search(`Patient?family:contains=OL${both}`))).to.deep.equal([p2.id]);

      const t = await repo.createResource(task('period', { executionPeriod: { start: '2026-01-10T09:00:00Z' } }));
      expect(ids(await search(`Task?period=ge2027-01-01&_id=${t.id}`))).to.deep.equal([t.id]); // open end
      expect(ids(await search(`Task?period=lt2026-01-10&_id=${t.id}`))).to.deep.equal([]);
      expect(ids(await search(`Task?period=le2026-01-10&_id=${t.id}`))).to.deep.equal([t.id]);
    });

    it('searches _lastUpdated with gt/ge/lt/le and sorts by it both ways', async () => {
      const made: Task[] = [];
      for (let i = 0; i < 3; i++) made.push(await repo.createResource(task(`lu-${i}`)));
      const [t0, t1, t2] = made.map((t) => t.meta!.lastUpdated!);
      const only = `&identifier=lu-0,lu-1,lu-2`;
      expect(ids(await search(`Task?_lastUpdated=gt${t0}${only}&_sort=_lastUpdated`))).to.deep.equal([made[1]!.id, made[2]!.id]);
      expect(ids(await search(`Task?_lastUpdated=ge${t1}${only}&_sort=-_lastUpdated`))).to.deep.equal([made[2]!.id, made[1]!.id]);
      expect(ids(await search(`Task?_lastUpdated=lt${t1}${only}`))).to.deep.equal([made[0]!.id]);
      expect(ids(await search(`Task?_lastUpdated=le${t2}${only}&_sort=-_lastUpdated`))).to.deep.equal(made.map((t) => t.id).reverse());
    });

    it('pages with keyset cursors that reach every match exactly once, even while rows are added, and counts the total', async () => {
      for (let i = 0; i < 25; i++) await repo.createResource(patient('Pager', { birthDate: `19${String(50 + (i % 7)).padStart(2, '0')}-01-01` }));
      for (const sort of ['', '&_sort=birthdate', '&_sort=-birthdate,family', '&_sort=-_lastUpdated']) {
        let bundle = await search(`Patient?family=Pager&_count=4${sort}`);
        expect(bundle.total).to.equal(25);
        const seen: string[] = [];
        let pages = 0;
        for (;;) {
          seen.push(...ids(bundle));
          const next = bundle.link?.find((l) => l.relation === 'next')?.url;
          if (!next) break;
          if (pages++ === 1) await repo.createResource(patient('Other')); // a concurrent write does not shift pages
          bundle = await search(next);
        }
        expect(seen).to.have.length(25);
        expect(new Set(seen).size).to.equal(25);
      }
      const sorted = await search<Patient>('Patient?family=Pager&_sort=birthdate&_count=100');
      const dates = sorted.entry!.map((e) => e.resource!.birthDate!);
      expect(dates).to.deep.equal([...dates].sort());
      expect((await search('Patient?family=Pager&_count=0')).total).to.equal(25);
    });

    it('serves instance and type history, with _since', async () => {
      const before = new Date().toISOString();
      const p = await repo.createResource(patient('Hist'));
      await repo.updateResource({ ...p, gender: 'male' });
      const all = await repo.readTypeHistory('Patient', { since: before });
      expect(all.entry?.filter((e) => e.resource?.id === p.id).map((e) => e.response?.status)).to.deep.equal(['200', '201']);
    });

    it('journals committed writes in order, for notification after commit', async () => {
      const from = await repo.lastChangeSeq();
      const commitsBefore = commits;
      const p = await repo.createResource(patient('Journal'));
      await repo.updateResource({ ...p, gender: 'male' });
      await repo.deleteResource('Patient', p.id);
      const changes = await repo.changesSince(from);
      expect(changes.map((c) => `${c.interaction}:${c.resource.meta?.versionId}`)).to.deep.equal(['create:1', 'update:2', 'delete:2']);
      expect(commits - commitsBefore).to.equal(3);
    });

    it('32 concurrent conditional creates make exactly one resource', async function () {
      this.timeout(120_000);
      const results = await Promise.all(
        Array.from({ length: 32 }, () =>
          repo.conditionalCreate(task('race-1'), parseSearchRequest<Task>('Task?identifier=urn:test:task|race-1')),
        ),
      );
      const created = results.filter((r) => r.outcome.id === 'created');
      expect(created).to.have.length(1);
      expect(new Set(results.map((r) => r.resource.id)).size).to.equal(1);
      expect((await search('Task?identifier=urn:test:task|race-1&_count=0')).total).to.equal(1);
    });

    it('runs a conditional transaction Bundle asking the database each question once while it holds the store lock', async () => {
      // The shape of a referral: a conditional create, and a Provenance whose target an authorisation check reads back.
      const counter = { n: 0 };
      const counted = await openFhirStore(countingDb(db, counter), { store: 'test', baseUrl: BASE });
      const router = serialiseConditionalBundles(new FhirRouter());
      const readBack: string[] = [];
      const bundle = (key: string): Bundle => ({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:0e3c2a9e-0000-4000-8000-000000000011', resource: task(key), request: { method: 'POST', url: 'Task', ifNoneExist: `identifier=urn:test:task|${key}` } },
          { resource: { resourceType: 'Provenance', target: [{ reference: 'urn:uuid:0e3c2a9e-0000-4000-8000-000000000011' }], recorded: '2026-01-01T00:00:00Z', agent: [{ who: { display: 'GP' } }] }, request: { method: 'POST', url: 'Provenance' } },
        ],
      });
      const post = async (key: string): Promise<[Bundle, number]> => {
        counter.n = 0;
        const [outcome, response] = await router.handleRequest(
          { method: 'POST', url: '', pathname: '', body: bundle(key), params: {}, query: {}, config: { transactions: true } },
          counted,
        );
        expect(getStatus(outcome)).to.equal(200);
        const target = (response as Bundle).entry?.[1]?.resource as Provenance | undefined;
        const [type, id] = (target?.target?.[0]?.reference ?? '').split('/');
        readBack.push((await counted.readResource(type!, id!)).id);
        return [response as Bundle, counter.n];
      };
      // Store lock, the ifNoneExist search (once: the conditional create asks the same under the same lock), the
      // two inserts; the read-back is outside the transaction (one statement).
      const [first, statements] = await post('once-1');
      expect(first.entry?.map((e) => e.response?.status)).to.deep.equal(['201', '201']);
      expect(statements).to.equal(5);
      // Again: the match is found (once), the Task is not written again, the Provenance points at it.
      const [again, againStatements] = await post('once-1');
      expect(again.entry?.map((e) => e.response?.status)).to.deep.equal(['200', '201']);
      expect(againStatements).to.equal(4);
      expect(readBack[1]).to.equal(readBack[0]);
      expect(ids(await search('Task?identifier=urn:test:task|once-1'))).to.have.length(1);

      // Inside a locked transaction, what it wrote is read back as written, and a search of a type it wrote asks again.
      await counted.withTransaction(
        async (tx) => {
          expect(await tx.searchResources(parseSearchRequest<Task>('Task?identifier=urn:test:task|once-2'))).to.have.length(0);
          const t = await tx.createResource(task('once-2'));
          counter.n = 0;
          expect(await tx.searchResources(parseSearchRequest<Task>('Task?identifier=urn:test:task|once-2'))).to.have.length(1);
          expect(counter.n).to.equal(1);
          const updated = await tx.updateResource({ ...t, status: 'accepted' });
          counter.n = 0;
          expect(await counted.readResource<Task>('Task', t.id)).to.deep.equal(updated);
          expect(counter.n).to.equal(0);
          await tx.deleteResource('Task', t.id);
          expect(await statusOf(counted.readResource('Task', t.id))).to.equal(410);
        },
        { serializable: true, resourceTypes: [] },
      );
      expect(await statusOf(repo.readResource('Task', readBack[0]!))).to.equal(200);
    });

    it('concurrent If-Match updates of one version: exactly one wins', async () => {
      const p = await repo.createResource(patient('Racer'));
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_v, i) => statusOf(repo.updateResource({ ...p, name: [{ family: `Racer${i}` }] }, { ifMatch: '1' }))),
      );
      expect(outcomes.filter((s) => s === 200)).to.have.length(1);
      expect(outcomes.filter((s) => s === 412)).to.have.length(7);
      expect((await repo.readResource('Patient', p.id)).meta?.versionId).to.equal('2');
    });

    it("runs a transaction Bundle through Medplum's FhirRouter atomically: all entries or none", async () => {
      const router = new FhirRouter();
      const bundle = (second: Resource): Bundle => ({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:0e3c2a9e-0000-4000-8000-000000000001', resource: patient('Bundled'), request: { method: 'POST', url: 'Patient' } },
          { resource: second, request: { method: 'POST', url: second.resourceType } },
        ],
      });
      const request = (body: Bundle) => ({ method: 'POST' as const, url: '', pathname: '', body, params: {}, query: {}, config: { transactions: true } });
      const failed = await router.handleRequest(request(bundle({ resourceType: 'Patient', birthDate: 'soon' } as Patient)), repo);
      expect(getStatus(failed[0])).to.equal(400);
      expect(ids(await search('Patient?family=Bundled'))).to.deep.equal([]);

      const [outcome, response] = await router.handleRequest(request(bundle(task('bundled', { for: { reference: 'urn:uuid:0e3c2a9e-0000-4000-8000-000000000001' } }))), repo);
      expect(getStatus(outcome)).to.equal(200);
      expect((response as Bundle).entry?.map((e) => e.response?.status)).to.deep.equal(['201', '201']);
      const [p] = ids(await search('Patient?family=Bundled'));
      expect(ids(await search(`Task?patient=Patient/${p}`))).to.have.length(1);
    });

    it('indexes a versioned reference with and without its version', async () => {
      const target = await repo.createResource(task('versioned-target'));
      const v2 = await repo.updateResource({ ...target, status: 'accepted' });
      const pinned = await repo.createResource(task('pins-v1', { focus: { reference: `Task/${target.id}/_history/1` } }));
      const absolute = await repo.createResource(task('pins-v2', { focus: { reference: `${BASE}/Task/${target.id}/_history/2` } }));
      const plain = await repo.createResource(task('plain', { focus: { reference: `Task/${target.id}` } }));
      expect(ids(await search(`Task?focus=Task/${target.id}`))).to.have.members([pinned.id, absolute.id, plain.id]);
      expect(ids(await search(`Task?focus=Task/${target.id}/_history/1`))).to.deep.equal([pinned.id]);
      expect(ids(await search(`Task?focus=${BASE}/Task/${target.id}/_history/2`))).to.deep.equal([absolute.id]);
      // Reading a versioned reference reads that version.
      const read = await repo.readReference({ reference: `Task/${target.id}/_history/1` });
      expect([read.meta?.versionId, v2.meta?.versionId]).to.deep.equal(['1', '2']);
    });

    it('answers calls made on the repository from inside its own transaction within that transaction', async () => {
      let seenInside: string | undefined;
      const created = await repo.withTransaction(async (tx) => {
        const t = await tx.createResource(task('joined'));
        // The outer repository, as an authorisation hook holds it: it sees the uncommitted write.
        seenInside = (await repo.readResource<Task>('Task', t.id)).id;
        return t;
      });
      expect(seenInside).to.equal(created.id);
      // Once committed, the transaction is no longer joined: later calls see committed data only.
      const outsideDuring = (await repo.searchResources({ resourceType: 'Task', filters: [{ code: '_id', operator: 'eq', value: created.id }] })).length;
      expect(outsideDuring).to.equal(1);

      const failed = await statusOf(
        repo.withTransaction(async (tx) => {
          const t = await tx.createResource(task('joined-rolled-back'));
          await repo.updateResource({ ...t, status: 'accepted' }); // joins: rolled back with the rest
          throw new OperationOutcomeError(badRequest('stop'));
        }),
      );
      expect(failed).to.equal(400);
      expect(ids(await search('Task?identifier=joined-rolled-back'))).to.deep.equal([]);
    });

    it('imports versions kept elsewhere exactly, deletions included, and continues after them', async () => {
      const other = await openFhirStore(db, { store: 'test-import' });
      await other.importHistory([
        { resourceType: 'Patient', id: 'imp', versionId: '1', lastUpdated: '2025-03-01T10:00:00.000Z', resource: { ...patient('Imported'), id: 'imp', meta: { versionId: '1', lastUpdated: '2025-03-01T10:00:00.000Z' } } },
        { resourceType: 'Patient', id: 'imp', versionId: '2', lastUpdated: '2025-03-02T10:00:00.000Z' },
      ]);
      expect(await statusOf(other.readResource('Patient', 'imp'))).to.equal(410);
      expect((await other.readVersion<Patient>('Patient', 'imp', '1')).name?.[0]?.family).to.equal('Imported');
      expect((await other.readHistory('Patient', 'imp')).entry?.map((e) => e.request?.method)).to.deep.equal(['DELETE', 'POST']);
      const again = await other.updateResource<Patient>({ ...patient('Back'), id: 'imp' });
      expect(again.meta?.versionId).to.equal('3');
      const twice = await other
        .importHistory([{ resourceType: 'Patient', id: 'imp', versionId: '1', lastUpdated: '2025-03-01T10:00:00.000Z', resource: patient('Twice') }])
        .then(() => undefined, (err: Error) => err.message);
      expect(twice).to.equal('Patient/imp is already stored');
      await other.clear();
    });

    it('hands committed changes to a journal consumer at least once: a failed or interrupted batch comes again', async () => {
      const journal = await openFhirStore(db, { store: 'test-journal' });
      await journal.createResource(task('j-1'));
      const handled: string[] = [];
      let failOnce = true;
      const reader = new ChangeReader({
        repo: journal,
        consumer: 'test',
        retryDelayMs: 10,
        handle: async (changes) => {
          if (failOnce) {
            failOnce = false;
            throw new Error('consumer down');
          }
          handled.push(...changes.map((c) => `${c.interaction}:${(c.resource as Task).identifier?.[0]?.value}`));
        },
      });
      reader.start();
      await journal.createResource(task('j-2'));
      reader.wake();
      await reader.settle().catch(() => undefined); // the first pass fails; the retry succeeds
      await reader.settle();
      expect(handled).to.deep.equal(['create:j-1', 'create:j-2']);
      expect(await journal.consumerPosition('test')).to.equal(await journal.lastChangeSeq());

      // The first consumer stops here: otherwise it could take the next change itself (it does, now and then,
      // on PostgreSQL) and the check below would see nothing.
      await reader.close();

      // A consumer stopped part-way through a batch does not record it: the next one gets it again.
      let entered: () => void = () => undefined;
      let release: () => void = () => undefined;
      const inHandler = new Promise<void>((resolve) => (entered = resolve));
      const second = new ChangeReader({
        repo: journal,
        consumer: 'test',
        handle: async () => {
          entered();
          await new Promise<void>((resolve) => (release = resolve));
        },
      });
      await journal.createResource(task('j-3'));
      second.start();
      await inHandler;
      const closing = second.close();
      release();
      await closing;
      const after: string[] = [];
      const third = new ChangeReader({ repo: journal, consumer: 'test', handle: async (changes) => void after.push(...changes.map((c) => c.interaction)) });
      third.start();
      await third.settle();
      await third.close();
      expect(after).to.deep.equal(['create']);
      await journal.clear();
    });

    it('keeps stores apart', async () => {
      const other = await openFhirStore(db, { store: 'test-other' });
      const t = await other.createResource(task('apart'));
      expect(ids(await search('Task?identifier=apart'))).to.deep.equal([]);
      expect(await statusOf(repo.readResource('Task', t.id))).to.equal(404);
      await other.clear();
      expect(await statusOf(other.readResource('Task', t.id))).to.equal(404);
    });
  });
}
