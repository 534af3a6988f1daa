import { expect } from 'chai';
import express from 'express';
import type { HealthcareService, Provenance } from '@medplum/fhirtypes';
import { createDirectoryImports, ImportAlreadyRunning, type DirectoryImports } from '../../../src/directory/index.js';
import { OrukFeedClient } from '../../../src/directory/feed-client.js';
import { createFhirClientFor } from '../../../src/fhir/from-config.js';
import { DirectoryCache } from '../../../src/referrals/directory-cache.js';
import { homePosition, searchDirectory } from '../../../src/referrals/directory.js';
import { directoryResourceId } from '../../../src/directory/oruk-to-fhir.js';
import { EXTENSION, EXTENSION_PART, IDENTIFIER_SYSTEM } from '../../../src/referral-model/codes.js';
import { logger } from '../../../src/observability/logger.js';
import { MALFORMED_SERVICE_ID } from '../../../src/sandbox/oruk/area.js';
import { OrukFeed, sandboxUuid } from '../../../src/sandbox/oruk/feed.js';
import { ORUK_PATH, orukRouter } from '../../../src/sandbox/oruk/router.js';
import { listen, sandboxFhir } from '../../helpers/http.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

const ADMIN = { authorization: 'Bearer sandbox-admin-token' };
const hsId = (slug: string) => directoryResourceId('HealthcareService', sandboxUuid('service', slug));

