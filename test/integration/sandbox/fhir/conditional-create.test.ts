import { expect } from 'chai';
import type { Request } from 'express';
import type { AuthorizeFn } from '../../../../src/sandbox/fhir/index.js';
import type { Db } from '../../../../src/store/db.js';
import { STORE_BACKENDS, suiteStore } from '../../../helpers/postgres.js';
import { countOf, fhir, startSandboxApp, type Json, type SandboxApp } from './sandbox-app.js';

const CONCURRENT = 32;

const task = (value: string): Json => ({
  resourceType: 'Task',
  status: 'requested',
  intent: 'order',
  identifier: [{ system: 'urn:test:race', value }],
});

/** A transaction Bundle: a conditional create of the Task and a Provenance pointing at it by its urn:uuid. */
const bundle = (value: string, n: number): Json => {
  const uuid = `urn:uuid:7c1d2e3f-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: uuid, resource: task(value), request: { method: 'POST', url: 'Task', ifNoneExist: `identifier=urn:test:race|${value}` } },
      {
        resource: {
          resourceType: 'Provenance',
          target: [{ reference: uuid }],
          recorded: '2026-01-01T00:00:00Z',
          agent: [{ who: { display: `sender ${n}` } }],
        },
        request: { method: 'POST', url: 'Provenance' },
      },
    ],
  };
};

describe('sandbox FHIR server: concurrent conditional creates over HTTP', function () {
  this.timeout(300_000);

  for (const backend of STORE_BACKENDS) {
    describe(backend.name, () => {
      let db: Db;
      let app: SandboxApp;
      let base: string;
      const checks = { requests: 0, reads: 0 };
      after(async () => {
        await app?.close();
      });
      const suite = suiteStore(backend, 't_cond');

      before(async () => {
        db = suite.db;
        // Like the SMART authoriser: one database read per HTTP request (the grant check, cached for the
        // request's Bundle entries), a read of the stored resource for each entry, and a yield to the event loop,
        // so concurrent requests interleave unless the store serialises them.
        const perRequest = new WeakMap<Request, Promise<void>>();
        const authorize: AuthorizeFn = async (req, access) => {
          let granted = perRequest.get(req);
          if (!granted) {
            checks.requests++;
            granted = db.query('SELECT count(*) FROM fhir_stores').then(() => new Promise((resolve) => setTimeout(resolve, 1)));
            perRequest.set(req, granted);
          }
          await granted;
          if (access.interaction === 'create' && access.resource?.resourceType === 'Provenance') {
            checks.reads++;
            await app.lw.repo.readResource('Organization', 'lw-org').catch(() => undefined);
          }
        };
        app = await startSandboxApp({ db, lw: { authorize } });
        base = app.urls.lw;
      });

      it(`${CONCURRENT} concurrent If-None-Exist creates: one resource, the others 200 with its id`, async () => {
        const results = await Promise.all(
          Array.from({ length: CONCURRENT }, () => fhir('POST', `${base}/Task`, task('http-1'), { 'if-none-exist': 'identifier=urn:test:race|http-1' })),
        );
        const statuses = results.map((r) => r.status);
        expect(statuses.filter((s) => s === 201), statuses.join(',')).to.have.length(1);
        expect(statuses.filter((s) => s === 200)).to.have.length(CONCURRENT - 1);
        expect(new Set(results.map((r) => r.body.id)).size).to.equal(1);
        expect(await countOf(`${base}/Task?identifier=urn:test:race|http-1`)).to.equal(1);
      });

      it(`${CONCURRENT} concurrent transaction Bundles with a conditional entry: one resource, every reference to it resolves`, async () => {
        const results = await Promise.all(Array.from({ length: CONCURRENT }, (_v, n) => fhir('POST', base, bundle('bundle-1', n))));
        expect(results.map((r) => r.status)).to.deep.equal(Array(CONCURRENT).fill(200));
        const taskEntries = results.map((r) => r.body.entry[0]);
        expect(taskEntries.filter((e: Json) => e.response.status === '201')).to.have.length(1);
        expect(taskEntries.filter((e: Json) => e.response.status === '200')).to.have.length(CONCURRENT - 1);
        const ids = new Set(taskEntries.map((e: Json) => e.resource.id as string));
        expect(ids.size).to.equal(1);
        const [id] = [...ids];
        expect(await countOf(`${base}/Task?identifier=urn:test:race|bundle-1`)).to.equal(1);
        // Every Bundle's Provenance points at the one Task, never at an id that was not created.
        const provenances = results.map((r) => r.body.entry[1].resource);
        expect(provenances.map((p: Json) => p.target[0].reference)).to.deep.equal(Array(CONCURRENT).fill(`Task/${id}`));
        expect(await countOf(`${base}/Provenance?target=Task/${id}`)).to.equal(CONCURRENT);
        expect(checks.reads).to.be.at.least(CONCURRENT);
      });

      it('plain and Bundle conditional creates racing each other still make one resource', async () => {
        const results = await Promise.all(
          Array.from({ length: CONCURRENT }, (_v, n) =>
            n % 2 === 0
              ? fhir('POST', `${base}/Task`, task('mixed-1'), { 'if-none-exist': 'identifier=urn:test:race|mixed-1' }).then((r) => r.body.id as string)
              : fhir('POST', base, bundle('mixed-1', 100 + n)).then((r) => r.body.entry[0].resource.id as string),
          ),
        );
        expect(new Set(results).size).to.equal(1);
        expect(await countOf(`${base}/Task?identifier=urn:test:race|mixed-1`)).to.equal(1);
        expect(await countOf(`${base}/Provenance?target=Task/${results[0]}`)).to.equal(CONCURRENT / 2);
        expect(checks.requests).to.be.at.least(3 * CONCURRENT);
      });
    });
  }
});
