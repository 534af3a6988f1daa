import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import pino from 'pino';
import type { Encounter, Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { FhirClient } from '../../../src/fhir/client.js';
import { sweepGpDemand } from '../../../src/reconcile/gp-demand-sweep.js';
import { aggregate } from '../../../src/reports/aggregate.js';
import { createReportCapture } from '../../../src/reports/capture.js';
import { dueGpDemand, failedGpDemand, gpDemandQueueStatus, requeueGpDemand } from '../../../src/reports/gp-demand-store.js';
import { INDICATORS, MEASURES, measureReport, measureReportProblems } from '../../../src/reports/measures.js';
import { buildReport, reportScope, type StatsTable } from '../../../src/reports/report-builders.js';
import { reportCsv } from '../../../src/reports/report-csv.js';
import { SPLIT_KEYS } from '../../../src/reports/dimensions.js';
import { createSandboxFhirServer } from '../../../src/sandbox/fhir/index.js';
import type { Config } from '../../../src/config/schema.js';
import type { Db } from '../../../src/store/db.js';
import { STORE_BACKENDS, suiteStore } from '../../helpers/postgres.js';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const logger = pino({ level: 'silent' });
// Every count shown: the figures of three people, checked by hand (suppression has its own tests).
const SHOW_ALL = { threshold: 1, secondary: false };

const patient = (id: string, over: Partial<Patient> = {}): Patient => ({ resourceType: 'Patient', id, active: true, gender: 'female', birthDate: '1960-01-01', ...over });
const encounter = (id: string, pat: string, start: string, code = 'AMB'): Encounter => ({
  resourceType: 'Encounter', id, status: 'finished', class: { system: ACT, code }, subject: { reference: `Patient/${pat}` }, period: { start },
});

/**
 * Referred on 31 March 2026: before = 30 Sep 2025 … 30 Mar 2026, after = 1 Apr … 30 Sep 2026, counted from 1 Oct 2026.
 * pat-a: 3 before (one at 23:30 BST on the last day), A&E after (left out), 1 after → 3 → 1.
 * pat-b: 1 before (first day), 2 after (the last at 23:59 BST on the last day) → 1 → 2; one on the referral day left out.
 * pat-c: died → missing. pat-gone: no record at the practice → missing.
 */
const EHR: Resource[] = [
  patient('pat-a'), patient('pat-b', { gender: 'male' }), patient('pat-c', { deceasedDateTime: '2026-07-01' }),
  encounter('a1', 'pat-a', '2025-10-10T10:00:00Z'), encounter('a2', 'pat-a', '2026-01-10T10:00:00Z'), encounter('a3', 'pat-a', '2026-03-30T22:30:00Z'),
  encounter('a4', 'pat-a', '2026-05-01T10:00:00Z', 'EMER'), encounter('a5', 'pat-a', '2026-06-01T10:00:00Z'), encounter('a6', 'pat-a', '2026-10-01T09:00:00Z'),
  encounter('b1', 'pat-b', '2025-09-30T09:00:00+01:00'), encounter('b2', 'pat-b', '2026-03-31T11:00:00Z', 'VR'),
  encounter('b3', 'pat-b', '2026-04-01T09:00:00Z', 'HH'), encounter('b4', 'pat-b', '2026-09-30T22:59:00Z'),
  encounter('c1', 'pat-c', '2026-01-01T10:00:00Z'),
];

const config = {
  tenants: [{ id: 'riverside', name: 'Riverside', odsCode: 'Y99901', pcn: 'Central PCN' }, { id: 'oakfield', name: 'Oakfield', odsCode: 'Y99904', pcn: 'Vale PCN' }],
  reports: { suppression: SHOW_ALL },
} as unknown as Pick<Config, 'tenants' | 'reports'>;

function referral(taskId: string, patientId: string, tenantId = 'riverside', endpointId = 'connect') {
  const task: Task & { id: string } = { resourceType: 'Task', id: taskId, status: 'completed', intent: 'order', lastModified: '2026-06-01T10:00:00Z' };
  const serviceRequest: ServiceRequest = {
    resourceType: 'ServiceRequest', status: 'completed', intent: 'order', subject: { reference: `Patient/${patientId}` },
    requester: { reference: 'PractitionerRole/gp-1-role' }, authoredOn: '2026-03-31T10:00:00+01:00',
  };
  return { endpointId, endpointName: endpointId === 'connect' ? 'Fernbridge Connect' : 'Carers link', tenantId, task, serviceRequest, patientId, observations: [] };
}

for (const backend of STORE_BACKENDS) {
  describe(`reports: GP demand from capture to report on ${backend.name}`, function () {
    // Opening the store and the FHIR server's R4 definitions takes a while on a busy machine.
    this.timeout(400_000);
    const suite = suiteStore(backend, 't_gpdemand');
    let db: Db;
    let server: http.Server;
    let ehr: FhirClient;

    before(async () => {
      db = suite.db;
      server = http.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
      const fhir = await createSandboxFhirServer({ name: 'ehr', baseUrl: base, seed: () => EHR.map((r) => structuredClone(r)) });
      const app = express();
      app.use('/fhir', fhir.router);
      server.on('request', app);
      ehr = new FhirClient({ baseUrl: base, logger, retry: { maxAttempts: 1 } });
    });
    after(async () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    it('queues each referral as it is captured, once, and counts it only when its 6 months after have passed', async () => {
      const capture = await createReportCapture({ db, config, logger });
      await capture.capture([referral('t-a', 'pat-a'), referral('t-b', 'pat-b'), referral('t-c', 'pat-c'), referral('t-gone', 'pat-gone', 'oakfield', 'carers')]);
      // A later Task version queues nothing again.
      await capture.capture([referral('t-a', 'pat-a')]);
      expect(await gpDemandQueueStatus(db, '2026-09-30')).to.deep.equal({ waiting: 4, due: 0, failed: 0, causes: [] });
      const ehrs = new Map([['riverside', ehr], ['oakfield', ehr]]);
      expect(await sweepGpDemand({ db, ehr: ehrs, logger, now: new Date('2026-09-30T22:00:00Z') })).to.deep.equal({ counted: 0, missing: 0, retried: 0, failed: 0 });
      // 1 October in England (BST): due.
      expect(await sweepGpDemand({ db, ehr: ehrs, logger, now: new Date('2026-09-30T23:30:00Z') })).to.deep.equal({ counted: 2, missing: 2, retried: 0, failed: 0 });
      const { rows } = await db.query<{ status: string; missing_reason: string | null; before_count: number | null; after_count: number | null }>(
        'SELECT status, missing_reason, before_count, after_count FROM report_gp_demand ORDER BY before_count DESC NULLS LAST, missing_reason');
      expect(rows).to.deep.equal([
        { status: 'counted', missing_reason: null, before_count: 3, after_count: 1 },
        { status: 'counted', missing_reason: null, before_count: 1, after_count: 2 },
        { status: 'missing', missing_reason: 'died', before_count: null, after_count: null },
        { status: 'missing', missing_reason: 'no-record', before_count: null, after_count: null },
      ]);
      // The record ids were held only until counted.
      expect((await db.query('SELECT * FROM gp_demand_queue')).rows).to.deep.equal([]);
      expect(await sweepGpDemand({ db, ehr: ehrs, logger, now: new Date('2026-10-02T10:00:00Z') })).to.deep.equal({ counted: 0, missing: 0, retried: 0, failed: 0 });
    });

    it('publishes the page, CSV and MeasureReport from the counts: pairs 2, missing 50%, 2.0 → 1.5, change −0.5 (95% CI −19.6 to 18.6)', async () => {
      const filter = { from: '2026-01-01', to: '2026-12-31' };
      const a = await aggregate(db, filter, reportScope('gp-demand', SPLIT_KEYS));
      const t = buildReport('gp-demand', a, 'all', SHOW_ALL).tables[0] as StatsTable;
      // Changes −2 and +1: mean −0.5, sd 2.1213; t(0.975, 1) = 12.7062; half-width 12.7062 × 2.1213 / √2 = 19.0593.
      expect(t.rows[0]!.cells.map((c) => c.text)).to.deep.equal(['4', '2', '50%', '2.0', '1.5', '-0.5', '-19.6 to 18.6', '50%']);
      const csv = reportCsv('gp-demand', a, SHOW_ALL);
      expect(csv).to.include('gp-demand,2026-01-01,2026-12-31,,,,,GP appointments in the 6 months before and after referral,Everyone,Everyone,Mean change,-0.5');
      const i = INDICATORS.find((x) => x.id === 'sp-link-gp-demand')!;
      const mr = measureReport(i, await aggregate(db, filter, { dimensions: [], waits: false, outcomes: false, gpDemand: true, splits: ['all', 'age-band', 'sex', 'ethnicity', 'imd-quintile'] }), SHOW_ALL, { version: '1.0.0', generatedAt: '2026-10-02T10:00:00Z' });
      expect(measureReportProblems(mr, MEASURES('1.0.0').find((m) => m.id === i.id)!)).to.deep.equal([]);
      expect(mr.group![0]!.population!.map((p) => p.count)).to.deep.equal([4, 2]);
      expect(mr.group![0]!.measureScore!.value).to.equal(-0.5);
    });

    it('keeps a reader to their part of the store in SQL: an area of practices or PCNs, and services by their stable key', async () => {
      const filter = { from: '2026-01-01', to: '2026-12-31' };
      const of = async (within: NonNullable<Parameters<typeof aggregate>[1]['within']>) => {
        const a = await aggregate(db, { ...filter, within }, reportScope('gp-demand', ['all']));
        return { referrals: a.referrals, eligible: a.gpDemand[0]?.eligible, services: a.services };
      };
      expect(await of({ pcns: ['Vale PCN'] })).to.deep.equal({ referrals: 1, eligible: 1, services: [{ code: 'carers', name: 'Carers link' }] });
      expect(await of({ practices: ['Y99901'], pcns: ['Nowhere PCN'] })).to.deep.include({ referrals: 3, eligible: 3 });
      expect(await of({ services: ['connect'] })).to.deep.include({ referrals: 3 });
      expect(await of({ pcns: ['Central PCN'], services: ['carers'] })).to.deep.include({ referrals: 0 });
      // A filter inside the reader's part narrows it further; one outside it finds nothing.
      const a = await aggregate(db, { ...filter, service: 'carers', within: { services: ['connect'] } }, reportScope('referrals', ['all']));
      expect(a.referrals).to.equal(0);
    });

    it('leaves a referral it cannot count in the queue with a cause someone can act on, and counts it once requeued', async () => {
      const capture = await createReportCapture({ db, config, logger });
      const late = referral('t-late', 'pat-a');
      await capture.capture([{ ...late, serviceRequest: { ...late.serviceRequest, authoredOn: '2026-02-02T10:00:00Z' } }]);
      // The tenant's EHR refuses SP Link (no Encounter scope): given up at once, with what to grant.
      const refusing = new FhirClient({ baseUrl: 'http://127.0.0.1:9/fhir', logger, retry: { maxAttempts: 1 }, headers: {} });
      const forbidden = Object.assign(Object.create(refusing) as FhirClient, {
        read: async () => { throw new (await import('../../../src/fhir/errors.js')).FhirHttpError(403, 'GET', 'Patient/x'); },
      });
      const res = await sweepGpDemand({ db, ehr: new Map([['riverside', forbidden]]), logger, now: new Date('2026-08-03T10:00:00Z') });
      expect(res).to.deep.equal({ counted: 0, missing: 0, retried: 0, failed: 1 });
      const status = await gpDemandQueueStatus(db, '2026-08-03');
      expect(status.failed).to.equal(1);
      expect(status.causes[0]).to.contain('system/Encounter.rs').and.contain('sp-link doctor');

      // Once the scope is granted, the operator queues it again (sp-link gp-demand requeue): due at once, attempts reset.
      const [failed] = await failedGpDemand(db, { limit: 10 });
      expect(failed).to.deep.include({ tenantId: 'riverside', attempts: 1 });
      expect(failed!.cause).to.contain('system/Encounter.rs');
      expect(await failedGpDemand(db, { tenantId: 'oakfield', limit: 10 })).to.deep.equal([]);
      expect(await requeueGpDemand(db, { tenantId: 'oakfield' })).to.deep.equal([]);
      expect(await requeueGpDemand(db, { referralKey: failed!.referralKey })).to.deep.equal([failed!.referralKey]);
      expect(await requeueGpDemand(db, { referralKey: failed!.referralKey }), 'requeued already').to.deep.equal([]);
      expect((await dueGpDemand(db, '2026-08-03', new Date('2026-08-03T10:00:00Z'), 10)).map((d) => [d.referralKey, d.attempts])).to.deep.equal([[failed!.referralKey, 0]]);
      expect(await sweepGpDemand({ db, ehr: new Map([['riverside', ehr]]), logger, now: new Date('2026-08-03T10:00:00Z') })).to.deep.equal({ counted: 1, missing: 0, retried: 0, failed: 0 });
      expect(await gpDemandQueueStatus(db, '2026-08-03')).to.deep.equal({ waiting: 0, due: 0, failed: 0, causes: [] });
    });
  });
}