describe('directory: importing Open Referral UK feeds over HTTP, and the admin API for imports', function () {
  this.timeout(300_000);
  let sys: TestSystem;
  let feed: OrukFeed;
  let imports: DirectoryImports;
  const { fhir, search } = sandboxFhir(() => sys);
  const service = (id: string) => fhir<HealthcareService>('lw', `HealthcareService/${id}`);

  before(async () => {
    sys = await startTestSystem({ background: false });
    feed = sys.sandbox!.oruk;
    imports = await createDirectoryImports({ config: sys.config, db: sys.db, logger });
  });
  after(async () => {
    await imports?.close();
    await sys?.stop();
  });

  it('imports the sandbox feed: every good record as a HealthcareService, the malformed one reported with its reasons', async () => {
    const [report] = await imports.run({ trigger: 'cli' });
    const run = report!.run;
    expect(run.status, run.error).to.equal('succeeded');
    expect(run.counts.listed).to.equal(feed.size);
    expect(run.counts.created).to.equal(feed.size - 1);
    expect(run.counts.rejected).to.equal(1);
    const bad = report!.rejected[0]!;
    expect(bad.orukId).to.equal(MALFORMED_SERVICE_ID);
    expect(bad.reasons).to.include('status: expected one of active, inactive, defunct, temporarily closed');
    expect(bad.reasons.some((r) => r.startsWith('name:'))).to.equal(true);

    const walking = await service(hsId('walking-group'));
    expect(walking.identifier).to.deep.include({ system: IDENTIFIER_SYSTEM.orukService, value: sandboxUuid('service', 'walking-group') });
    expect(walking.active).to.equal(true);
    const verified = walking.extension?.find((e) => e.url === EXTENSION.serviceVerification)?.extension ?? [];
    expect(verified.find((p) => p.url === EXTENSION_PART.serviceVerification.by)?.valueCode).to.equal('feed');

    // The change log names each change and the Provenance written with it.
    const changes = await imports.store.changes({ runId: run.id });
    const created = changes.find((c) => c.resourceId === walking.id)!;
    expect(created.change).to.equal('created');
    const provenance = await fhir<Provenance>('lw', `Provenance/${created.provenanceId}`);
    expect(provenance.target.map((t) => t.reference)).to.include(`HealthcareService/${walking.id}`);
    expect(changes.find((c) => c.change === 'rejected')?.detail).to.deep.equal(bad.reasons);
  });

  it('searches the imported directory for a patient: by need, nearest first among equals, stale ones flagged, each with its reason', async () => {
    const lw = await createFhirClientFor(sys.config.linkWorkerEndpoints[0]!);
    const ehr = await createFhirClientFor(sys.config.tenants[0]!.ehr);
    const index = await new DirectoryCache().index(sys.config.linkWorkerEndpoints[0]!.id, lw);
    // pat-01 lives at FB1 2AB, the postcode of the community centre (the address carries no coordinates).
    const home = await homePosition(ehr, 'pat-01', index.locations);
    expect(home).to.deep.equal({ latitude: 52.2052, longitude: -1.6021 });
    const hits = searchDirectory(index, { needs: ['social-isolation'], near: home! }, { staleAfterDays: 365 });
    expect(hits.length).to.be.greaterThan(3);
    for (const h of hits) expect(h.rankReason).to.match(/^matches \d need/);
    const shed = hits.find((h) => h.id === hsId('mens-shed'))!;
    expect(shed.distanceMiles).to.be.a('number');
    expect(shed.rankReason).to.match(/miles, taking referrals/);
    const knit = searchDirectory(index, { text: 'knit' }, { staleAfterDays: 365 }).find((h) => h.id === hsId('knit-natter'))!;
    expect(knit.stale).to.equal(true);
    expect(knit.verified?.by).to.equal('feed');
    expect(knit.rankReason).to.contain('details not checked recently');
    // Defunct and inactive services never show; a temporarily closed one shows as not taking referrals.
    const all = searchDirectory(index, {}, { staleAfterDays: 365 }).map((h) => h.id);
    expect(all).to.not.include(hsId('mindfulness'));
    expect(all).to.not.include(hsId('good-grief'));
    expect(searchDirectory(index, { acceptingOnly: true }, { staleAfterDays: 365 }).map((h) => h.id)).to.not.include(hsId('creative-writing'));
  });

  it('re-imports idempotently: nothing read again, nothing written', async () => {
    const before = await service(hsId('walking-group'));
    const [report] = await imports.run({ trigger: 'cli' });
    expect(report!.run.counts).to.include({ created: 0, updated: 0, inactivated: 0, unchanged: feed.size - 1, rejected: 1 });
    expect((await service(hsId('walking-group'))).meta?.versionId).to.equal(before.meta?.versionId);
  });

  it('picks up a changed record and keeps the capacity the provider reported', async () => {
    const id = hsId('walking-group');
    // The provider says it is full (what the portal writes), then the council changes the description.
    const current = await service(id);
    const capacity = {
      url: EXTENSION.serviceCapacity,
      extension: [
        { url: EXTENSION_PART.serviceCapacity.acceptingReferrals, valueBoolean: false },
        { url: EXTENSION_PART.serviceCapacity.waitDays, valueInteger: 21 },
      ],
    };
    await fhir('lw', `HealthcareService/${id}`, { method: 'PUT', body: JSON.stringify({ ...current, extension: [...(current.extension ?? []), capacity] }) });
    const record = feed.get(sandboxUuid('service', 'walking-group'))!;
    feed.put({ ...record, description: 'Now also on Saturday mornings.' });

    const [report] = await imports.run({ trigger: 'cli' });
    expect(report!.run.counts).to.include({ updated: 1, created: 0 });
    const after = await service(id);
    expect(after.extraDetails).to.contain('Now also on Saturday mornings.');
    expect(after.extension?.find((e) => e.url === EXTENSION.serviceCapacity)).to.deep.equal(capacity);
    const change = (await imports.store.changes({ runId: report!.run.id })).find((c) => c.resourceId === id)!;
    expect(change.change).to.equal('updated');
    expect(change.detail).to.include('extraDetails');
  });

  it('marks a service the feed no longer lists inactive (never deleted), and active again when it returns', async () => {
    const orukId = sandboxUuid('service', 'coffee-morning');
    const record = feed.get(orukId)!;
    feed.remove(orukId);
    const [gone] = await imports.run({ trigger: 'cli' });
    expect(gone!.run.counts.inactivated).to.equal(1);
    const retired = await service(hsId('coffee-morning'));
    expect(retired.active).to.equal(false);
    expect(retired.name).to.equal(record.name);

    feed.put(record);
    const [back] = await imports.run({ trigger: 'cli' });
    expect(back!.run.counts.reactivated).to.equal(1);
    expect((await service(hsId('coffee-morning'))).active).to.equal(true);
  });

  it('reads only what changed since the last import when asked (modified_after), retiring nothing', async () => {
    const orukId = sandboxUuid('service', 'lunch-club');
    feed.put({ ...feed.get(orukId)!, fees_description: '£5 per meal' });
    const [report] = await imports.run({ trigger: 'cli', since: 'last' });
    expect(report!.run.mode).to.equal('incremental');
    expect(report!.run.counts.listed).to.be.lessThan(5);
    expect(report!.run.counts.updated).to.equal(1);
  });

  it('merges a second feed listing the same services: one HealthcareService each, from the newest record', async () => {
    const other = new OrukFeed(new Date());
    const app = express();
    const server = await listen(app);
    app.use(ORUK_PATH, orukRouter(other, { publicUrl: server.url }));
    try {
      const orukId = sandboxUuid('service', 'mens-shed');
      other.put({ ...other.get(orukId)!, description: 'From the ICS directory, checked today.' });
      const config = structuredClone(sys.config) as typeof sys.config & { directory: { feeds: unknown[] } };
      (config.directory.feeds as unknown[]).push({ id: 'ics', name: 'ICS directory', url: `${server.url}${ORUK_PATH}`, perPage: 100, importOnStart: false });
      const two = await createDirectoryImports({ config, db: sys.db, logger });
      await imports.run({ trigger: 'cli' }); // the council's feed in the directory first
      const before = (await search<HealthcareService>('lw', 'HealthcareService?_count=500')).length;
      const [westshire, ics] = await two.run({ trigger: 'cli' });
      expect(westshire!.run.status).to.equal('succeeded');
      expect(ics!.run.status).to.equal('succeeded');
      expect(ics!.run.counts).to.include({ created: 0, updated: 1 });
      // The rest are the same records as the council's: held from the feed configured first.
      expect(ics!.run.counts.merged).to.equal(ics!.run.counts.listed - 2);
      expect((await search<HealthcareService>('lw', 'HealthcareService?_count=500')).length).to.equal(before);
      expect((await service(hsId('mens-shed'))).extraDetails).to.contain('From the ICS directory');
      // The council's older copy does not overwrite it, and a service the ICS feed drops stays while the council lists it.
      other.remove(sandboxUuid('service', 'befriending-phone'));
      const [w2, i2] = await two.run({ trigger: 'cli' });
      expect(w2!.run.counts.updated).to.equal(0);
      expect(i2!.run.counts.inactivated).to.equal(0);
      expect((await service(hsId('befriending-phone'))).active).to.equal(true);
      await two.close();
    } finally {
      await server.close();
    }
  });

  it('retries a feed that fails for a moment, and refuses to retire everything when a feed suddenly lists nothing', async () => {
    let failures = 1;
    let empty = false;
    const app = express();
    app.use(ORUK_PATH, (req, res, next) => {
      if (failures > 0 && req.path === '/services') {
        failures--;
        res.status(503).set('retry-after', '0').json({ error: 'busy' });
        return;
      }
      if (empty && req.path === '/services') {
        res.json({ total_items: 0, total_pages: 1, page_number: 1, size: 0, first_page: true, last_page: true, empty: true, contents: [] });
        return;
      }
      next();
    });
    const server = await listen(app);
    app.use(ORUK_PATH, orukRouter(feed, { publicUrl: server.url }));
    try {
      const config = structuredClone(sys.config);
      config.directory.feeds[0]!.url = `${server.url}${ORUK_PATH}`;
      const flaky = await createDirectoryImports({ config, db: sys.db, logger, feedClient: (f) => new OrukFeedClient(f.url, f.perPage, { retry: { baseDelayMs: 1, maxDelayMs: 5 } }) });
      const [ok] = await flaky.run({ trigger: 'cli' });
      expect(ok!.run.status, ok!.run.error).to.equal('succeeded');
      expect(failures).to.equal(0);
      empty = true;
      const [refused] = await flaky.run({ trigger: 'cli' });
      expect(refused!.run.status).to.equal('failed');
      expect(refused!.run.error).to.match(/listed no services/);
      expect((await service(hsId('walking-group'))).active).to.equal(true);
      await flaky.close();
    } finally {
      await server.close();
    }
  });

  it('runs one import of a feed at a time', async () => {
    const first = imports.run({ trigger: 'cli' });
    let second: unknown;
    try {
      await imports.run({ trigger: 'admin' });
    } catch (err) {
      second = err;
    }
    await first;
    expect(second).to.be.instanceOf(ImportAlreadyRunning);
  });

  it('refuses a caller without the admin token', async () => {
    const res = await fetch(`${sys.url}/admin/api/directory/imports`);
    expect(res.status).to.equal(401);
  });

  it('runs an import with an NDJSON progress stream, then lists the run and shows its change log', async () => {
    const res = await fetch(`${sys.url}/admin/api/directory/imports?feed=westshire`, { method: 'POST', headers: ADMIN });
    expect(res.status).to.equal(200);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.type === 'progress' && l.phase === 'records')).to.equal(true);
    const result = lines.find((l) => l.type === 'result') as { run: { id: number; status: string; counts: { listed: number } } };
    expect(result.run.status).to.equal('succeeded');
    expect(result.run.counts.listed).to.be.greaterThan(60);

    const list = (await (await fetch(`${sys.url}/admin/api/directory/imports`, { headers: ADMIN })).json()) as { feeds: { id: string; lastRun: { id: number } }[] };
    expect(list.feeds[0]).to.include({ id: 'westshire' });
    expect(list.feeds[0]!.lastRun.id).to.equal(result.run.id);
    const shown = (await (await fetch(`${sys.url}/admin/api/directory/imports/${result.run.id}`, { headers: ADMIN })).json()) as { changes: { change: string }[] };
    expect(shown.changes.filter((c) => c.change === 'rejected')).to.have.length(1);
    expect((await fetch(`${sys.url}/admin/api/directory/imports?feed=nope`, { method: 'POST', headers: ADMIN })).status).to.equal(404);
  });
});
